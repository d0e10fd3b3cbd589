"""Incident and maintenance lifecycles (app/incidents/status.py)."""

from __future__ import annotations

import pytest

from app.incidents.status import IncidentKind, check_transition
from app.lib.errors import InvalidTransition

INCIDENT = IncidentKind.INCIDENT
MAINTENANCE = IncidentKind.MAINTENANCE


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("investigating", "identified"),
        ("investigating", "resolved"),
        ("identified", "monitoring"),
        ("monitoring", "identified"),  # the fix did not hold
        ("monitoring", "resolved"),
        ("investigating", "investigating"),  # another update, same status
    ],
)
def test_open_incidents_may_move_between_open_states_and_to_resolved(current, new):
    check_transition(INCIDENT, current, new)


@pytest.mark.parametrize("new", ["investigating", "identified", "monitoring"])
def test_a_resolved_incident_stays_resolved(new):
    with pytest.raises(InvalidTransition, match="open a new one"):
        check_transition(INCIDENT, "resolved", new)


def test_an_incident_cannot_take_a_maintenance_status():
    with pytest.raises(InvalidTransition, match="status must be one of"):
        check_transition(INCIDENT, "investigating", "in_progress")


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        ("scheduled", "in_progress", True),
        ("scheduled", "completed", True),
        ("in_progress", "verifying", True),
        ("verifying", "in_progress", True),
        ("verifying", "completed", True),
        ("in_progress", "scheduled", False),
        ("completed", "in_progress", False),
    ],
)
def test_maintenance_moves(current, new, allowed):
    if allowed:
        check_transition(MAINTENANCE, current, new)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(MAINTENANCE, current, new)
