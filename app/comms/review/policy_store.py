"""The approval policy as stored: reading it, and an admin changing it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.comms.models import CommsPolicy
from app.comms.review import policy as rules
from app.incidents.audit import audit
from app.lib.errors import PermissionDenied


async def load_policy(session: AsyncSession) -> rules.Policy:
    row = await session.get(CommsPolicy, 1)
    if row is None:
        return rules.Policy()
    return rules.Policy(
        require_approval=row.require_approval,
        author_may_approve_major=row.author_may_approve_major,
        require_customer_language=bool(row.require_customer_language),
    )


async def require_approval_allowed(
    session: AsyncSession,
    *,
    actor: Actor,
    author_id: str | None,
    visibility: str,
    impact: str,
) -> rules.Decision:
    """Refuse unless the stored policy lets `actor` approve `author_id`'s words for an incident
    like this (the queue and maintenance words approved in advance ask the same question);
    the decision, with the waiver it records where the policy was waived."""
    decision = rules.may_approve(
        await load_policy(session),
        actor=actor,
        author_id=author_id,
        visibility=visibility,
        impact=impact,
    )
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    return decision


async def set_policy(
    session: AsyncSession,
    *,
    actor: Actor,
    require_approval: bool | None = None,
    author_may_approve_major: bool | None = None,
    require_customer_language: bool | None = None,
) -> rules.Policy:
    permissions.require(actor, Act.MANAGE_POLICY)
    row = await session.get(CommsPolicy, 1) or CommsPolicy(id=1)
    session.add(row)
    if require_approval is not None:
        row.require_approval = require_approval
    if author_may_approve_major is not None:
        row.author_may_approve_major = author_may_approve_major
    if require_customer_language is not None:
        row.require_customer_language = require_customer_language
    row.updated_by = actor.name
    await session.flush()
    detail = {
        "require_approval": row.require_approval,
        "author_may_approve_major": row.author_may_approve_major,
        "require_customer_language": bool(row.require_customer_language),
    }
    await audit(session, actor, "policy.edit", ("policy", "1"), detail)
    return await load_policy(session)
