"""The comms desk's part of the demo: the default templates, examples, and desk users."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.accounts.models import Role, User
from app.accounts.service import create_user, set_password
from app.audit.models import AuditEvent
from app.audit.service import record
from app.comms.wording.defaults import install_default_templates
from app.comms.wording.examples import mark_example
from app.incidents.models import Incident, Update
from app.incidents.status import UpdateState

# (incident title, status of the update) kept as examples, with tags.
EXAMPLES = [
    ("Elevated API error rates", "investigating", ["api", "errors"]),
    ("Elevated API error rates", "resolved", ["api", "apology", "review"]),
    ("Sign-in failures for some users", "investigating", ["auth", "apology"]),
    ("Database failover in EU", "resolved", ["database", "critical", "review"]),
    ("Delayed webhooks", "investigating", ["webhooks", "delay"]),
]

DEMO_USERS = [("lead", Role.COMMS_LEAD), ("rita", Role.RESPONDER)]
_MARKER = "demo.users"


async def load_comms_demo(session: AsyncSession, *, actor: Actor) -> str:
    installed = await install_default_templates(session, actor=actor)
    marked = 0
    for title, status, tags in EXAMPLES:
        update_id = await session.scalar(
            select(Update.id)
            .join(Incident, Incident.id == Update.incident_id)
            .where(
                Incident.title == title,
                Update.status == status,
                Update.state == UpdateState.PUBLISHED.value,
            )
            .limit(1)
        )
        if update_id:
            await mark_example(session, actor=actor, update_id=update_id, tags=tags)
            marked += 1
    for name, role in DEMO_USERS:
        await create_user(session, username=name, password=secrets.token_urlsafe(12), role=role)
    # Remember that these users are the demo's, so `welcome` may reset their passwords.
    await record(session, actor=actor.name, action=_MARKER, subject_type="user", subject_id="demo")
    return f"{installed} templates, {marked} examples, desk users lead and rita"


async def demo_sign_ins(session: AsyncSession) -> list[tuple[str, str, str]]:
    """Fresh passwords for the demo's desk users, shown once (like the admin key).

    Only users the demo itself created are touched: a real database is never changed.
    """
    if not await session.scalar(select(AuditEvent.id).where(AuditEvent.action == _MARKER)):
        return []
    out = []
    for name, role in DEMO_USERS:
        if await session.scalar(select(User.id).where(User.username == name)):
            password = secrets.token_urlsafe(9)
            await set_password(session, username=name, password=password)
            out.append((name, role.value, password))
    return out
