"""A time in a zone, written the way readers of one language write it (Babel's CLDR data).

The named styles are the same in every language; only their shape changes: "Mar 1, 02:00
CET" in English, "1. März, 02:00 CET" in German, "3月1日 2:00 CET" in Japanese. The zone is
named plainly (`zone_label`), as every page and message does.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from babel.dates import format_skeleton

from app.lib.clock import in_zone
from app.lib.languages import babel_locale
from app.lib.times_in_words import zone_label

# Style → (date skeleton or None, with the time of day, with the zone).
_STYLES: dict[str, tuple[str | None, bool]] = {
    "datetime": ("MMMd", True),
    "date": ("yMMMd", False),
    "time": (None, True),
    "full": ("yMMMEd", True),
}
STYLE_NAMES = frozenset(_STYLES)


def format_local(value: datetime, style: str, *, language: str, zone: tzinfo) -> str:
    """`value` in `zone`, in one of the named styles, as `language` writes it."""
    locale = babel_locale(language)
    at = in_zone(value, zone)
    skeleton, with_time = _STYLES[style]
    day = format_skeleton(skeleton, at, locale=locale) if skeleton else None
    if not with_time:
        assert day is not None
        return day
    clock = f"{format_skeleton('Hm', at, locale=locale)} {zone_label(zone, at)}"
    if day is None:
        return clock
    # The language's own way of joining a day and a time ("{1}, {0}" in English).
    joined = str(locale.datetime_formats["medium"])
    return joined.replace("{1}", day).replace("{0}", clock)
