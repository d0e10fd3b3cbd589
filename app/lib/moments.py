"""The dates a request may carry: from 1970 to 2100, with a 422 naming the field otherwise.

Python's datetime ends at the years 1 and 9999, so a date near either end overflows the
moment it is moved to UTC or to the page's zone (`0001-01-01T00:00:00+14:00`), or a window
is added to it (`9999-12-31T23:30:00Z` plus an hour): a 500 where a 422 belongs, and once
stored, a page that cannot render. No incident, promise or pause of ours falls outside these
years, so requests are held to them at the edge, where the field's name is still known.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from app.lib.errors import InvalidInput

EARLIEST_YEAR = 1970
LATEST_YEAR = 2100
_EARLIEST = datetime(EARLIEST_YEAR, 1, 1, tzinfo=UTC)
_AFTER_LATEST = datetime(LATEST_YEAR + 1, 1, 1, tzinfo=UTC)


def check_moment(value: datetime, field: str) -> datetime:
    """`value` itself, or InvalidInput naming `field` when it is not within 1970-2100 (UTC)."""
    # The local year first: converting a date at the end of the calendar is what overflows.
    inside = EARLIEST_YEAR - 1 <= value.year <= LATEST_YEAR + 1
    if inside:
        utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        inside = _EARLIEST <= utc < _AFTER_LATEST
    if not inside:
        raise InvalidInput(
            f"{field} must be between {EARLIEST_YEAR} and {LATEST_YEAR}, got {value.isoformat()}",
            field=field,
        )
    return value


class DatedRequest(msgspec.Struct):
    """Base of request bodies that carry dates: each datetime field is checked as it is
    decoded (msgspec calls `__post_init__`), so no handler or service sees one out of range.
    The InvalidInput raised here passes through msgspec and Litestar unchanged (a 422)."""

    def __post_init__(self) -> None:
        for field in msgspec.structs.fields(self):
            value: Any = getattr(self, field.name)
            if isinstance(value, datetime):
                check_moment(value, field.encode_name)
