"""Who an incident and its words reach, by name: the audience rule (`app.audience`) asked
with what the database holds, for the API's answers, the declare form and the queue card."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.customers.models import Customer
from app.customers.service import components_by_customer
from app.incidents.models import Incident, IncidentComponent, IncidentCustomer, Update


async def affected_customers(
    session: AsyncSession, incident_ids: Collection[str]
) -> dict[str, list[Customer]]:
    """Incident id -> the customers it affects, by name."""
    if not incident_ids:
        return {}
    pairs = audience.affected_pairs_select(list(incident_ids)).subquery()
    rows = await session.execute(
        select(pairs.c.incident_id, Customer)
        .join(Customer, Customer.id == pairs.c.customer_id)
        .order_by(Customer.name)
    )
    found: dict[str, list[Customer]] = {}
    for incident_id, customer in rows.all():
        found.setdefault(incident_id, []).append(customer)
    return found


async def declared_audience(
    session: AsyncSession, *, visibility: str, named: Collection[str], components: Collection[str]
) -> tuple[list[str], dict[str, list[str]]]:
    """For the declare form: the customers an incident declared so would affect, by name
    (none when it is internal), and each component's users by name (what the form shows)."""
    usage = await components_by_customer(session)
    declared = Incident(
        visibility=visibility,
        customer_links=[IncidentCustomer(customer_id=c) for c in named],
        components=[IncidentComponent(component_id=c) for c in components],
    )
    ids = set(usage) | set(named)
    names = await names_of(session, sorted(ids))
    affected = audience.affected_customer_ids(declared, usage)
    readers = audience.readers(visibility=visibility, affected=affected, update_customer_id=None)
    reached = sorted(names[r.customer_id] for r in readers if r.customer_id in names)
    users: dict[str, list[str]] = {}
    for customer_id, used in usage.items():
        for component_id in used:
            users.setdefault(component_id, []).append(names[customer_id])
    return reached, {c: sorted(n) for c, n in users.items()}


async def record_audience(session: AsyncSession, incident: Incident, update: Update) -> None:
    """Record with words being published the customers they are published for (the
    incident's customers now, with the components the words just added)."""
    affected = set((await session.scalars(audience.affected_customers_select(incident.id))).all())
    update.audience_customer_ids = audience.published_for(
        visibility=incident.visibility, affected=affected, update_customer_id=update.customer_id
    )


async def on_publishing(
    session: AsyncSession, incident: Incident, draft: Update
) -> tuple[list[str], list[str]]:
    """Who the draft would be published for if approved now, and who of them joins the
    incident with it (read none of its earlier published words), as customer names."""
    adding = [p["code"] for p in draft.affected_components or []]
    affected = audience.affected_customer_ids(
        incident, await components_by_customer(session), adding
    )
    ids = audience.published_for(
        visibility=incident.visibility, affected=affected, update_customer_id=draft.customer_id
    )
    if ids is None:  # words to everyone: the public, and each customer it affects
        ids = sorted(affected) if draft.customer_id is None else [draft.customer_id]
    earlier = [u for u in incident.updates if u.id != draft.id]
    names = await names_of(session, ids)
    joins = audience.joining(ids, earlier)
    return sorted(names.values()), sorted(names[c] for c in joins if c in names)


async def names_of(session: AsyncSession, ids: Sequence[str]) -> dict[str, str]:
    """Customer id -> name, for those of `ids` that still exist."""
    if not ids:
        return {}
    rows = await session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids)))
    return {customer_id: name for customer_id, name in rows.all()}
