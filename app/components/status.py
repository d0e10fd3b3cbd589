"""Component statuses, worst last, and how a set of them rolls up into the page's status."""

from enum import StrEnum

from app.lib.translations import N_


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
    ComponentStatus.OPERATIONAL: N_("Operational"),
    ComponentStatus.UNDER_MAINTENANCE: N_("Under maintenance"),
    ComponentStatus.DEGRADED_PERFORMANCE: N_("Degraded performance"),
    ComponentStatus.PARTIAL_OUTAGE: N_("Partial outage"),
    ComponentStatus.MAJOR_OUTAGE: N_("Major outage"),
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
            return "critical", N_("Major System Outage")
        return "major", N_("Partial System Outage")
    if status is ComponentStatus.PARTIAL_OUTAGE:
        return "minor", N_("Minor Service Outage")
    if status is ComponentStatus.DEGRADED_PERFORMANCE:
        return "minor", N_("Partially Degraded Service")
    if status is ComponentStatus.UNDER_MAINTENANCE:
        return "maintenance", N_("Service Under Maintenance")
    return "none", N_("All Systems Operational")
