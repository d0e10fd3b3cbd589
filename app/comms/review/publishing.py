"""Publishing: words and statuses go out, and the outbox holds what must be sent.

Each verb here does the domain's step (`app.incidents.service`, `app.components.service`)
and writes the outbox rows for it (`app.delivery.outbox`) in the same transaction, so the
rows exist exactly when the words or the status do. Who receives them is the audience
rule's decision; who may publish is the permissions rule's, checked here whoever calls.
"""

from __future__ import annotations

from datetime import UTC, tzinfo

from msgspec import structs
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.comms.review.policy import Policy, missing_languages
from app.comms.review.policy_store import load_policy
from app.comms.review.reached import record_audience
from app.comms.review.retiring import retire_overtaken
from app.comms.wording.every_language import refuse_unfinished_everywhere
from app.comms.wording.promises import has_promise_mark, promise_words
from app.components import service as components
from app.components.models import Component
from app.components.schemas import ComponentUpdate
from app.customers.models import Customer
from app.delivery.outbox import (
    enqueue_author_notice,
    enqueue_component_change,
    enqueue_update,
)
from app.incidents import maintenance as planned
from app.incidents import service as incidents
from app.incidents.models import Incident, Update
from app.incidents.schemas import IncidentCreate, MaintenanceCreate, UpdateCreate
from app.incidents.service import DIRECT_PUBLISH
from app.incidents.status import MaintenanceStatus
from app.incidents.translations import languages_of
from app.lib.clock import utcnow
from app.lib.errors import InvalidInput, PermissionDenied
from app.lib.languages import DEFAULT_LANGUAGE, LANGUAGES
from app.public import current
from app.public.snapshot import load_snapshot


async def publish_update(
    session: AsyncSession,
    *,
    actor: Actor,
    update: Update,
    waiver: str | None = None,
    zone: tzinfo = UTC,
    notify: bool = True,
    site_language: str = DEFAULT_LANGUAGE,
) -> Update:
    """Make an update public to its audience, record that audience with it, and queue one
    delivery per recipient. The one way words are published, whoever calls.

    When the policy requires each customer's language, words reaching a customer whose
    language they do not carry (`body` is `site_language`) are refused with a 422 naming
    the customer and the language.

    `notify=False` is for history only (past words brought in, the demo's past incidents):
    the audience is recorded all the same, nothing is queued, and the audit log says so.

    Refused unless `actor` may publish: a comms lead, or the words' own author when the
    stored approval policy waives review. `waiver` names the policy that let the words skip
    review, for the audit log. The component statuses the words carry apply now, and the
    words' next-update mark is filled in from the promise the page shows (in `zone`).
    Its component changes record each status as its readers saw it just before and see it
    just after (the one truth of `app.public.current`).
    """
    policy = await load_policy(session)
    before = await load_snapshot(session, version=0)
    readers = current.readers_of(
        before, await incidents.get_incident(session, update.incident_id), update
    )
    # Worked out now: publishing changes the very rows the snapshot holds.
    old = current.statuses_in(before, readers)
    # Private to this verb: marking words published anywhere else would tell nobody.
    incident = await incidents._mark_published(
        session,
        actor=actor,
        update=update,
        waiver=waiver,
        review_required=policy.require_approval,
        notified=notify,
    )
    new = await current.statuses_now(session, readers)
    update.affected_components = current.record_changes(update.affected_components, old, new)
    if has_promise_mark(update.body):
        update.body = promise_words(
            update.body, next_update_at=update.next_update_at, now=utcnow(), zone=zone
        )
        await session.flush()
    # Who the words are for is fixed now, with them: a customer added later never reads them.
    await record_audience(session, incident, update)
    await _refuse_missing_languages(session, policy, incident, update, site_language)
    await retire_overtaken(session, actor=actor, published=update)
    if notify:
        await enqueue_update(session, update=update, incident=incident)
    return update


