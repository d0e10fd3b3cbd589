"""Component statuses, worst last, and how a set of them rolls up into the page's status."""

from enum import StrEnum


class ComponentStatus(StrEnum):
    OPERATIONAL = "operational"
    UNDER_MAINTENANCE = "under_maintenance"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_LABELS = {
    ComponentStatus.OPERATIONAL: "Operational",
    ComponentStatus.UNDER_MAINTENANCE: "Under maintenance",
    ComponentStatus.DEGRADED_PERFORMANCE: "Degraded performance",
    ComponentStatus.PARTIAL_OUTAGE: "Partial outage",
    ComponentStatus.MAJOR_OUTAGE: "Major outage",
}
_SEVERITY = {status: rank for rank, status in enumerate(ComponentStatus)}


def worst(statuses: list[ComponentStatus]) -> ComponentStatus:
    return max(statuses, key=lambda s: s.severity, default=ComponentStatus.OPERATIONAL)


# The page-level indicator and description Statuspage clients expect.
def page_indicator(statuses: list[ComponentStatus]) -> tuple[str, str]:
    status = worst(statuses)
    counts = {s: statuses.count(s) for s in ComponentStatus}
    if status is ComponentStatus.MAJOR_OUTAGE:
        if counts[ComponentStatus.MAJOR_OUTAGE] == len(statuses) and len(statuses) > 1:
            return "critical", "Major System Outage"
        return "major", "Partial System Outage"
    if status is ComponentStatus.PARTIAL_OUTAGE:
        return "minor", "Minor Service Outage"
    if status is ComponentStatus.DEGRADED_PERFORMANCE:
        return "minor", "Partially Degraded Service"
    if status is ComponentStatus.UNDER_MAINTENANCE:
        return "maintenance", "Service Under Maintenance"
    return "none", "All Systems Operational"
