"""The Jinja2 environment of the pages and the emails: trusted, versioned templates.

It knows nothing of HTTP, so the web renders pages with it and the worker renders emails.

A theme folder (`themes/<name>/`) may hold `templates/` that shadow the defaults and a
`theme.css` served after the base stylesheet. Untrusted, user-editable templates never use
this environment; they render in the sandbox of `app.comms`.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup

from app.lib import translations
from app.lib.clock import as_utc, in_zone, utcnow
from app.lib.languages import DEFAULT_LANGUAGE, babel_locale, known_language
from app.lib.local_dates import STYLE_NAMES, format_local
from app.lib.paths import TEMPLATES, THEMES
from app.lib.text import markdown_to_safe_html
from app.lib.times_in_words import mark_times, zone_label
from app.lib.translations import N_


class Renderer:
    def __init__(
        self,
        *,
        theme: str,
        zone: ZoneInfo,
        globals_: dict[str, Any],
        language: str = DEFAULT_LANGUAGE,
    ) -> None:
        theme_dir = THEMES / theme
        # Settings.from_env refuses an unknown theme with a message naming the variable;
        # this catches settings built in code.
        if not theme_dir.is_dir():
            raise ValueError(f"no theme folder named {theme!r}")
        self.theme_dir = theme_dir
        meta_path = theme_dir / "theme.toml"
        self.theme_meta = tomllib.loads(meta_path.read_text()) if meta_path.exists() else {}
        loaders = [FileSystemLoader(theme_dir / "templates"), FileSystemLoader(TEMPLATES)]
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(["html", "xml"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        self.zone = zone
        self.language = known_language(language) or DEFAULT_LANGUAGE
        # One environment serves every language: `_()` reads the `language` the page or
        # message was rendered with (falling back to the site's), so a template says once
        # what it means and each reader gets it in theirs.
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            self._gettext, self._ngettext, newstyle=True
        )
        self.env.globals.update(globals_)
        self.env.globals["theme"] = {"name": theme_dir.name, **self.theme_meta}
        self.env.filters["local"] = self._local
        self.env.filters["markdown"] = lambda text: Markup(markdown_to_safe_html(text or ""))
        self.env.filters["words"] = self.words
        self.env.filters["duration"] = self._duration
        self.env.filters["countdown"] = self._countdown
        self.env.filters["day"] = self._day
        self.env.filters["percent"] = self._percent
        self.env.globals["zone_label"] = self.zone_label

    def language_of(self, context: Context) -> str:
        return known_language(context.get("language")) or self.language

    @pass_context
    def _gettext(self, context: Context, message: str) -> str:
        return translations.gettext(self.language_of(context), message)

    @pass_context
    def _ngettext(self, context: Context, singular: str, plural: str, count: int) -> str:
        return translations.ngettext(self.language_of(context), singular, plural, count)

    @pass_context
    def _local(self, context: Context, value: datetime | None, fmt: str = "datetime") -> str:
        return self.local(value, fmt, language=self.language_of(context))

    def local(
        self, value: datetime | None, fmt: str = "datetime", *, language: str | None = None
    ) -> str:
        """A time in the page's zone, named plainly in the reader's language: a style below
        or a strftime format (app.lib.local_dates names the styles)."""
        if value is None:
            return ""
        if fmt in STYLE_NAMES:
            return format_local(value, fmt, language=language or self.language, zone=self.zone)
        at = in_zone(value, self.zone)
        return at.strftime(fmt.replace("%Z", zone_label(self.zone, at)))

    @pass_context
    def _day(self, context: Context, value: date, style: str = "day") -> str:
        """A calendar day (a bar of the 90 days, a month of history) in the reader's words."""
        return format_skeleton(
            DAY_SKELETONS[style], value, locale=_locale(self.language_of(context))
        )

    @pass_context
    def _percent(self, context: Context, value: float) -> str:
        return percent(value, self.language_of(context))

    @pass_context
    def _duration(self, context: Context, seconds: float | None) -> str:
        return human_duration(seconds, self.language_of(context))

    @pass_context
    def _countdown(self, context: Context, value: datetime | None, now: datetime) -> str:
        return countdown(value, now, self.language_of(context))

    def words(self, text: str | None, published_at: datetime | None = None) -> Markup:
        """Published words as the page shows them: Markdown made safe, and each time written
        in them marked up like the page's own times, for the reader's zone."""
        html = markdown_to_safe_html(text or "")
        return Markup(mark_times(html, zone=self.zone, near=published_at or utcnow()))

    def zone_label(self, at: datetime | None = None) -> str:
        return zone_label(self.zone, at or datetime.now(self.zone))

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)


