"""Times written into words, and finding them again to show in each reader's zone. Pure.

Templates and promises write a time into an update's words as text in the page's zone,
naming the zone ("14:33 UTC", "Dec 02, 02:00 CET"): that is how an email states it, and
how the page reads without JavaScript. On the page, `mark_times` wraps each such time in
the same `<time datetime=… data-fmt=…>` element the rest of the page uses, so that
static/localtime.js says it in the reader's own zone like every other time there.

A time written without a date ("by 14:33 UTC") is taken as the one nearest the moment the
words were published: a promise lies a little after it, a start a little before.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from html import escape

from app.lib.clock import as_utc, in_zone

CLOCK = "%H:%M"
DAY_CLOCK = "%b %d, %H:%M"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TIME = re.compile(
    r"\b(?:(?P<month>" + "|".join(_MONTHS) + r") (?P<day>\d{1,2}), )?"
    r"(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d) "
    r"(?P<label>UTC(?:[+-]\d{2}(?::?\d{2})?)?|[A-Z]{2,5})\b"
)
_TAG = re.compile(r"(<[^>]*>)")


def zone_label(zone: tzinfo, at: datetime) -> str:
    """The zone as people say it at that moment: "UTC", "CET", "EST"; never "Etc/UTC".
    Zones without a common abbreviation (tzdata writes "+03") read "UTC+03"."""
    name = in_zone(at, zone).tzname() or "UTC"
    return f"UTC{name}" if name[:1] in "+-" else name


def say(value: datetime, zone: tzinfo, *, with_day: bool = False) -> str:
    """`value` as words carry it: "14:33 UTC", or with the day "Dec 02, 14:33 UTC"."""
    at = in_zone(value, zone)
    return at.strftime(DAY_CLOCK if with_day else CLOCK) + " " + zone_label(zone, at)


def _candidates(match: re.Match[str], zone: tzinfo, near: datetime) -> list[datetime]:
    hour, minute = int(match["hour"]), int(match["minute"])
    local_near = in_zone(near, zone)
    found = []
    if match["month"]:
        month, day = _MONTHS.index(match["month"]) + 1, int(match["day"])
        for year in (local_near.year - 1, local_near.year, local_near.year + 1):
            try:
                found.append(datetime(year, month, day, hour, minute, tzinfo=zone))
            except ValueError:  # Feb 30, or Feb 29 outside a leap year
                continue
    else:
        for shift in (-1, 0, 1):
            day = (local_near + timedelta(days=shift)).date()
            found.append(datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone))
    return found


def _resolve(match: re.Match[str], zone: tzinfo, near: datetime) -> datetime | None:
    """The moment a written time stands for, or None when its zone is not the page's (nor
    UTC), so it cannot be read with certainty and is left as written."""
    label = match["label"]
    if label in ("UTC", "GMT"):
        zone = UTC
    best: datetime | None = None
    for candidate in _candidates(match, zone, near):
        if zone is not UTC and zone_label(zone, candidate) != label:
            continue
        if best is None or abs(candidate - near) < abs(best - near):
            best = candidate
    return best


def mark_times(html: str, *, zone: tzinfo, near: datetime) -> str:
    """`html` (sanitized words) with each time written in `zone` or UTC wrapped in a
    `<time>` element; text inside tags is left alone, and so is a time already marked."""
    near = as_utc(near)
    parts = _TAG.split(html)
    inside_time = False
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            lowered = part.lower()
            if lowered.startswith("<time"):
                inside_time = True
            elif lowered.startswith("</time"):
                inside_time = False
            continue
        if inside_time or not part:
            continue

        def wrap(match: re.Match[str]) -> str:
            at = _resolve(match, zone, near)
            if at is None:
                return match.group(0)
            fmt = "datetime" if match["month"] else "time"
            iso = escape(as_utc(at).isoformat())
            return f'<time datetime="{iso}" data-fmt="{fmt}">{match.group(0)}</time>'

        parts[index] = _TIME.sub(wrap, part)
    return "".join(parts)
