"""The stored page id: read it, or create it the first time a process needs it."""

from __future__ import annotations

import hashlib

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import ApiKey
from app.components.models import Component
from app.incidents.models import Incident
from app.lib.clock import utcnow
from app.lib.ids import new_id
from app.settings import Settings, remember_page_id
from app.site.models import SITE_ROW, Site
from app.subscribers.models import Subscriber

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def legacy_page_id(settings: Settings) -> str:
    """The id earlier versions derived from the secret key and base URL.

    Kept only to adopt it once: a deployment that already has data when it first stores
    its page id keeps the id its Statuspage clients were configured with.
    """
    digest = hashlib.sha256(f"page:{settings.secret_key}:{settings.base_url}".encode()).digest()
    return "".join(_ALPHABET[b % 36] for b in digest[:12])


async def _has_history(session: AsyncSession) -> bool:
    """Whether this database was in use before it stored a page id (an upgrade)."""
    for model in (Component, Incident, ApiKey, Subscriber):
        if await session.scalar(select(exists().where(model.id.is_not(None)))):
            return True
    return False


async def ensure_page_id(session: AsyncSession, settings: Settings) -> str:
    """This deployment's page id, created and stored on first use; never commits.

    A new database gets a random id. A database that already holds data keeps the id that
    earlier versions derived, so upgrading breaks no integration. Processes starting at once
    agree: the row is written with ON CONFLICT DO NOTHING (PostgreSQL makes the loser wait
    for the winner's commit; SQLite serialises writers) and then read back. The id is also
    remembered for `app.settings.page_id_for`.
    """
    query = select(Site.page_id).where(Site.id == SITE_ROW)
    page_id = await session.scalar(query)
    if page_id is None:
        chosen = legacy_page_id(settings) if await _has_history(session) else new_id()
        insert = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        await session.execute(
            insert(Site)
            .values(id=SITE_ROW, page_id=chosen, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["id"])
        )
        page_id = await session.scalar(query)
        assert page_id is not None
    remember_page_id(settings, page_id)
    return page_id
