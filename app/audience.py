"""The one audience rule: who outside the team may read what, and who receives what.

Every outside surface asks this module: pages, feeds, JSON, the static copy, the reviewer's
preview, the subscriber fan-out and the worker (again, just before each send). Nothing else
compares visibility or audience values. An incident that affects only customer A never
reaches the public, customer B, or B's subscribers.

The vocabulary:
- an incident's `Visibility` (public, customers, internal) says who may see it at all;
- a `Reach` says who one piece of text reaches: everyone, the affected customers, one
  customer (its own wording), or nobody outside the team;
- an `Audience` is one reader outside the team: the public or one customer.

An incident's customers are those it names; an incident that names none has as its
customers those using one of its components. When words are published, the customers they
were published for are recorded with them (`Update.audience_customer_ids`; None for words
to everyone): those words reach, then and later, only readers who are in that set and may
still see the incident, so a customer added afterwards never reads customers-only words
published before. The plain functions decide for objects already in memory; the `*_where`
and `*_select` functions state the same rules in SQL for set-based work. Anything this
module does not recognise reaches nobody: the rule fails closed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, union

from app.customers.models import customer_components
from app.incidents.models import Incident, IncidentComponent, IncidentCustomer, Update
from app.incidents.status import UpdateState, Visibility
from app.incidents.status import default_visibility as default_visibility  # stated here too
from app.lib.errors import InvalidInput


class Reach(StrEnum):
    """Who one piece of text reaches outside the team (the values are the API's words)."""

    EVERYONE = "public"  # the public, and every affected customer on its own page
    AFFECTED = "affected"  # only the customers the incident affects
    CUSTOMER = "customer"  # one customer's own wording: that customer only
    NOBODY = "internal"  # nobody outside the team


@dataclass(frozen=True)
class Audience:
    """A reader outside the team: the public (customer_id None) or one customer."""

    customer_id: str | None = None


PUBLIC = Audience()


def for_customer(customer_id: str) -> Audience:
    return Audience(customer_id=customer_id)


def reader(customer_id: str | None) -> Audience:
    """The reader behind a customer link: that customer, or the public when there is none."""
    return PUBLIC if customer_id is None else Audience(customer_id=customer_id)


# ---------------------------------------------------------------- reach


def reach_of(visibility: str, *, customer_id: str | None = None) -> Reach:
    """Who words on an incident with this visibility reach; `customer_id` marks one
    customer's own wording (which reaches nobody while the incident is internal)."""
    if visibility == Visibility.PUBLIC:
        return Reach.CUSTOMER if customer_id is not None else Reach.EVERYONE
    if visibility == Visibility.CUSTOMERS:
        return Reach.CUSTOMER if customer_id is not None else Reach.AFFECTED
    return Reach.NOBODY


def reaches_everyone(visibility: str) -> bool:
    """Do words on an incident with this visibility reach the public?"""
    return reach_of(visibility) is Reach.EVERYONE


def reaches_customers(visibility: str) -> bool:
    """Do words on an incident with this visibility reach anyone outside the team?"""
    return reach_of(visibility) is not Reach.NOBODY


def check_someone_affected(
    visibility: str, *, components: Collection[object], customers: Collection[object]
) -> None:
    """An incident for its affected customers that names no component and no customer
    reaches nobody: refuse it (422) rather than open words no reader will see."""
    if reach_of(visibility) is Reach.AFFECTED and not components and not customers:
        raise InvalidInput(
            "an incident for affected customers needs components or customers, or it reaches "
            "nobody",
            field="components",
        )


_REACH_WORDS = {
    Reach.EVERYONE: "everyone",
    Reach.AFFECTED: "its affected customers",
    Reach.NOBODY: "nobody outside the team",
}


def check_requested_reach(*, visibility: str, wanted: str | None, customer_id: str | None) -> Reach:
    """The reach a writer asked for (`wanted`), or a 422 saying why the incident cannot give it.

    Words without a customer reach whoever may see the incident: everyone for a public
    incident, the affected customers for a customers-only one. Words for one customer name it.
    """
    if wanted is None:
        return reach_of(visibility, customer_id=customer_id)
    if wanted not in (Reach.EVERYONE, Reach.AFFECTED, Reach.CUSTOMER):
        raise InvalidInput("audience must be public, affected or customer", field="audience")
    asked = Reach(wanted)
    if asked is Reach.CUSTOMER:
        if not customer_id:
            raise InvalidInput("name the customer for a customer's own wording", field="customer")
        return asked
    if customer_id:
        raise InvalidInput(f"a {wanted} draft names no customer", field="customer")
    given = reach_of(visibility)
    if asked is not given:
        raise InvalidInput(
            f"this incident is visible to {visibility}, so its updates reach "
            f"{_REACH_WORDS[given]}; change the incident's visibility or write one customer's "
            "wording",
            field="audience",
        )
    return asked


def label(reach: Reach, *, customer_name: str | None = None) -> str:
    """Who the words reach, as a reviewer reads it before approving them."""
    if reach is Reach.EVERYONE:
        return "public (and every affected customer's page)"
    if reach is Reach.AFFECTED:
        return "all affected customers"
    if reach is Reach.CUSTOMER:
        return f"only {customer_name}"
    return "nobody outside the team (internal incident)"


# ---------------------------------------------------------------- who is affected


def affected_customer_ids(
    incident: Incident,
    components_by_customer: Mapping[str, Iterable[str]],
    adding: Iterable[str] = (),
) -> set[str]:
    """The incident's customers: those it names, else those using any of its components
    (with the components `adding` names, as words about to be published add them)."""
    if incident.customer_ids:
        return set(incident.customer_ids)
    wanted = {*incident.component_ids, *adding}
    return {c for c, used in components_by_customer.items() if wanted.intersection(used)}


def affected_customers_select(incident_id: str) -> Select[tuple[str]]:
    """SQL for `affected_customer_ids` of one incident."""
    pairs = affected_pairs_select([incident_id]).subquery()
    return select(pairs.c.customer_id)


def affected_pairs_select(incident_ids: Collection[str]) -> Select[tuple[str, str]]:
    """SQL for `affected_customer_ids` of several incidents: (incident id, customer id)."""
    named = select(
        IncidentCustomer.incident_id.label("incident_id"),
        IncidentCustomer.customer_id.label("customer_id"),
    ).where(IncidentCustomer.incident_id.in_(incident_ids))
    names_any = exists().where(IncidentCustomer.incident_id == IncidentComponent.incident_id)
    derived = (
        select(
            IncidentComponent.incident_id.label("incident_id"),
            customer_components.c.customer_id.label("customer_id"),
        )
        .join(
            customer_components,
            IncidentComponent.component_id == customer_components.c.component_id,
        )
        .where(IncidentComponent.incident_id.in_(incident_ids), ~names_any)
    )
    both = union(named, derived).subquery()
    return select(both.c.incident_id, both.c.customer_id)


def published_for(
    *, visibility: str, affected: Collection[str], update_customer_id: str | None
) -> list[str] | None:
    """The customers words published now are for, to record with them: None for words to
    everyone (public words stay public), else the customers who may read them now."""
    if reach_of(visibility, customer_id=update_customer_id) is Reach.EVERYONE:
        return None
    found = readers(visibility=visibility, affected=affected, update_customer_id=update_customer_id)
    return sorted(r.customer_id for r in found if r.customer_id is not None)


def joining(audience: Collection[str], earlier: Iterable[Update]) -> list[str]:
    """Customers of `audience` who read none of the incident's `earlier` published words:
    they join the incident with the words about to be published (none for its first words)."""
    published = [u for u in earlier if u.state == UpdateState.PUBLISHED and u.published_at]
    if not published:
        return []
    return sorted(
        c for c in audience if not any(may_see_update(for_customer(c), u) for u in published)
    )


# ---------------------------------------------------------------- who may see what


def may_see_incident(
    audience: Audience, *, visibility: str, affected: Collection[str], declined: bool = False
) -> bool:
    # A triage incident declined as noise never happened for anyone outside the team: no
    # page, feed, JSON, history or uptime bar shows or counts it, whatever its visibility.
    if declined:
        return False
    reach = reach_of(visibility)
    if reach is Reach.EVERYONE:
        return True
    if reach is Reach.AFFECTED:
        return audience.customer_id is not None and audience.customer_id in affected
    return False


def may_see_update(audience: Audience, update: Update) -> bool:
    """Given that the audience may see the update's incident, may it see this entry?

    Only published words leave the team, a customer's own wording is for that customer, and
    words published for some customers only (recorded with them) are for those customers.
    """
    if update.state != UpdateState.PUBLISHED or update.published_at is None:
        return False
    if update.customer_id is not None and update.customer_id != audience.customer_id:
        return False
    recorded = update.audience_customer_ids
    return recorded is None or audience.customer_id in recorded


def visible_updates(audience: Audience, updates: Iterable[Update]) -> list[Update]:
    return [update for update in updates if may_see_update(audience, update)]


def shown_updates(
    audience: Audience, incident: Incident, *, affected: Collection[str]
) -> list[Update]:
    """The incident's entries this audience may read; empty when it may not see the incident.

    An incident with no published words for this audience is not shown at all: its title
    and components are the team's until someone approves what to say.
    """
    if not may_see_incident(
        audience,
        visibility=incident.visibility,
        affected=affected,
        declined=incident.declined_at is not None,
    ):
        return []
    return visible_updates(audience, incident.updates)


def readers(
    *, visibility: str, affected: Collection[str], update_customer_id: str | None
) -> list[Audience]:
    """Every reader an update reaches: the public first, then each affected customer (or
    only the customer of a customer's own wording)."""
    if update_customer_id is not None:
        candidates = [for_customer(update_customer_id)]
    else:
        candidates = [PUBLIC, *(for_customer(c) for c in sorted(affected))]
    return [r for r in candidates if may_see_incident(r, visibility=visibility, affected=affected)]


def may_see_component_status(audience: Audience) -> bool:
    """A component's own status is on every page (public and customer): every audience."""
    return True


# ---------------------------------------------------------------- who receives what


class Recipient(Protocol):
    """A subscriber as this rule reads it (`app.subscribers.models.Subscriber`; not imported
    here, since the subscribers package asks this module)."""

    @property
    def customer_id(self) -> str | None: ...
    @property
    def confirmed_at(self) -> datetime | None: ...
    @property
    def unsubscribed_at(self) -> datetime | None: ...
    @property
    def disabled_at(self) -> datetime | None: ...
    @property
    def quarantined_at(self) -> datetime | None: ...
    @property
    def state(self) -> str: ...


def is_receiving(subscriber: Recipient) -> bool:
    """Confirmed, still subscribed, not disabled, not quarantined (after bounces, a
    complaint or a failing webhook): the only subscribers anything reaches."""
    return (
        subscriber.confirmed_at is not None
        and subscriber.unsubscribed_at is None
        and subscriber.disabled_at is None
        and subscriber.quarantined_at is None
    )


def receiving_where(subscribers: Any) -> ColumnElement[bool]:
    """`is_receiving` in SQL, on the subscribers' mapped class."""
    return (
        subscribers.confirmed_at.is_not(None)
        & subscribers.unsubscribed_at.is_(None)
        & subscribers.disabled_at.is_(None)
        & subscribers.quarantined_at.is_(None)
    )


def reader_is(
    customer_column: ColumnElement[str | None], customer_id: str | None
) -> ColumnElement[bool]:
    """SQL: the row (a subscriber, say) reads as this reader: that customer, or the public."""
    if customer_id is None:
        return customer_column.is_(None)
    return customer_column == customer_id


def update_recipients_where(
    subscribers: Any, *, incident: Incident, update: Update
) -> ColumnElement[bool]:
    """SQL condition on subscribers (their mapped class): the receiving ones this published
    update may reach. Public subscribers (no customer) for words to everyone; contacts of
    the customers the words were published for (recorded with them; the incident's customers
    for words to everyone), narrowed to one customer for its own wording; nobody else."""
    reach = reach_of(incident.visibility, customer_id=update.customer_id)
    customer = subscribers.customer_id
    reached: list[ColumnElement[bool]] = []
    if reach is Reach.EVERYONE:
        reached.append(customer.is_(None))
    if reach is not Reach.NOBODY:
        recorded = update.audience_customer_ids
        affected = customer.in_(
            affected_customers_select(incident.id) if recorded is None else recorded
        )
        if update.customer_id is not None:
            affected = and_(affected, customer == update.customer_id)
        reached.append(affected)
    return receiving_where(subscribers) & (or_(*reached) if reached else false())


def component_change_recipients_where(subscribers: Any) -> ColumnElement[bool]:
    """SQL condition on subscribers: the receiving ones that may hear of a status change."""
    if not may_see_component_status(PUBLIC):
        return false()
    return receiving_where(subscribers)


def why_not_send(
    subscriber: Recipient, update: Update, incident: Incident, *, affected: Collection[str]
) -> str | None:
    """None when this update may still go to this subscriber, else why not (for the team).

    The fan-out decided who receives an update when it was published; the worker asks again
    just before sending, because since then the incident may have turned internal, its
    customers may have changed, or the subscriber may have left or moved to another customer.
    """
    if not is_receiving(subscriber):
        return f"not sent: the subscriber is {subscriber.state}"
    if update.state != UpdateState.PUBLISHED:
        return "not sent: the update is no longer published"
    if incident.declined_at is not None:
        return "not sent: the incident was declined as noise"
    who = reader(subscriber.customer_id)
    if not may_see_incident(who, visibility=incident.visibility, affected=affected):
        reach = reach_of(incident.visibility)
        if reach is Reach.NOBODY:
            return "not sent: the incident is internal now, nobody outside the team may read it"
        if who.customer_id is None:
            return "not sent: the incident is for its affected customers only now"
        return "not sent: this subscriber's customer is no longer affected by the incident"
    if not may_see_update(who, update):
        if update.customer_id is not None:
            return "not sent: the words are for another customer"
        return "not sent: the words were published for other customers"
    return None
