"""Realistic demo data: a page a newcomer can click through and an API to try at once.

History is written through the same service verbs as live incidents, then moved back in
time: the services stamp "now", and a demo needs 90 days of the past.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.accounts.models import Role
from app.accounts.service import create_api_key, list_api_keys, revoke_api_key
from app.comms.demo import demo_sign_ins, load_comms_demo
from app.components.models import Component
from app.components.schemas import ComponentCreate
from app.components.service import create_component
from app.components.status import ComponentStatus
from app.customers.models import Customer
from app.customers.schemas import CustomerCreate
from app.customers.service import create_customer
from app.incidents.models import Incident
from app.incidents.schemas import AffectedComponent, IncidentCreate, MaintenanceCreate, UpdateCreate
from app.incidents.service import get_incident, open_incident, post_update, schedule_maintenance
from app.incidents.status import Impact, Visibility
from app.lib.clock import utcnow
from app.settings import Settings

DEMO = Actor(name="demo", role=Role.ADMIN)

GROUPS = {
    "Core platform": ["API", "Web dashboard", "Authentication", "Webhooks delivery"],
    "Data": ["Database", "Search", "File storage", "Reporting"],
    "Regions": ["EU (Frankfurt)", "US East (Virginia)", "Asia Pacific (Singapore)"],
}
LOOSE = ["Billing"]

CUSTOMERS = {
    "Acme Logistics": ["API", "Webhooks delivery", "Database", "EU (Frankfurt)"],
    "Northwind Health": ["Web dashboard", "Authentication", "File storage", "US East (Virginia)"],
    "Globex Retail": ["API", "Search", "Reporting", "Asia Pacific (Singapore)"],
}

# (title, impact, components with status, [(status, body)], duration in minutes)
PAST = [
    (
        "Elevated API error rates",
        "major",
        {"API": "partial_outage"},
        [
            (
                "investigating",
                "We're seeing a higher rate of errors on API requests, starting at "
                "around {start}. Some requests fail with a 502. We're investigating and will "
                "update you within 30 minutes.",
            ),
            (
                "identified",
                "We found the cause: a configuration change to our load balancers sent "
                "part of the traffic to servers that were being retired. We're rolling it "
                "back now.",
            ),
            (
                "monitoring",
                "The rollback is complete and error rates are back to normal. We're "
                "watching closely to make sure it stays that way.",
            ),
            (
                "resolved",
                "This is resolved. Between {start} and {end}, about 4% of API requests "
                "failed. We're sorry for the disruption; we've added a check so this change can't "
                "reach production without a canary step again.",
            ),
        ],
        74,
    ),
    (
        "Slow search results",
        "minor",
        {"Search": "degraded_performance"},
        [
            (
                "investigating",
                "Search is slower than usual: results can take several seconds. "
                "Nothing is lost. We're looking into it and will update you within 2 hours.",
            ),
            (
                "resolved",
                "Search is fast again. A re-indexing job ran at the wrong time of day and "
                "competed with searches; we've moved it to the night.",
            ),
        ],
        48,
    ),
    (
        "Sign-in failures for some users",
        "major",
        {"Authentication": "major_outage"},
        [
            (
                "investigating",
                "Some people can't sign in and see an error page. We're sorry, and "
                "we're on it. Next update within 30 minutes.",
            ),
            (
                "identified",
                "An expired certificate at our identity provider caused the failures. "
                "We're installing a new one.",
            ),
            (
                "resolved",
                "Everyone can sign in again. Sessions that were already open were not "
                "affected. We now monitor certificate expiry dates with 30 days of warning.",
            ),
        ],
        39,
    ),
    (
        "Delayed webhooks",
        "minor",
        {"Webhooks delivery": "degraded_performance"},
        [
            (
                "investigating",
                "Webhooks are arriving up to 10 minutes late. None are lost: every "
                "event will be delivered. We'll update you within 2 hours.",
            ),
            (
                "monitoring",
                "We added capacity and the backlog is draining. Webhooks are now "
                "arriving within seconds.",
            ),
            ("resolved", "All delayed webhooks have been delivered and delivery times are normal."),
        ],
        95,
    ),
    (
        "Reports not generating",
        "minor",
        {"Reporting": "partial_outage"},
        [
            (
                "investigating",
                "Scheduled reports are not being generated. You can still run "
                "reports by hand. We're investigating; next update within 2 hours.",
            ),
            (
                "resolved",
                "Scheduled reports run again, and the ones that were missed have been "
                "generated and sent.",
            ),
        ],
        130,
    ),
    (
        "File uploads failing in US East",
        "major",
        {"File storage": "partial_outage", "US East (Virginia)": "partial_outage"},
        [
            (
                "investigating",
                "Uploads of files larger than 10 MB fail for customers in US East. "
                "Downloads work. We're sorry; next update within 30 minutes.",
            ),
            ("identified", "A storage node ran out of disk space. We're moving data off it."),
            ("resolved", "Uploads work again. We've added disk space alerts with more headroom."),
        ],
        61,
    ),
    (
        "Dashboard not loading for some users",
        "minor",
        {"Web dashboard": "degraded_performance"},
        [
            (
                "investigating",
                "The dashboard loads slowly or not at all for some people. The API "
                "is not affected. Next update within 2 hours.",
            ),
            (
                "resolved",
                "A faulty release of our front-end was rolled back; the dashboard loads "
                "normally again.",
            ),
        ],
        35,
    ),
    (
        "Database failover in EU",
        "critical",
        {"Database": "major_outage", "EU (Frankfurt)": "major_outage"},
        [
            (
                "investigating",
                "Our primary database in Frankfurt stopped answering and we are "
                "failing over to the standby. Requests in the EU are failing. We're very sorry; "
                "next update within 15 minutes.",
            ),
            (
                "monitoring",
                "The standby has taken over and requests succeed again. We're checking "
                "that no writes were lost.",
            ),
            (
                "resolved",
                "Service in the EU was down for 18 minutes. We have confirmed that no "
                "data was lost. We'll publish a full review within a week.",
            ),
        ],
        18,
    ),
]

CUSTOMER_ONLY = [
    (
        "Acme Logistics",
        "Webhook deliveries to your endpoint failing",
        "minor",
        {"Webhooks delivery": "partial_outage"},
        [
            (
                "investigating",
                "Webhooks to your endpoint have been failing since {start} because "
                "of a TLS handshake error on our side. We're holding them and will retry them all.",
            ),
            (
                "resolved",
                "We fixed the TLS configuration and every held webhook has been delivered "
                "in order.",
            ),
        ],
        55,
    ),
    (
        "Northwind Health",
        "Slow document previews for your account",
        "minor",
        {"File storage": "degraded_performance"},
        [
            (
                "investigating",
                "Previews of uploaded documents take up to a minute for your team. "
                "We're looking into it; next update within 2 hours.",
            ),
            (
                "resolved",
                "A slow storage volume serving your account was replaced; previews are "
                "back to normal.",
            ),
        ],
        80,
    ),
]


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
                data=ComponentCreate(name=name, group=group, description=_describe(name)),
            )
    for name in LOOSE:
        components[name] = await create_component(
            session, actor=DEMO, data=ComponentCreate(name=name, description=_describe(name))
        )
    customers = {}
    for name, used in CUSTOMERS.items():
        customers[name] = await create_customer(
            session,
            actor=DEMO,
            data=CustomerCreate(name=name, components=[components[c].id for c in used]),
        )

    now = utcnow()
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

    # Happening now: an open incident and an upcoming maintenance.
    incident = await open_incident(
        session,
        actor=DEMO,
        data=IncidentCreate(
            title="Delays in sending email notifications",
            impact=Impact.MINOR,
            visibility=Visibility.PUBLIC,
            components=[
                AffectedComponent(
                    id=components["Webhooks delivery"].id,
                    status=ComponentStatus.DEGRADED_PERFORMANCE,
                )
            ],
            body="Some notifications are arriving a few minutes late. Nothing is lost. We're "
            "adding capacity and will update you within 2 hours.",
            publish=True,
        ),
    )
    incident.started_at = now - timedelta(minutes=25)
    incident.next_update_at = now + timedelta(minutes=95)
    starts = (now + timedelta(days=3)).replace(hour=2, minute=0, second=0, microsecond=0)
    await schedule_maintenance(
        session,
        actor=DEMO,
        data=MaintenanceCreate(
            title="Database upgrade in EU (Frankfurt)",
            scheduled_for=starts,
            scheduled_until=starts + timedelta(hours=2),
            components=[
                AffectedComponent(
                    id=components["Database"].id, status=ComponentStatus.UNDER_MAINTENANCE
                )
            ],
            body="We're upgrading our EU database to a newer version. Expect up to 5 minutes of "
            "read-only mode within this window; everything else keeps working.",
            publish=True,
        ),
    )
    await session.flush()
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
    fmt = "%H:%M UTC"
    incident = await open_incident(
        session,
        actor=DEMO,
        data=IncidentCreate(
            title=title,
            impact=Impact(impact),
            visibility=Visibility.CUSTOMERS if customer_id else Visibility.PUBLIC,
            components=[
                AffectedComponent(id=cid, status=ComponentStatus(s)) for cid, s in affected.items()
            ],
            customers=[customer_id] if customer_id else [],
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
                body=body.format(start=start.strftime(fmt), end=end.strftime(fmt)),
                publish=True,
            ),
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


def _describe(name: str) -> str:
    return {
        "API": "The REST API and its SDKs",
        "Web dashboard": "The web app your team signs in to",
        "Authentication": "Sign-in, single sign-on and API tokens",
        "Webhooks delivery": "Events sent to your endpoints",
        "Database": "Primary data storage",
        "Search": "Full-text search across your workspace",
        "File storage": "Uploads, downloads and previews",
        "Reporting": "Scheduled and on-demand reports",
        "Billing": "Invoices, payments and plan changes",
    }.get(name, f"Service hosted in {name}")


DEMO_KEY = "make run"


async def welcome(session: AsyncSession, *, settings: Settings) -> str:
    """Where to look first, and a fresh admin key (keys are shown once, so each run mints one)."""
    customer = await session.scalar(select(Customer).order_by(Customer.name).limit(1))
    # One demo key at a time: the key the previous run printed stops working now.
    for old in await list_api_keys(session):
        if old.name == DEMO_KEY and old.revoked_at is None:
            await revoke_api_key(session, key_id=old.id)
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
    lines.append("")
    return "\n".join(lines)
