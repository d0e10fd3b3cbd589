"""Loading the demo: a page a newcomer can click through and an API to try at once.

History is written through the same service verbs as live incidents, then moved back in
time: the services stamp "now", and a demo needs 90 days of the past. What the demo company
looks like (its components, customers and past incidents) is in `stories.py`.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.accounts.actor import Actor
from app.accounts.models import Role
from app.accounts.service import create_api_key, list_api_keys, revoke_api_key
from app.comms.demo import demo_sign_ins, load_comms_demo
from app.comms.maintenance.plans import COMPLETED, IN_PROGRESS, PHASES, SCHEDULED
from app.comms.maintenance.service import approve_words, schedule
from app.comms.review import publishing
from app.comms.schemas import MaintenancePlanCreate
from app.components.models import Component
from app.components.schemas import ComponentCreate
from app.components.service import create_component
from app.components.status import ComponentStatus
from app.customers.models import Customer
from app.customers.schemas import CustomerCreate
from app.customers.service import create_customer
from app.demo.stories import CUSTOMER_ONLY, CUSTOMERS, GROUPS, LOOSE, PAST, describe
from app.incidents.models import Incident
from app.incidents.schemas import AffectedComponent, IncidentCreate, UpdateCreate
from app.incidents.service import DIRECT_PUBLISH, get_incident, open_incident, post_update
from app.incidents.status import Impact, Visibility
from app.lib.clock import utcnow
from app.lib.templating import zone_label
from app.settings import Settings

HISTORY_DAYS = 120  # how long ago the demo company put its services on the page
DEMO = Actor.system("demo", name="demo", role=Role.ADMIN)
DEMO_REVIEWER = Actor.system("demo-lead", name="demo-lead", role=Role.COMMS_LEAD)
WINDOW_WORDS = {
    SCHEDULED: "We're upgrading our EU database to a newer version. Expect up to 5 minutes of "
    "read-only mode within this window; everything else keeps working.",
    IN_PROGRESS: "The EU database upgrade has started. Reads keep working; writes may pause "
    "for up to 5 minutes within the window. We'll post again when it's done.",
    COMPLETED: "The EU database upgrade is complete and everything is running normally. "
    "Thanks for bearing with us.",
}


async def load_demo(session: AsyncSession, *, settings: Settings) -> str | None:
    """Fill an empty database; returns a summary, or None when there was data already."""
    if await session.scalar(select(Component.id).limit(1)):
        return None
    rng = random.Random(20261129)
    components: dict[str, Component] = {}
    for group, names in GROUPS.items():
        for name in names:
            components[name] = await create_component(
                session,
                actor=DEMO,
                data=ComponentCreate(name=name, group=group, description=describe(name)),
            )
    for name in LOOSE:
        components[name] = await create_component(
            session, actor=DEMO, data=ComponentCreate(name=name, description=describe(name))
        )
    customers = {}
    for name, used in CUSTOMERS.items():
        customers[name] = await create_customer(
            session,
            actor=DEMO,
            data=CustomerCreate(name=name, components=[components[c].id for c in used]),
        )

    now = utcnow()
    # The company existed before its 90 days of history: pages draw a component's bars only
    # from when it was added, so the demo's are added before the oldest story.
    founded = now - timedelta(days=HISTORY_DAYS)
    for row in [*components.values(), *customers.values()]:
        row.created_at = row.updated_at = founded
    for group in {c.group for c in components.values() if c.group is not None}:
        group.created_at = group.updated_at = founded
    count = 0
    days = sorted(rng.sample(range(3, 88), len(PAST) + len(CUSTOMER_ONLY)), reverse=True)
    stories = [(None, *story) for story in PAST] + list(CUSTOMER_ONLY)
    for days_ago, story in zip(days, stories, strict=True):
        customer, title, impact, affected, updates, minutes = story
        start = (now - timedelta(days=days_ago)).replace(
            hour=rng.randint(6, 20), minute=rng.choice([3, 12, 27, 41, 52]), second=0, microsecond=0
        )
        await _past_incident(
            session,
            title=title,
            impact=impact,
            affected={components[n].id: s for n, s in affected.items()},
            updates=updates,
            start=start,
            minutes=minutes,
            zone_name=settings.time_zone,
            customer_id=customers[customer].id if customer else None,
        )
        count += 1

    # Happening now: an open incident and an upcoming maintenance. Its first words went
    # out a few minutes after it began and promised the next within 2 hours: the promise
    # on the page is that one.
    incident = await publishing.open_incident(
        session,
        actor=DEMO,
        data=IncidentCreate(
            title="Delays in webhook deliveries",
            impact=Impact.MINOR,
            visibility=Visibility.PUBLIC,
            components=[
                AffectedComponent(
                    id=components["Webhooks delivery"].id,
                    status=ComponentStatus.DEGRADED_PERFORMANCE,
                )
            ],
            body="Some webhooks are arriving a few minutes late. Nothing is lost. We're "
            "adding capacity and will update you within 2 hours.",
            publish=True,
        ),
    )
    incident.started_at = incident.created_at = now - timedelta(minutes=25)
    posted = incident.started_at + timedelta(minutes=4)
    incident.next_update_at = posted + timedelta(hours=2)
    (first,) = incident.updates
    first.created_at = first.updated_at = first.published_at = posted
    first.next_update_at = incident.next_update_at
    starts = (now + timedelta(days=3)).replace(hour=2, minute=0, second=0, microsecond=0)
    # Scheduled from the desk's own path: the words of each moment written and approved
    # in advance; the announcement goes out on approval, the others by the clock.
    plan = await schedule(
        session,
        actor=DEMO,
        data=MaintenancePlanCreate(
            title="Database upgrade in EU (Frankfurt)",
            scheduled_for=starts,
            scheduled_until=starts + timedelta(hours=2),
            components=[components["Database"].id, components["EU (Frankfurt)"].id],
            **WINDOW_WORDS,
        ),
    )
    await session.flush()
    for phase in PHASES:
        await approve_words(session, actor=DEMO_REVIEWER, incident_id=plan.incident.id, phase=phase)
    desk = await load_comms_demo(session, actor=DEMO)
    return (
        f"{len(components)} components in {len(GROUPS)} groups, {len(customers)} customers, "
        f"{count} past incidents, 1 open incident, 1 upcoming maintenance; {desk}"
    )


async def _past_incident(
    session: AsyncSession,
    *,
    title: str,
    impact: str,
    affected: dict[str, str],
    updates: list[tuple[str, str]],
    start: datetime,
    minutes: int,
    zone_name: str,
    customer_id: str | None,
) -> Incident:
    end = start + timedelta(minutes=minutes)
    customers = [customer_id] if customer_id else []
    # Times in the words are said in the page's zone, as the page around them says them.
    zone = ZoneInfo(zone_name)

    def said(at: datetime) -> str:
        return f"{at.astimezone(zone):%H:%M} {zone_label(zone, at)}"

    incident = await open_incident(
        session,
        actor=DEMO,
        data=IncidentCreate(
            title=title,
            impact=Impact(impact),
            visibility=audience.default_visibility(customers),
            components=[
                AffectedComponent(id=cid, status=ComponentStatus(s)) for cid, s in affected.items()
            ],
            customers=customers,
            started_at=start,
        ),
    )
    step = timedelta(minutes=minutes) / max(1, len(updates) - 1)
    for index, (status, body) in enumerate(updates):
        update = await post_update(
            session,
            actor=DEMO,
            incident_id=incident.id,
            data=UpdateCreate(
                status=status,
                body=body.format(start=said(start), end=said(end)),
            ),
        )
        # Past words: published as history, nobody told; their audience is recorded all
        # the same, and the audit log says nobody was notified.
        await publishing.publish_update(
            session, actor=DEMO, update=update, waiver=DIRECT_PUBLISH, notify=False
        )
        when = start + step * index + timedelta(minutes=2 if index == 0 else 0)
        update.created_at = update.updated_at = update.published_at = when
        update.next_update_at = None  # the promise publish made "now" means nothing in the past
    incident = await get_incident(session, incident.id)
    incident.started_at = start
    incident.created_at = start
    incident.updated_at = end
    incident.resolved_at = end
    if incident.identified_at:
        incident.identified_at = start + step
    if incident.monitoring_at:
        incident.monitoring_at = end - step
    incident.next_update_at = None
    await session.flush()
    return incident


DEMO_KEY = "make run"


async def welcome(session: AsyncSession, *, settings: Settings) -> str:
    """Where to look first, and a fresh admin key (keys are shown once, so each run mints one)."""
    customer = await session.scalar(select(Customer).order_by(Customer.name).limit(1))
    # One demo key at a time: the key the previous run printed stops working now, and the
    # output says so (a server still running from that run would otherwise just answer 401).
    revoked = 0
    for old in await list_api_keys(session):
        if old.name == DEMO_KEY and old.revoked_at is None:
            await revoke_api_key(session, key_id=old.id)
            revoked += 1
    _key, raw = await create_api_key(session, name=DEMO_KEY, role=Role.ADMIN)
    rows = [("Public status page", f"{settings.base_url}/")]
    if customer is not None:
        rows.append((f"{customer.name} page", f"{settings.base_url}/c/{customer.token}/"))
    rows += [
        ("API (OpenAPI)", f"{settings.base_url}/schema"),
        ("Admin API key", raw),
    ]
    # Desk users get a new password on every run: passwords are shown once, like keys.
    for name, role, password in await demo_sign_ins(session):
        rows.append(
            (f"Admin desk, {role}", f"{settings.base_url}/admin  user {name}  password {password}")
        )
    width = max(len(label) for label, _ in rows) + 2
    lines = ["", *(f"  {label + ':':<{width}}{value}" for label, value in rows)]
    if revoked:
        lines += [
            "",
            "  The admin API key and desk passwords printed by the previous run no longer work",
            "  (also for a server still running from it): use the ones above.",
        ]
    lines.append("")
    return "\n".join(lines)
