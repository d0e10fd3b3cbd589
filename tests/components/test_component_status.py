"""The page's overall indicator from its components' statuses (app/components/status.py)."""

from __future__ import annotations

from app.components.status import ComponentStatus, page_indicator


def test_page_indicator_follows_the_worst_component():
    s = ComponentStatus
    assert page_indicator([s.OPERATIONAL, s.OPERATIONAL]) == ("none", "All Systems Operational")
    assert page_indicator([s.OPERATIONAL, s.DEGRADED_PERFORMANCE])[0] == "minor"
    assert page_indicator([s.OPERATIONAL, s.PARTIAL_OUTAGE])[0] == "minor"
    assert page_indicator([s.OPERATIONAL, s.MAJOR_OUTAGE])[0] == "major"
    assert page_indicator([s.MAJOR_OUTAGE, s.MAJOR_OUTAGE])[0] == "critical"
    assert page_indicator([s.UNDER_MAINTENANCE, s.OPERATIONAL])[0] == "maintenance"
