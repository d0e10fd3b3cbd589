"""The shapes of Statuspage's JSON (the public v2 API and the Manage API v1) as checks a test
can call.

Field sets are those Statuspage documents; enum values are the only ones the format defines. A check
fails on a missing field, a value outside its enum, or a timestamp not in UTC ms `Z` form.
"""

from __future__ import annotations

import re
from typing import Any

ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

PAGE = {"id", "name", "url", "time_zone", "updated_at"}
STATUS = {"indicator", "description"}
COMPONENT = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "position",
    "description",
    "showcase",
    "start_date",
    "group_id",
    "page_id",
    "group",
    "only_show_if_degraded",
}
INCIDENT = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "monitoring_at",
    "resolved_at",
    "impact",
    "shortlink",
    "started_at",
    "page_id",
    "incident_updates",
    "components",
    "reminder_intervals",
}
MAINTENANCE = INCIDENT | {"scheduled_for", "scheduled_until"}
UPDATE = {
    "id",
    "incident_id",
    "body",
    "status",
    "created_at",
    "updated_at",
    "display_at",
    "affected_components",
    "deliver_notifications",
    "custom_tweet",
    "tweet_id",
}
AFFECTED = {"code", "name", "old_status", "new_status"}

# Manage API v1 (§2.4, §2.5): the fields of the generated client's models.
MANAGE_INCIDENT = {
    "id",
    "components",
    "created_at",
    "impact",
    "impact_override",
    "incident_updates",
    "metadata",
    "monitoring_at",
    "name",
    "page_id",
    "postmortem_body",
    "postmortem_body_last_updated_at",
    "postmortem_ignored",
    "postmortem_notified_subscribers",
    "postmortem_notified_twitter",
    "postmortem_published_at",
    "resolved_at",
    "scheduled_auto_completed",
    "scheduled_auto_in_progress",
    "scheduled_for",
    "auto_transition_deliver_notifications_at_end",
    "auto_transition_deliver_notifications_at_start",
    "auto_transition_to_maintenance_state",
    "auto_transition_to_operational_state",
    "scheduled_remind_prior",
    "scheduled_reminded_at",
    "scheduled_until",
    "shortlink",
    "status",
    "updated_at",
    "started_at",
    "backfilled",
}
MANAGE_UPDATE = {
    "id",
    "incident_id",
    "affected_components",
    "body",
    "created_at",
    "custom_tweet",
    "deliver_notifications",
    "display_at",
    "status",
    "tweet_id",
    "twitter_updated_at",
    "updated_at",
    "wants_twitter_update",
}
MANAGE_COMPONENT = {
    "id",
    "page_id",
    "group_id",
    "created_at",
    "updated_at",
    "group",
    "name",
    "description",
    "position",
    "status",
    "showcase",
    "only_show_if_degraded",
    "automation_email",
    "start_date",
}

INDICATORS = {"none", "minor", "major", "critical", "maintenance"}
COMPONENT_STATUSES = {
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
}
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved", "postmortem"}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}
IMPACTS = {"none", "maintenance", "minor", "major", "critical"}


def _has(obj: dict[str, Any], fields: set[str], what: str) -> None:
    missing = fields - set(obj)
    assert not missing, f"{what} lacks {sorted(missing)}: {obj}"


def _stamp(value: Any, *, nullable: bool = False) -> None:
    if value is None and nullable:
        return
    assert isinstance(value, str) and ISO_MS_Z.match(value), f"not UTC ms Z: {value!r}"


def check_page(page: dict[str, Any]) -> None:
    assert set(page) == PAGE, page
    _stamp(page["updated_at"])
    assert re.fullmatch(r"[a-z0-9]{12}", page["id"])


def check_status(status: dict[str, Any]) -> None:
    assert set(status) == STATUS
    assert status["indicator"] in INDICATORS


def check_component(c: dict[str, Any], fields: set[str] = COMPONENT) -> None:
    _has(c, fields, "component")
    assert c["status"] in COMPONENT_STATUSES, c["status"]
    _stamp(c["created_at"])
    _stamp(c["updated_at"])
    assert isinstance(c["group"], bool)
    if c["group"]:
        assert isinstance(c.get("components"), list), "a group lists its children's ids"
    else:
        assert "components" not in c


def check_components(components: list[dict[str, Any]]) -> None:
    """Each group comes with its children, and each child names its group."""
    by_id = {c["id"]: c for c in components}
    for c in components:
        check_component(c)
        if c["group"]:
            for child in c["components"]:
                assert by_id[child]["group_id"] == c["id"]
        elif c["group_id"] is not None:
            assert by_id[c["group_id"]]["group"] is True


def check_update(u: dict[str, Any], statuses: set[str], fields: set[str] = UPDATE) -> None:
    _has(u, fields, "incident_update")
    assert u["status"] in statuses, u["status"]
    for key in ("created_at", "updated_at", "display_at"):
        _stamp(u[key])
    assert isinstance(u["deliver_notifications"], bool)
    for affected in u["affected_components"] or []:
        assert set(affected) == AFFECTED, affected
        assert affected["old_status"] in COMPONENT_STATUSES
        assert affected["new_status"] in COMPONENT_STATUSES


def check_incident(
    i: dict[str, Any], *, maintenance: bool = False, fields: set[str] | None = None
) -> None:
    statuses = MAINTENANCE_STATUSES if maintenance else INCIDENT_STATUSES
    _has(i, fields or (MAINTENANCE if maintenance else INCIDENT), "incident")
    assert i["status"] in statuses, i["status"]
    assert i["impact"] in IMPACTS, i["impact"]
    for key in ("created_at", "updated_at", "started_at"):
        _stamp(i[key])
    for key in ("monitoring_at", "resolved_at"):
        _stamp(i[key], nullable=True)
    if maintenance:
        _stamp(i["scheduled_for"])
        _stamp(i["scheduled_until"])
    assert i["shortlink"].startswith("http")
    stamps = [u["display_at"] for u in i["incident_updates"]]
    assert stamps == sorted(stamps, reverse=True), "updates newest first"
    for u in i["incident_updates"]:
        check_update(u, statuses)
        assert u["incident_id"] == i["id"]
    for c in i["components"]:
        check_component(c)
