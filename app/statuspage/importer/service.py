"""The import use case: fetch a page, plan against what is stored, write it (or only say).

Used by the `tidings import statuspage` command and by the JSON API. The service flushes
and never commits: the command commits once at the end, the API request around its
handler, so an import is one transaction that lands whole or not at all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.accounts.permissions import Act, require
from app.audit.service import record
from app.components.models import Component, ComponentGroup
from app.incidents.models import Incident, Update
from app.statuspage.importer.apply import Progress, apply_plan
from app.statuspage.importer.fetch import fetch_documents, page_url
from app.statuspage.importer.models import ImportMapping
from app.statuspage.importer.parse import parse_page
from app.statuspage.importer.plan import Existing, ImportPlan, Known, make_plan

_TABLES: dict[str, Any] = {
    "group": ComponentGroup,
    "component": Component,
    "incident": Incident,
    "update": Update,
}
_CHUNK = 500


async def _stored(session: AsyncSession, source: str) -> dict[tuple[str, str], ImportMapping]:
    rows = await session.scalars(select(ImportMapping).where(ImportMapping.source == source))
    return {(row.kind, row.source_id): row for row in rows}


async def _existing(session: AsyncSession, rows: dict[tuple[str, str], ImportMapping]) -> Existing:
    """The stored mappings, each with whether its local row is still here."""
    present: set[tuple[str, str]] = set()
    for kind, model in _TABLES.items():
        ids = [row.local_id for (k, _s), row in rows.items() if k == kind]
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            found = await session.scalars(select(model.id).where(model.id.in_(chunk)))
            present |= {(kind, local_id) for local_id in found}
    return {
        key: Known(row.local_id, row.fingerprint, (key[0], row.local_id) in present)
        for key, row in rows.items()
    }


async def import_statuspage(
    session: AsyncSession,
    *,
    actor: Actor,
    url: str,
    dry_run: bool,
    allow_private: bool,
    progress: Progress | None = None,
) -> ImportPlan:
    """Import the page at `url`, or with `dry_run` only plan it (nothing is written).

    What is new or changed since an earlier import of the same page (known by its page id,
    else its URL) is written; nothing is ever sent to a subscriber. `allow_private` lets the
    URL point at private and loopback addresses (the command line: the operator's own
    network); the API passes the setting that governs outbound requests.
    """
    require(actor, Act.IMPORT_PAGE)
    # Fetched before the first query, so no transaction is held open while the network is.
    documents, problems = await fetch_documents(url, allow_private=allow_private)
    page = parse_page(page_url(url), documents)
    page.skipped[:0] = problems
    rows = await _stored(session, page.key)
    existing = await _existing(session, rows)
    plan = make_plan(page, existing, dry_run=dry_run)
    if dry_run:
        return plan
    await apply_plan(
        session, actor=actor, plan=plan, rows=rows, existing=existing, progress=progress
    )
    await record(
        session,
        actor=actor.name,
        action="import.run",
        subject_type="import",
        subject_id=page.key[:64],
        detail={"url": page.url, "summary": plan.summary(), "skipped": len(plan.skipped)},
    )
    return plan
