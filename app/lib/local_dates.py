"""A time in a zone, written the way readers of one language write it (Babel's CLDR data).

The named styles are the same in every language; only their shape changes: "Mar 1, 02:00
CET" in English, "1. März, 02:00 CET" in German, "3月1日 2:00 CET" in Japanese. The zone is
named plainly (`zone_label`), as every page and message does.
"""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo

from babel.dates import DateTimePattern, match_skeleton, parse_pattern

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
    day_pattern, clock_pattern, joined = _patterns(locale.language, style)
    at = in_zone(value, zone)
    day = day_pattern.apply(at, locale) if day_pattern else None
    if clock_pattern is None:
        assert day is not None
        return day
    clock = f"{clock_pattern.apply(at, locale)} {zone_label(zone, at)}"
    if day is None:
        return clock
    return joined.replace("{1}", day).replace("{0}", clock)


@functools.cache
def _patterns(
    language: str, style: str
) -> tuple[DateTimePattern | None, DateTimePattern | None, str]:
    """A style's day and clock patterns in `language`, and how it joins them ("{1}, {0}" in
    English): worked out once, since a page may write hundreds of dates."""
    locale = babel_locale(language)
    skeletons = locale.datetime_skeletons

    def pattern(skeleton: str) -> DateTimePattern:
        return parse_pattern(skeletons[match_skeleton(skeleton, skeletons) or skeleton])

    skeleton, with_time = _STYLES[style]
    day = pattern(skeleton) if skeleton else None
    clock = pattern("Hm") if with_time else None
    return day, clock, str(locale.datetime_formats["medium"])
