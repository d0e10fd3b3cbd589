"""Retiring the draft written at declare time once other words went out for its moment.

Declaring an incident drafts its first words at once. If other words about the incident
are published first (someone wrote their own, or published from the API), that draft has
been overtaken: sent later, it would tell readers the incident had only just begun. So it
leaves the queue (and its writer's list of things to finish) as `retired`, with a note
saying why; it is never deleted, and its writer may copy its words into a new draft.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.comms.models import DraftReview
from app.incidents.audit import audit
from app.incidents.models import Update
from app.incidents.status import UpdateAction, UpdateState, next_update_state
from app.lib.clock import utcnow

_WAITING = (UpdateState.DRAFT.value, UpdateState.SUBMITTED.value, UpdateState.REJECTED.value)


def retired_note(published: Update) -> str:
    at = published.published_at or utcnow()
    return (
        f"Retired: other words for this moment were published first, by {published.author} "
        f"at {at:%H:%M} UTC, so these will not go out after them. Copy them into a new "
        "draft to use them."
    )


async def retire_overtaken(session: AsyncSession, *, actor: Actor, published: Update) -> int:
    """Retire the declare-time draft of `published`'s incident, for the same readers, that
    is still unpublished; how many were retired (0 or 1)."""
    rows = await session.execute(
        select(Update, DraftReview)
        .join(DraftReview, DraftReview.update_id == Update.id)
        .where(
            DraftReview.incident_id == published.incident_id,
            DraftReview.declared.is_(True),
            Update.id != published.id,
            Update.state.in_(_WAITING),
            # Words for one customer do not overtake words for everyone, nor the other way.
            (
                Update.customer_id.is_(None)
                if published.customer_id is None
                else Update.customer_id == published.customer_id
            ),
        )
    )
    retired = 0
    for draft, review in rows.all():
        draft.state = next_update_state(draft.state, UpdateAction.RETIRE).value
        draft.updated_at = review.retired_at = utcnow()
        review.retired_note = retired_note(published)
        await audit(session, actor, "draft.retire", draft, {"overtaken_by": published.id})
        retired += 1
    await session.flush()
    return retired
