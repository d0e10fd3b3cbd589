"""What an incident links to: the components it affects (with their status during it) and
the customers it names."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.components.service import get_components
from app.components.status import ComponentStatus
from app.customers.service import check_customer_ids
from app.incidents.models import Incident, IncidentComponent, IncidentCustomer, Update
from app.incidents.schemas import AffectedComponent
from app.lib.errors import InvalidInput


async def set_components(
    session: AsyncSession, incident: Incident, affected: list[AffectedComponent]
) -> None:
    """Link exactly these components, each at its status (a 422 names an unknown one)."""
    ids = [a.id for a in affected]
    if len(set(ids)) != len(ids):
        raise InvalidInput("components: each component may be listed once", field="components")
    await get_components(session, ids, field="components")
    statuses = {a.id: a.status.value for a in affected}
    kept = []
    for link in incident.components:
        if link.component_id in statuses:
            link.status = statuses.pop(link.component_id)
            kept.append(link)
    incident.components = kept + [
        IncidentComponent(component_id=cid, status=status) for cid, status in statuses.items()
    ]


async def set_customers(session: AsyncSession, incident: Incident, ids: list[str]) -> None:
    """Name exactly these customers as affected (a 422 names an unknown one)."""
    ids = await check_customer_ids(session, ids, field="customers")
    incident.customer_links = [IncidentCustomer(customer_id=cid) for cid in ids]


def statuses(incident: Incident) -> dict[str, str]:
    """Component id -> its status during the incident."""
    return {link.component_id: link.status for link in incident.components}


def planned(incident: Incident, update: Update) -> list[AffectedComponent] | None:
    """The incident's components once `update`'s planned statuses apply; None if it plans none."""
    wanted = {p["code"]: p["new_status"] for p in update.affected_components or []}
    if not wanted:
        return None
    merged = {**statuses(incident), **wanted}
    return [AffectedComponent(id=cid, status=ComponentStatus(s)) for cid, s in merged.items()]


def component_record(incident: Incident, before: dict[str, str]) -> list[dict[str, Any]]:
    """Every linked component's status before and after, as Statuspage clients read an
    update's `affected_components`."""
    return [
        {
            "code": link.component_id,
            "name": link.component.name,
            "old_status": before.get(link.component_id, ComponentStatus.OPERATIONAL.value),
            "new_status": link.status,
        }
        for link in incident.components
    ]
