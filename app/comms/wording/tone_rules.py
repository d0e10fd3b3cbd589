"""The tone rules as the team set them, and checking words against them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.comms.models import ToneRule
from app.comms.schemas import ToneRuleUpdate
from app.comms.wording import tone
from app.incidents.audit import audit
from app.incidents.models import Incident
from app.lib.errors import InvalidInput, NotFound


async def tone_settings(session: AsyncSession) -> dict[str, tone.RuleSetting]:
    rows = (await session.scalars(select(ToneRule))).all()
    return {
        row.name: tone.RuleSetting(
            enabled=row.enabled,
            blocking=row.blocking,
            words=tuple(row.words) if row.words else None,
            limit=row.limit,
        )
        for row in rows
    }


async def set_tone_rule(
    session: AsyncSession, *, actor: Actor, name: str, data: ToneRuleUpdate
) -> ToneRule:
    permissions.require(actor, Act.MANAGE_TONE)
    if name not in tone.RULES:
        raise NotFound(f"no tone rule {name!r}; rules are {', '.join(tone.RULES)}")
    if data.limit is not None and data.limit < 50:
        raise InvalidInput("limit must be at least 50 characters", field="limit")
    row = await session.get(ToneRule, name) or ToneRule(name=name)
    session.add(row)
    if data.enabled is not None:
        row.enabled = data.enabled
    if data.blocking is not None:
        row.blocking = data.blocking
    if data.words is not None:
        row.words = [w.strip() for w in data.words if w.strip()]
    if data.limit is not None:
        row.limit = data.limit
    row.updated_by = actor.name
    await session.flush()
    detail = {"enabled": row.enabled, "blocking": row.blocking}
    await audit(session, actor, "tone_rule.edit", ("tone_rule", name), detail)
    return row


def _subject(incident: Incident, status: str) -> tone.Subject:
    return tone.Subject(
        status=status,
        impact=incident.impact,
        components=tuple(link.component.name for link in incident.components),
    )


async def check_tone(
    session: AsyncSession, *, incident: Incident, status: str, body: str
) -> list[tone.Finding]:
    """What the tone rules, as set, find in `body` for an update on `incident`."""
    return tone.check(body, _subject(incident, status), await tone_settings(session))


def refuse_blocking(findings: list[tone.Finding]) -> None:
    """A 422 naming every finding of a rule set to block; nothing when none blocks."""
    stop = tone.blocking(findings)
    if stop:
        raise InvalidInput(
            "tone rules that block: " + "; ".join(f"{f.rule}: {f.message}" for f in stop),
            field="body",
        )