# Calendar days, as Unicode date skeletons each language orders and spells its own way.
DAY_SKELETONS = {"day": "MMMd", "weekday": "yMMMEd", "month": "yMMMM"}


@cache
def _locale(language: str) -> Locale:
    """Babel's locale of a language, parsed once (a page formats hundreds of figures)."""
    return babel_locale(language)


@cache
def _percent_shape(language: str) -> tuple[str, str]:
    """(decimal mark, zero percent) as the language writes them: (",", "0,00 %")."""
    locale = _locale(language)
    pattern = locale.percent_formats[None].pattern.replace("#,##0", "#,##0.00", 1)
    return locale.number_symbols["latn"]["decimal"], format_decimal(0, pattern, locale=locale)


def percent(value: float, language: str) -> str:
    """A percentage to two decimals, as the language writes it ("99.50%", "99,50 %").

    An uptime is never a thousand, so no grouping mark is needed: the number is put in the
    language's shape once worked out (Babel's formatting costs a page hundreds of calls)."""
    mark, zero = _percent_shape(language)
    return zero.replace(f"0{mark}00", f"{value:.2f}".replace(".", mark), 1)


def _units(language: str, *parts: tuple[int, str]) -> str:
    locale = _locale(language)
    words = [format_unit(n, f"duration-{unit}", length="long", locale=locale) for n, unit in parts]
    try:
        return format_list(words, style="unit", locale=locale)
    except KeyError:  # a language without a unit list pattern (Spanish in CLDR 4x)
        return format_list(words, locale=locale)


def countdown(value: datetime | None, now: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """How far away a time is, to the hour: "in 2 days, 10 hours", "in 35 min", "now"."""
    if value is None:
        return ""
    _ = translations.translations(language).gettext
    minutes = int((as_utc(value) - as_utc(now)).total_seconds() // 60)
    if minutes <= 0:
        return _("now")
    if minutes < 60:
        short = format_unit(minutes, "duration-minute", length="short", locale=_locale(language))
        return _("in %(time)s") % {"time": short}
    hours, _minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [(n, unit) for n, unit in ((days, "day"), (hours, "hour")) if n]
    return _("in %(time)s") % {"time": _units(language, *parts)}


def human_duration(seconds: float | None, language: str = DEFAULT_LANGUAGE) -> str:
    """How long something lasted: "35 min", "3 h 5 min", "4 days"."""
    if seconds is None:
        return ""
    locale = _locale(language)
    minutes = int(seconds // 60)
    if minutes < 1:
        return translations.gettext(language, N_("less than a minute"))
    if minutes < 60:
        return format_unit(minutes, "duration-minute", length="short", locale=locale)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        if language == DEFAULT_LANGUAGE:  # the desk's and the emails' own short form
            return f"{hours} h {minutes} min" if minutes else f"{hours} h"
        hour_words = format_unit(hours, "duration-hour", length="short", locale=locale)
        if not minutes:
            return hour_words
        minute_words = format_unit(minutes, "duration-minute", length="short", locale=locale)
        return f"{hour_words} {minute_words}"
    return format_unit(hours // 24, "duration-day", length="long", locale=locale)
