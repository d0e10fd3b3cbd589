"""The one source of the current time: aware UTC, so comparisons never mix naive and aware."""

from datetime import UTC, datetime, tzinfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Read a timestamp back from a database that may drop the zone (SQLite) as aware UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso_z(value: datetime | None) -> str | None:
    """UTC ISO 8601 with milliseconds and `Z`, the form Statuspage clients parse."""
    if value is None:
        return None
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def in_zone(value: datetime, zone: tzinfo) -> datetime:
    """`value` in `zone`, for display. A stored date at the end of the calendar (the years 1
    and 9999), where the shift would overflow, is shown in UTC rather than taking a page down."""
    try:
        return as_utc(value).astimezone(zone)
    except OverflowError:
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
