"""Helpers the import tests (tests/imports) share: one import run, committed the way its callers
commit."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.accounts.models import Role
from app.statuspage.importer.plan import ImportPlan
from app.statuspage.importer.service import import_statuspage

LEAD = Actor(name="lee (comms lead)", role=Role.COMMS_LEAD, id="user:lee")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


async def run(db: AsyncSession, url: str, *, dry_run: bool = False) -> ImportPlan:
    """One import, committed the way the command and the API commit: once, at the end."""
    plan = await import_statuspage(db, actor=LEAD, url=url, dry_run=dry_run, allow_private=True)
    await db.commit()
    return plan


async def count(db: AsyncSession, model: type) -> int:
    return await db.scalar(select(func.count()).select_from(model)) or 0
