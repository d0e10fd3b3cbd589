"""The one visibility rule (DESIGN.md invariant 1).

Who may see an incident or an update: the public, one customer, or nobody outside the team.
Pages, feeds, JSON and the subscriber fan-out all ask this module; nothing else filters by
visibility. An incident that affects only customer A never reaches the public, customer B,
or B's subscribers.

A customer is affected by an incident when the incident names it, or when it uses one of
the incident's components. The pure functions below decide for objects already in memory;
`affected_customers_select` states the same rule in SQL for set-based work (fan-out).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, union

from app.customers.models import customer_components
from app.incidents.models import Incident, IncidentComponent, IncidentCustomer, Update
from app.incidents.status import UpdateState, Visibility


@dataclass(frozen=True)
class Audience:
    """A reader outside the team: the public (customer_id None) or one customer."""

    customer_id: str | None = None

    @property
    def is_public(self) -> bool:
        return self.customer_id is None


PUBLIC = Audience()


def for_customer(customer_id: str) -> Audience:
    return Audience(customer_id=customer_id)


def affected_customer_ids(
    incident: Incident, components_by_customer: Mapping[str, Iterable[str]]
) -> set[str]:
    """Customers named by the incident plus those using any component it affects."""
    affected = set(incident.customer_ids)
    incident_components = set(incident.component_ids)
    for customer_id, used in components_by_customer.items():
        if incident_components.intersection(used):
            affected.add(customer_id)
    return affected


def may_see_incident(
    audience: Audience, *, visibility: str, affected: set[str], declined: bool = False
) -> bool:
    # A triage incident declined as noise never happened for anyone outside the team: no
    # page, feed, JSON, history or uptime bar shows or counts it, whatever its visibility.
    if declined:
        return False
    if visibility == Visibility.PUBLIC:
        return True
    if visibility == Visibility.CUSTOMERS:
        return audience.customer_id is not None and audience.customer_id in affected
    return False


def may_see_update(audience: Audience, update: Update) -> bool:
    """Given that the audience may see the update's incident, may it see this entry?

    Only published words leave the team, and a customer's own wording is for that customer.
    """
    if update.state != UpdateState.PUBLISHED or update.published_at is None:
        return False
    return update.customer_id is None or update.customer_id == audience.customer_id


def visible_updates(audience: Audience, updates: Iterable[Update]) -> list[Update]:
    return [update for update in updates if may_see_update(audience, update)]


def affected_customers_select(incident_id: str) -> Select[tuple[str]]:
    """SQL for `affected_customer_ids` of one incident: explicit links and component users."""
    named = select(IncidentCustomer.customer_id.label("customer_id")).where(
        IncidentCustomer.incident_id == incident_id
    )
    derived = (
        select(customer_components.c.customer_id.label("customer_id"))
        .join(
            IncidentComponent,
            IncidentComponent.component_id == customer_components.c.component_id,
        )
        .where(IncidentComponent.incident_id == incident_id)
    )
    both = union(named, derived).subquery()
    return select(both.c.customer_id)


def recipient_customer_scope(
    *, visibility: str, update_customer_id: str | None
) -> tuple[bool, bool]:
    """Which subscribers an outward update may reach, as (public ones, affected customers').

    A public incident reaches public subscribers and affected customers' contacts; a
    customers-only incident reaches only affected customers' contacts; an internal one
    reaches nobody. A customer's own wording reaches only that customer (the caller narrows
    the affected set to `update_customer_id`).
    """
    if visibility == Visibility.INTERNAL:
        return False, False
    if update_customer_id is not None:
        return False, True
    return visibility == Visibility.PUBLIC, True


def recipients_where(
    subscriber_customer: ColumnElement[str | None],
    *,
    incident_id: str,
    visibility: str,
    update_customer_id: str | None,
) -> ColumnElement[bool]:
    """SQL condition on a subscriber's customer column: may this update reach it?

    Public subscribers (customer NULL) for public incidents; contacts of the affected
    customers (narrowed to `update_customer_id` for a customer's own wording); nobody else.
    """
    public_ok, customers_ok = recipient_customer_scope(
        visibility=visibility, update_customer_id=update_customer_id
    )
    conditions: list[ColumnElement[bool]] = []
    if public_ok:
        conditions.append(subscriber_customer.is_(None))
    if customers_ok:
        affected = subscriber_customer.in_(affected_customers_select(incident_id))
        if update_customer_id is not None:
            affected = and_(affected, subscriber_customer == update_customer_id)
        conditions.append(affected)
    return or_(*conditions) if conditions else false()


def may_see_component_status(audience: Audience) -> bool:
    """A component's own status is on every page (public and customer): every audience."""
    return True
