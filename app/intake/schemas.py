"""Request and response shapes of alert intake and triage."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from app.incidents.status import Visibility


class GenericAlert(msgspec.Struct, kw_only=True):
    """The small generic alert format (docs/intake.md)."""

    source: str
    dedup_key: str
    title: str | None = None
    description: str | None = None
    severity: str | None = None
    components: list[str] = []  # ids or names
    customers: list[str] = []  # ids or names
    status: Literal["firing", "resolved"] = "firing"

    def __post_init__(self) -> None:
        if not self.dedup_key.strip():
            raise ValueError("dedup_key must not be blank")
        if len(self.source) > 100:
            raise ValueError("source must be at most 100 characters")


class AlertmanagerAlert(msgspec.Struct, kw_only=True):
    status: Literal["firing", "resolved"] = "firing"
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    starts_at: str | None = msgspec.field(default=None, name="startsAt")
    ends_at: str | None = msgspec.field(default=None, name="endsAt")
    generator_url: str | None = msgspec.field(default=None, name="generatorURL")
    fingerprint: str | None = None


class AlertmanagerPayload(msgspec.Struct, kw_only=True):
    """Prometheus Alertmanager's webhook body, format version 4 (unknown keys ignored)."""

    version: str = "4"
    group_key: str = msgspec.field(default="", name="groupKey")
    truncated_alerts: int = msgspec.field(default=0, name="truncatedAlerts")
    status: Literal["firing", "resolved"]
    receiver: str = ""
    group_labels: dict[str, str] = msgspec.field(default_factory=dict, name="groupLabels")
    common_labels: dict[str, str] = msgspec.field(default_factory=dict, name="commonLabels")
    common_annotations: dict[str, str] = msgspec.field(
        default_factory=dict, name="commonAnnotations"
    )
    external_url: str | None = msgspec.field(default=None, name="externalURL")
    alerts: list[AlertmanagerAlert] = []


class IntakeRead(msgspec.Struct, kw_only=True):
    """What intake did: `opened` a triage incident, `joined` the open one with the same dedup
    key, noted that it `resolved`, or `ignored` a resolved alert with nothing open."""

    action: Literal["opened", "joined", "resolved", "ignored"]
    incident_id: str | None
    triage_state: str | None
    fire_count: int
    unmatched_components: list[str]
    unmatched_customers: list[str]


class TriageAccept(msgspec.Struct, kw_only=True):
    """Accepting a triage incident; every field may be left out."""

    visibility: Visibility | None = None  # default: customers if it names any, else public
    customers: list[str] | None = None  # replaces the named customers (ids)


class TriageDecline(msgspec.Struct, kw_only=True):
    reason: str


class AlertThreadRead(msgspec.Struct, kw_only=True):
    """One alert stream and the incident it opened, as the triage queue shows it."""

    id: str
    source: str
    dedup_key: str
    incident_id: str | None
    incident_title: str | None
    state: str
    alert_status: str
    fire_count: int
    first_fired_at: datetime
    last_fired_at: datetime
    last_resolved_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    decline_reason: str | None
    last_alert: dict[str, Any]
