"""The comms desk's part of the demo: a default template set, examples, and desk users.

Templates are plain, specific and human: they say what is affected and what people notice,
apologise when the impact is major, and always give the time of the next update while the
incident is open.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.accounts.models import Role, User
from app.accounts.service import create_user, set_password
from app.audit.models import AuditEvent
from app.audit.service import record
from app.comms.examples import mark_example
from app.comms.schemas import TemplateCreate
from app.comms.wording import create_template
from app.incidents.models import Incident, Update
from app.incidents.status import UpdateState

SORRY = (
    '{% if impact in ("major", "critical") %}We\'re sorry for the disruption this is causing. '
    "{% endif %}"
)

TEMPLATES = [
    (
        "Investigating",
        "investigating",
        "{{ title }}: we're investigating",
        SORRY + "Since {{ started_at }}, some of you may have trouble using "
        "{{ components_text }}. We're investigating now.\n\n"
        "We'll post the next update by {{ next_update_at }}, sooner if we learn more.",
        "Say what people notice, not what we think broke. No guesses about the cause yet.",
    ),
    (
        "Identified",
        "identified",
        "{{ title }}: cause found",
        SORRY + "We've found what is wrong with {{ components_text }} and are working on a "
        "fix.\n\nWe'll post the next update by {{ next_update_at }}.",
        "Describe the cause in words a customer understands; no host names or ticket ids.",
    ),
    (
        "Monitoring",
        "monitoring",
        "{{ title }}: fix in place",
        SORRY + "A fix is in place and {{ components_text }} "
        "{{ 'is' if components|length < 2 else 'are' }} working again. We're watching closely "
        "to make sure it stays that way.\n\nWe'll post the next update by {{ next_update_at }}.",
        "Say what the reader can do now (retry, nothing needed).",
    ),
    (
        "Resolved",
        "resolved",
        "{{ title }}: resolved",
        "This is resolved: {{ components_text }} "
        "{{ 'is' if components|length < 2 else 'are' }} working normally since this update. "
        '{% if impact in ("major", "critical") %}We\'re sorry for the trouble; we\'ll share '
        "what we're changing so it doesn't happen again.{% else %}Thank you for your "
        "patience.{% endif %}",
        "Say how long it lasted and what was affected; promise a review for major incidents.",
    ),
    (
        "Maintenance scheduled",
        "scheduled",
        "Planned maintenance: {{ title }}",
        "We'll carry out planned maintenance on {{ components_text }} from {{ window_start }} "
        "to {{ window_end }}. We'll post an update here when the work starts and when it ends.",
        "Say what people will notice during the window, and for how long at most.",
    ),
    (
        "Maintenance in progress",
        "in_progress",
        "Maintenance started: {{ title }}",
        "The planned maintenance on {{ components_text }} has started and should end by "
        "{{ window_end }}. We'll post the next update by {{ next_update_at }}.",
        "",
    ),
    (
        "Maintenance verifying",
        "verifying",
        "Maintenance: checking the results",
        "The maintenance work on {{ components_text }} is done and we're checking that "
        "everything works as it should. We'll post the next update by {{ next_update_at }}.",
        "",
    ),
    (
        "Maintenance completed",
        "completed",
        "Maintenance completed: {{ title }}",
        "The planned maintenance on {{ components_text }} is complete and everything is "
        "working normally. Thank you for your patience.",
        "",
    ),
]

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
    for name, status, subject, body, notes in TEMPLATES:
        await create_template(
            session,
            actor=actor,
            data=TemplateCreate(name=name, status=status, subject=subject, body=body, notes=notes),
        )
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
    return f"{len(TEMPLATES)} templates, {marked} examples, desk users lead and rita"


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
