"""The Jinja2 environment of the pages and the emails: trusted, versioned templates.

It knows nothing of HTTP, so the web renders pages with it and the worker renders emails.

A theme folder (`themes/<name>/`) may hold `templates/` that shadow the defaults and a
`theme.css` served after the base stylesheet. Untrusted, user-editable templates never use
this environment; they render in the sandbox of `app.comms`.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

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
from app.lib.languages import DEFAULT_LANGUAGE, known_language
from app.lib.local_dates import STYLE_NAMES, format_local
from app.lib.paths import TEMPLATES, THEMES
from app.lib.text import markdown_to_safe_html
from app.lib.times_in_words import mark_times, zone_label


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
        self.env.filters["local"] = self.local
        self.env.filters["markdown"] = lambda text: Markup(markdown_to_safe_html(text or ""))
        self.env.filters["words"] = self.words
        self.env.filters["duration"] = human_duration
        self.env.filters["countdown"] = countdown
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
    def local(self, context: Context, value: datetime | None, fmt: str = "datetime") -> str:
        """A time in the page's zone, named plainly: a style below, written as the render's
        language writes dates, or a strftime format."""
        if value is None:
            return ""
        if fmt in STYLE_NAMES:
            return format_local(value, fmt, language=self.language_of(context), zone=self.zone)
        at = in_zone(value, self.zone)
        return at.strftime(fmt.replace("%Z", zone_label(self.zone, at)))

    def words(self, text: str | None, published_at: datetime | None = None) -> Markup:
        """Published words as the page shows them: Markdown made safe, and each time written
        in them marked up like the page's own times, for the reader's zone."""
        html = markdown_to_safe_html(text or "")
        return Markup(mark_times(html, zone=self.zone, near=published_at or utcnow()))

    def zone_label(self, at: datetime | None = None) -> str:
        return zone_label(self.zone, at or datetime.now(self.zone))

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)


def countdown(value: datetime | None, now: datetime) -> str:
    """How far away a time is, to the hour: "in 2 days, 10 hours", "in 35 min", "now"."""
    if value is None:
        return ""
    minutes = int((as_utc(value) - as_utc(now)).total_seconds() // 60)
    if minutes <= 0:
        return "now"
    if minutes < 60:
        return f"in {minutes} min"
    hours, _ = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    return "in " + ", ".join(parts)


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"
