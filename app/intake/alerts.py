"""Alerts from monitoring, read into one shape: pure functions a test can call.

Alertmanager's webhook (format version 4) and our small generic format both become an
`Alert`; everything after that (dedup, triage) treats them alike.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from app.components.status import ComponentStatus
from app.incidents.status import Impact
from app.intake.models import AlertStatus
from app.intake.schemas import AlertmanagerPayload, GenericAlert

TITLE_LIMIT = 300
ALERTMANAGER = "alertmanager"

# Severity words seen in the wild (Prometheus rules, PagerDuty, Sentry, Grafana) -> impact.
_IMPACT_BY_SEVERITY = {
    "critical": Impact.CRITICAL,
    "page": Impact.CRITICAL,
    "fatal": Impact.CRITICAL,
    "p1": Impact.CRITICAL,
    "sev1": Impact.CRITICAL,
    "major": Impact.MAJOR,
    "error": Impact.MAJOR,
    "high": Impact.MAJOR,
    "p2": Impact.MAJOR,
    "sev2": Impact.MAJOR,
    "warning": Impact.MINOR,
    "warn": Impact.MINOR,
    "minor": Impact.MINOR,
    "medium": Impact.MINOR,
    "p3": Impact.MINOR,
    "sev3": Impact.MINOR,
    "info": Impact.NONE,
    "low": Impact.NONE,
    "none": Impact.NONE,
    "p4": Impact.NONE,
    "p5": Impact.NONE,
}
_RANK = [Impact.NONE, Impact.MINOR, Impact.MAJOR, Impact.CRITICAL]

# What an affected component's status is during a triage incident of that impact.
_COMPONENT_STATUS = {
    Impact.CRITICAL: ComponentStatus.MAJOR_OUTAGE,
    Impact.MAJOR: ComponentStatus.PARTIAL_OUTAGE,
    Impact.MINOR: ComponentStatus.DEGRADED_PERFORMANCE,
    Impact.NONE: ComponentStatus.DEGRADED_PERFORMANCE,
}


@dataclass(frozen=True)
class Alert:
    source: str
    dedup_key: str
    status: AlertStatus
    title: str
    description: str | None = None
    severity: str | None = None
    components: list[str] = field(default_factory=list)  # ids or names
    customers: list[str] = field(default_factory=list)  # ids or names

    @property
    def impact(self) -> Impact:
        return impact_for(self.severity)

    @property
    def component_status(self) -> ComponentStatus:
        return _COMPONENT_STATUS[self.impact]

    @property
    def open_key(self) -> str:
        return open_key(self.source, self.dedup_key)

    def summary(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "severity": self.severity,
            "components": self.components,
            "customers": self.customers,
        }


def open_key(source: str, dedup_key: str) -> str:
    """A fixed-length key for the unique index (dedup keys such as Alertmanager's group
    keys can be long)."""
    return hashlib.sha256(f"{source}\0{dedup_key}".encode()).hexdigest()


def impact_for(severity: str | None) -> Impact:
    if not severity:
        return Impact.MINOR
    return _IMPACT_BY_SEVERITY.get(severity.strip().lower(), Impact.MINOR)


def _title(text: str) -> str:
    text = " ".join(text.split()) or "Alert"
    return text if len(text) <= TITLE_LIMIT else text[: TITLE_LIMIT - 1].rstrip() + "…"


def _names(value: str | None) -> list[str]:
    """A label may name several things: `component="API, Search"`."""
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def from_generic(data: GenericAlert) -> Alert:
    return Alert(
        source=data.source.strip() or "generic",
        dedup_key=data.dedup_key,
        status=AlertStatus(data.status),
        title=_title(data.title or data.dedup_key),
        description=data.description,
        severity=data.severity,
        components=_unique([c.strip() for c in data.components if c.strip()]),
        customers=_unique([c.strip() for c in data.customers if c.strip()]),
    )


def from_alertmanager(data: AlertmanagerPayload) -> Alert:
    """One notification of an Alertmanager group: the group is the unit of dedup, its
    `status` is resolved once every alert in it is."""
    alerts = data.alerts
    common_ann, common_lab = data.common_annotations, data.common_labels
    names = _unique([a.labels.get("alertname", "") for a in alerts if a.labels.get("alertname")])
    title = (
        common_ann.get("summary")
        or common_ann.get("title")
        or common_lab.get("alertname")
        or data.group_labels.get("alertname")
        or ", ".join(names)
        or "Alert"
    )
    if len(alerts) > 1 and not common_ann.get("summary"):
        title = f"{title} ({len(alerts)} alerts)"
    description = common_ann.get("description")
    if description is None:
        lines = [
            a.annotations.get("description") or a.annotations.get("summary") or "" for a in alerts
        ]
        description = "\n".join(_unique([line for line in lines if line])) or None
    severities = [a.labels.get("severity") for a in alerts if a.labels.get("severity")]
    severity = common_lab.get("severity") or max(
        severities, key=lambda s: _RANK.index(impact_for(s)), default=None
    )
    dedup = data.group_key or ",".join(f"{k}={v}" for k, v in sorted(data.group_labels.items()))
    return Alert(
        source=ALERTMANAGER,
        dedup_key=dedup or title,
        status=AlertStatus(data.status),
        title=_title(title),
        description=description,
        severity=severity,
        components=_unique([n for a in alerts for n in _names(a.labels.get("component"))]),
        customers=_unique([n for a in alerts for n in _names(a.labels.get("customer"))]),
    )