async def _refuse_missing_languages(
    session: AsyncSession, policy: Policy, incident: Incident, update: Update, site_language: str
) -> None:
    if not policy.require_customer_language:
        return
    ids = update.audience_customer_ids
    if ids is None:  # words to everyone: the public and each customer the incident affects
        affected = await session.scalars(audience.affected_customers_select(incident.id))
        ids = sorted(set(affected.all()))
    if not ids:
        return
    rows = await session.execute(
        select(Customer.name, Customer.language).where(Customer.id.in_(ids)).order_by(Customer.name)
    )
    carried = languages_of(update, site_language=site_language)
    missing = missing_languages(
        policy, carried=carried, readers=[(name, lang) for name, lang in rows.all()]
    )
    if missing:
        named = "; ".join(
            f"{name} reads {LANGUAGES.get(lang, lang)} ({lang})" for name, lang in missing
        )
        raise InvalidInput(
            f"the policy requires each customer's language: {named}, and these words do not "
            "carry it; add the words in that language first",
            field="translations",
        )


async def post_update(
    session: AsyncSession,
    *,
    actor: Actor,
    incident_id: str,
    data: UpdateCreate,
    site_language: str = DEFAULT_LANGUAGE,
) -> Update:
    """Write a timeline entry: a draft, or with `publish` (from someone who may skip the
    queue) published at once and sent. `body` is in `site_language`, `translations` the
    same words in others."""
    if data.publish and not permissions.may(actor, Act.WAIVE_REVIEW):
        raise PermissionDenied(
            f"a {actor.role.value} key may not publish; drop `publish` to store a draft for "
            "approval",
            field="publish",
        )
    draft = await incidents.post_update(
        session,
        actor=actor,
        incident_id=incident_id,
        data=structs.replace(data, publish=False),
        site_language=site_language,
    )
    if data.publish:
        refuse_unfinished_everywhere(draft, site_language=site_language)
        await publish_update(
            session,
            actor=actor,
            update=draft,
            waiver=DIRECT_PUBLISH,
            site_language=site_language,
        )
    return draft


async def open_incident(session: AsyncSession, *, actor: Actor, data: IncidentCreate) -> Incident:
    """Declare an incident; with a `body`, also write its first update (sent if published)."""
    incident = await incidents.open_incident(
        session, actor=actor, data=structs.replace(data, body=None)
    )
    if data.body:
        first = UpdateCreate(status=incident.status, body=data.body, publish=data.publish)
        await post_update(session, actor=actor, incident_id=incident.id, data=first)
    return await incidents.get_incident(session, incident.id)


async def schedule_maintenance(
    session: AsyncSession, *, actor: Actor, data: MaintenanceCreate
) -> Incident:
    """Plan a maintenance window; with a `body`, also write its first update."""
    incident = await planned.schedule_maintenance(
        session, actor=actor, data=structs.replace(data, body=None)
    )
    if data.body:
        first = UpdateCreate(
            status=MaintenanceStatus.SCHEDULED.value, body=data.body, publish=data.publish
        )
        await post_update(session, actor=actor, incident_id=incident.id, data=first)
    return await incidents.get_incident(session, incident.id)


async def update_component(
    session: AsyncSession, *, actor: Actor, component_id: str, data: ComponentUpdate
) -> Component:
    """Change a component; a new status is also sent to the webhooks that follow it."""
    old_status = (await components.get_component(session, component_id)).status
    component = await components.update_component(
        session, actor=actor, component_id=component_id, data=data
    )
    await enqueue_component_change(
        session, component=component, old_status=old_status, new_status=component.status
    )
    return component


async def tell_author(
    session: AsyncSession,
    *,
    actor: Actor,
    draft: Update,
    incident: Incident,
    reason: str | None = None,
) -> None:
    """The reviewer's decision reaches the draft's author by email if they asked for it:
    published (no `reason`) or sent back with `reason`. Queued in the same transaction."""
    await enqueue_author_notice(
        session,
        author_id=draft.author_id,
        by=actor.name,
        by_id=actor.id,
        incident=incident,
        published=reason is None,
        reason=reason,
    )
