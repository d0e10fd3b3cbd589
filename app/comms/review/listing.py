"""The drafts as the desk and the API list them: an incident's or a writer's drafts, what a
writer published lately, and the queue a comms lead works through. Reads only; the moves a
draft makes are `app.comms.review.service`'s."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.comms.models import DraftReview
from app.incidents.models import Update
from app.incidents.status import UpdateState
from app.lib.clock import utcnow


async def list_drafts(
    session: AsyncSession, *, incident_id: str | None = None, author_id: str | None = None
) -> list[Update]:
    query = select(Update).where(Update.state != UpdateState.PUBLISHED.value)
    if incident_id:
        query = query.where(Update.incident_id == incident_id)
    if author_id:
        # A writer's list is what they have to finish: a retired draft is done with.
        query = query.where(
            Update.author_id == author_id, Update.state != UpdateState.RETIRED.value
        )
    return list((await session.scalars(query.order_by(Update.created_at.desc()))).all())


async def published_for(session: AsyncSession, *, author_id: str, days: int = 7) -> list[Update]:
    """The author's words published in the last `days` days, newest first: their desk says
    what became of what they wrote (what was sent back stays among their drafts)."""
    since = utcnow() - timedelta(days=days)
    query = (
        select(Update)
        .where(
            Update.author_id == author_id,
            Update.state == UpdateState.PUBLISHED.value,
            Update.published_at >= since,
        )
        .order_by(Update.published_at.desc())
        .limit(20)
    )
    return list((await session.scalars(query)).all())


async def queue(session: AsyncSession) -> list[tuple[Update, DraftReview]]:
    """Submitted drafts, oldest first."""
    rows = await session.execute(
        select(Update, DraftReview)
        .join(DraftReview, DraftReview.update_id == Update.id, isouter=True)
        .where(Update.state == UpdateState.SUBMITTED.value)
        .order_by(DraftReview.submitted_at.asc(), Update.created_at.asc())
    )
    result = []
    for draft, review in rows.all():
        if review is None:
            review = DraftReview(update_id=draft.id, incident_id=draft.incident_id, findings=[])
        result.append((draft, review))
    return result


async def queue_size(session: AsyncSession) -> int:
    """How many drafts wait for review."""
    query = (
        select(func.count()).select_from(Update).where(Update.state == UpdateState.SUBMITTED.value)
    )
    return await session.scalar(query) or 0
