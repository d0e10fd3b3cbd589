"""Pure rules behind the pages: maintenance phases, day bars, plain zone names, countdowns."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.components.models import Component
from app.components.status import ComponentStatus
from app.incidents.models import Incident
from app.lib.templating import countdown, zone_label
from app.public.days import WINDOW_DAYS, day_bars, segments
from app.public.views import IncidentView, Phase, maintenance_phase

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _window(status: str, starts_in: timedelta, hours: int = 2) -> Incident:
    start = NOW + starts_in
    return Incident(
        id="m1",
        kind="maintenance",
        title="Upgrade",
        status=status,
        started_at=start,
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=hours),
    )


@pytest.mark.parametrize(
    ("status", "starts_in", "phase"),
    [
        ("scheduled", timedelta(days=3), Phase.SCHEDULED),
        ("scheduled", timedelta(minutes=-30), Phase.IN_PROGRESS),  # the window is open
        ("scheduled", timedelta(hours=-3), Phase.COMPLETED),  # closed, nobody started it
        ("in_progress", timedelta(hours=-3), Phase.IN_PROGRESS),  # overrunning, as told
        ("verifying", timedelta(minutes=-30), Phase.IN_PROGRESS),
        ("completed", timedelta(minutes=-30), Phase.COMPLETED),
    ],
)
def test_a_windows_phase_comes_from_its_status_and_its_clock(status, starts_in, phase):
    assert maintenance_phase(_window(status, starts_in), NOW) is phase


def _incident(id_: str, start: datetime, end: datetime | None) -> Incident:
    return Incident(
        id=id_, kind="incident", title=id_, status="resolved", started_at=start, resolved_at=end
    )


def test_a_day_adds_minutes_per_status_and_counts_overlaps_once():
    api = Component(id="api", name="API")
    morning = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    views = [
        IncidentView(
            _incident("a", morning, morning + timedelta(minutes=60)),
            [],
            [(api, ComponentStatus.PARTIAL_OUTAGE)],
            now=NOW,
        ),
        IncidentView(
            _incident("b", morning + timedelta(minutes=30), morning + timedelta(minutes=90)),
            [],
            [(api, ComponentStatus.PARTIAL_OUTAGE)],
            now=NOW,
        ),
    ]
    days, uptime = day_bars("api", views, today=NOW.date(), zone=ZoneInfo("UTC"), now=NOW)
    assert len(days) == WINDOW_DAYS and days[-1].day == NOW.date()
    (troubled,) = [d for d in days if not d.quiet]
    assert troubled.day == date(2026, 11, 27)
    assert troubled.minutes == {ComponentStatus.PARTIAL_OUTAGE: 90}
    assert [i.id for i in troubled.incidents] == ["a", "b"]
    assert 99.9 < uptime < 100.0


def test_a_window_yet_to_begin_leaves_the_bars_alone():
    api = Component(id="api", name="API")
    view = IncidentView(
        _window("scheduled", timedelta(days=3)),
        [],
        [(api, ComponentStatus.UNDER_MAINTENANCE)],
        now=NOW,
    )
    days, _ = day_bars("api", [view], today=NOW.date(), zone=ZoneInfo("UTC"), now=NOW)
    assert all(d.quiet for d in days)


def test_quiet_days_are_drawn_in_a_few_stretches_split_where_a_phone_starts():
    api = Component(id="api", name="API")
    start = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    view = IncidentView(
        _incident("a", start, start + timedelta(hours=1)),
        [],
        [(api, ComponentStatus.MAJOR_OUTAGE)],
        now=NOW,
    )
    days, _ = day_bars("api", [view], today=NOW.date(), zone=ZoneInfo("UTC"), now=NOW)
    drawn = segments(days)
    assert sum(s.span for s in drawn) == WINDOW_DAYS
    assert len(drawn) <= 12
    assert [s.day.day for s in drawn if s.day] == [date(2026, 11, 10)]
    assert sum(s.span for s in drawn if not s.older) == 30
    assert all(s.span in (1, 2, 4, 8, 16, 32, 64) for s in drawn)


@pytest.mark.parametrize(
    ("zone", "label"),
    [
        ("Etc/UTC", "UTC"),
        ("Europe/Paris", "CET"),
        ("America/New_York", "EST"),
        ("Asia/Dubai", "UTC+04"),
    ],
)
def test_zones_are_named_as_people_say_them(zone, label):
    assert zone_label(ZoneInfo(zone), datetime(2026, 1, 5, 12, tzinfo=UTC)) == label


def test_a_countdown_reads_to_the_hour():
    assert countdown(NOW + timedelta(days=2, hours=10, minutes=5), NOW) == "in 2 days, 10 hours"
    assert countdown(NOW + timedelta(minutes=35), NOW) == "in 35 min"
    assert countdown(NOW + timedelta(days=1), NOW) == "in 1 day"
    assert countdown(NOW - timedelta(minutes=1), NOW) == "now"
