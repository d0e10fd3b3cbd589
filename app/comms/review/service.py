"""Drafts and their review: write, edit, submit, approve (publishing once) or reject. What
waits and what was written is read in `app.comms.review.listing`.

An update's moves are `app.incidents.status`'s table; who may make each move is
`app.accounts.permissions`'s; both are checked here, whoever calls.
"""

from __future__ import annotations

from datetime import UTC, tzinfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.comms.models import DraftReview
from app.comms.review import binding
from app.comms.review import policy as rules
from app.comms.review.policy_store import load_policy, require_approval_allowed
from app.comms.review.publishing import publish_update, tell_author
from app.comms.schemas import DraftCreate
from app.comms.wording.every_language import check_tone_everywhere, refuse_unfinished_everywhere
from app.comms.wording.templates import Site, get_template, render_template
from app.comms.wording.tone_rules import refuse_blocking
from app.components.service import get_components
from app.incidents.audit import audit
from app.incidents.models import Update
from app.incidents.schemas import AffectedComponent, UpdateCreate
from app.incidents.service import get_incident, get_update, post_update
from app.incidents.status import (
    IncidentKind,
    UpdateAction,
    UpdateState,
    check_update_status,
    check_words_status,
    next_update_state,
)
from app.incidents.timing import Promise, chosen_promise, keep_promise, promise_detail, promised
from app.incidents.translations import clean_translations
from app.lib.clock import as_utc, utcnow
from app.lib.errors import Conflict, InvalidInput, NotFound
from app.lib.languages import DEFAULT_LANGUAGE


async def get_review(session: AsyncSession, update_id: str) -> DraftReview | None:
    return await session.get(DraftReview, update_id, populate_existing=True)


async def _review_for(session: AsyncSession, draft: Update) -> DraftReview:
    review = await get_review(session, draft.id)
    if review is None:
        review = DraftReview(update_id=draft.id, incident_id=draft.incident_id, findings=[])
        session.add(review)
    return review


async def create_draft(
    session: AsyncSession, site: Site, *, actor: Actor, incident_id: str, data: DraftCreate
) -> Update:
    """A draft from a template (pre-filled) or from free text; nobody outside sees it."""
    incident = await get_incident(session, incident_id)
    audience.check_requested_reach(
        visibility=incident.visibility, wanted=data.audience, customer_id=data.customer
    )
    status = data.status or incident.status
    template_text = None
    next_update_at = data.next_update_at
    if data.next_update_in_minutes is not None:
        chosen_promise(minutes=data.next_update_in_minutes, at=next_update_at, now=utcnow())
    own_words = bool(data.body and data.body.strip())
    if data.template_id:
        template = await get_template(session, data.template_id)
        if not own_words or not data.status:
            # The template's words say its status ("we found it" is "identified"): they
            # go out under it, so the email's subject and the page say the same.
            status = template.status
        rendered = await render_template(
            session,
            site,
            subject=template.subject,
            body=template.body,
            incident_id=incident.id,
            status=status,
            customer_id=data.customer,
            defer_promise=True,
        )
        template_text = rendered.body
    body = data.body if own_words else template_text
    if not body:
        raise InvalidInput("give a body or a template_id", field="body")
    draft = await post_update(
        session,
        actor=actor,
        incident_id=incident.id,
        data=UpdateCreate(
            status=status,
            body=body,
            customer=data.customer,
            next_update_at=next_update_at,
            components=data.components,
            deliver_notifications=data.deliver_notifications,
            publish=False,
            translations=data.translations,
        ),
        site_language=site.language,
    )
    draft.promise_minutes = data.next_update_in_minutes
    findings = await check_tone_everywhere(
        session, incident=incident, status=status, update=draft, site_language=site.language
    )
    review = DraftReview(
        update_id=draft.id,
        incident_id=incident.id,
        template_id=data.template_id,
        template_text=template_text,
        findings=[f.as_dict() for f in findings],
    )
    session.add(review)
    await session.flush()
    return draft


async def planned_statuses(
    session: AsyncSession, components: list[AffectedComponent]
) -> list[dict[str, str]]:
    """The component statuses a draft sets, as stored on it (a 422 names an unknown one)."""
    ids = [a.id for a in components]
    if len(set(ids)) != len(ids):
        raise InvalidInput("components: each component may be listed once", field="components")
    await get_components(session, ids, field="components")
    return [{"code": a.id, "new_status": a.status.value} for a in components]


async def edit_draft(
    session: AsyncSession,
    *,
    actor: Actor,
    update_id: str,
    body: str | None = None,
    components: list[AffectedComponent] | None = None,
    status: str | None = None,
    promise: Promise | None = None,
    translations: dict[str, str] | None = None,
    site_language: str = DEFAULT_LANGUAGE,
) -> Update:
    """Change a draft's words, its status, the component statuses it sets, or the next
    update it promises (any one of them alone, or together). `translations` replaces its
    words in other languages ({} removes them)."""
    draft = await get_update(session, update_id)
    permissions.require_change_draft(actor, author_id=draft.author_id)
    state = next_update_state(draft.state, UpdateAction.EDIT)
    nothing = (body, components, status, promise, translations)
    if all(given is None for given in nothing):
        raise InvalidInput("give a body, a status or components to change", field="body")
    body = draft.body if body is None else body
    if not body.strip():
        raise InvalidInput("body must not be blank", field="body")
    incident = await get_incident(session, draft.incident_id)
    detail: dict[str, object] = {}
    if status is not None and status != draft.status:
        check_update_status(IncidentKind(incident.kind), incident.status, status)
        detail["status"] = {"old": draft.status, "new": status}
        draft.status = status
    if components is not None:
        draft.affected_components = await planned_statuses(session, components) or None
        detail["components"] = {a.id: a.status.value for a in components}
    if promise is not None and promised(draft) != promise:
        detail["promise"] = promise_detail(promise)
        keep_promise(draft, promise)
    if translations is not None:
        cleaned = clean_translations(translations, site_language=site_language)
        if cleaned != (draft.translations or None):
            detail["languages"] = sorted(cleaned or {})
        draft.translations = cleaned
    draft.body = body.strip()
    draft.state = state.value
    draft.updated_at = utcnow()
    review = await _review_for(session, draft)
    findings = await check_tone_everywhere(
        session, incident=incident, status=draft.status, update=draft, site_language=site_language
    )
    review.findings = [f.as_dict() for f in findings]
    await session.flush()
    await audit(session, actor, "draft.edit", draft, detail or None)
    return draft


async def submit_draft(
    session: AsyncSession,
    *,
    actor: Actor,
    update_id: str,
    waivable: bool = True,
    zone: tzinfo = UTC,
    site_language: str = DEFAULT_LANGUAGE,
) -> Update:
    """Put a draft in the approval queue (or publish it, when policy waives review).

    `waivable=False` keeps it in the queue whatever the policy says: words that an alert
    started always wait for a person.
    """
    draft = await get_update(session, update_id)
    permissions.require_change_draft(actor, author_id=draft.author_id)
    state = next_update_state(draft.state, UpdateAction.SUBMIT)
    incident = await get_incident(session, draft.incident_id)
    check_words_status(IncidentKind(incident.kind), incident.status, draft.status)
    refuse_unfinished_everywhere(draft, site_language=site_language)
    findings = await check_tone_everywhere(
        session, incident=incident, status=draft.status, update=draft, site_language=site_language
    )
    refuse_blocking(findings)
    now = utcnow()
    review = await _review_for(session, draft)
    review.findings = [f.as_dict() for f in findings]
    review.submitted_at, review.submitted_by, review.submitted_by_id = now, actor.name, actor.id
    review.reviewed_at = review.reviewed_by = review.reviewed_by_id = None
    review.rejection_reason = None
    # What the reviewer will be shown about who reads the words: the approval binds it.
    review.submitted_audience = binding.draft_audience(incident, draft)
    review.submitted_version = binding.fingerprint(review.submitted_audience)
    draft.state = state.value
    draft.updated_at = now
    await session.flush()
    await audit(session, actor, "draft.submit", draft, {"findings": [f.rule for f in findings]})
    decision = rules.publishes_on_submit(await load_policy(session))
    if waivable and decision.allowed:
        review.reviewed_at, review.reviewed_by, review.reviewed_by_id = now, actor.name, actor.id
        await publish_update(
            session,
            actor=actor,
            update=draft,
            waiver=decision.waiver,
            zone=zone,
            site_language=site_language,
        )
    return draft


async def _claim(session: AsyncSession, update_id: str, action: UpdateAction) -> Update:
    """Take the draft for review, or say why not.

    The conditional UPDATE is the first write of the transaction: on PostgreSQL a second
    reviewer's UPDATE waits for the first to commit and then matches nothing; on SQLite the
    database write lock serializes them the same way. So a draft is published once.
    """
    claimed = await session.execute(
        update(Update)
        .where(Update.id == update_id, Update.state == UpdateState.SUBMITTED.value)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    draft = await session.get(Update, update_id, populate_existing=True)
    if draft is None:
        raise NotFound(f"no update with id {update_id!r}")
    if claimed.rowcount == 0:  # type: ignore[attr-defined]
        if draft.state == UpdateState.PUBLISHED:
            raise Conflict(
                f"already approved and published by {draft.published_by} "
                f"at {draft.published_at:%H:%M:%S} UTC; nothing was published again"
            )
        next_update_state(draft.state, action)  # says why this move is not open to it
        raise Conflict("someone else is reviewing this draft; reload the queue", field="state")
    return draft


async def approve_draft(
    session: AsyncSession,
    *,
    actor: Actor,
    update_id: str,
    body: str | None = None,
    notify: bool = True,
    zone: tzinfo = UTC,
    waiver: str | None = None,
    version: str | None = None,
    sms: bool = False,
    promise: Promise | None = None,
    site_language: str = DEFAULT_LANGUAGE,
) -> Update:
    """Approve (optionally with the reviewer's edits) and publish in the same transaction.

    `promise` is the next update as the approver chose it: what is published (absent: the
    draft's own, or the default).

    The approval binds who the words reach as they were submitted, or `version` (what the
    reviewer's screen showed) when given: if the incident's audience moved since, a 409
    says what changed and the draft waits in the queue for a second look.
    `notify=False` publishes on the pages and feeds without sending anything (no delivery
    is created; the audit log says so). `waiver` records why the words skipped a second
    pair of eyes (a comms lead publishing their own words at once). `sms` sends the words
    by SMS too where SMS would not carry them by default."""
    permissions.require(actor, Act.APPROVE)
    draft = await _claim(session, update_id, UpdateAction.APPROVE)
    incident = await get_incident(session, draft.incident_id)
    check_words_status(IncidentKind(incident.kind), incident.status, draft.status)
    review = await _review_for(session, draft)
    current = binding.draft_audience(incident, draft)
    looked_again = await binding.check_bound(
        session, recorded=review.submitted_audience, current=current, version=version
    )
    if looked_again:
        await audit(session, actor, "draft.look_again", draft, {"changed": looked_again})
    # From here the record is the audience this approval was given for.
    review.submitted_audience, review.submitted_version = current, binding.fingerprint(current)
    decision = await require_approval_allowed(
        session,
        actor=actor,
        author_id=draft.author_id,
        visibility=incident.visibility,
        impact=incident.impact,
    )
    edited = body is not None and body.strip() != "" and body.strip() != draft.body
    if edited:
        assert body is not None
        before = draft.body
        draft.body = body.strip()
        await audit(session, actor, "draft.edit", draft, {"on_approval": True, "before": before})
    refuse_unfinished_everywhere(draft, site_language=site_language)
    findings = await check_tone_everywhere(
        session, incident=incident, status=draft.status, update=draft, site_language=site_language
    )
    refuse_blocking(findings)
    now = utcnow()
    if promise is not None and promised(draft) != promise:
        keep_promise(draft, promise)
        await audit(session, actor, "draft.promise", draft, promise_detail(promise))
    if draft.next_update_at is not None and as_utc(draft.next_update_at) <= now:
        # The draft waited past the time it promised: promise afresh from now (the queue
        # warned the reviewer to fix the time in the words).
        draft.next_update_at = None
    review.findings = [f.as_dict() for f in findings]
    review.reviewed_at, review.reviewed_by, review.reviewed_by_id = now, actor.name, actor.id
    review.edited_on_approval = edited
    if not notify:
        draft.deliver_notifications = False
    if sms:
        draft.send_by_sms = True
    detail = {"body": draft.body, "edited": edited, "author": draft.author, "notify": notify}
    if sms:
        detail["sms"] = True
    await audit(session, actor, "draft.approve", draft, detail)
    waiver = decision.waiver or waiver
    if waiver:
        await audit(session, actor, "policy.waiver", draft, {"waiver": waiver})
    if not notify:
        await audit(session, actor, "draft.publish_quietly", draft, {"author": draft.author})
    published = await publish_update(
        session, actor=actor, update=draft, waiver=waiver, zone=zone, site_language=site_language
    )
    await tell_author(session, actor=actor, draft=published, incident=incident)
    return published


async def reject_draft(
    session: AsyncSession, *, actor: Actor, update_id: str, reason: str
) -> Update:
    """Send a draft back to its author with a reason they will see."""
    permissions.require(actor, Act.REJECT)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("say why, so the author can fix it", field="reason")
    draft = await _claim(session, update_id, UpdateAction.REJECT)
    review = await _review_for(session, draft)
    draft.state = next_update_state(draft.state, UpdateAction.REJECT).value
    review.reviewed_at, review.reviewed_by, review.rejection_reason = utcnow(), actor.name, reason
    review.reviewed_by_id = actor.id
    review.reviewed_by_id = actor.id
    await session.flush()
    await audit(session, actor, "draft.reject", draft, {"reason": reason, "author": draft.author})
    incident = await get_incident(session, draft.incident_id)
    await tell_author(session, actor=actor, draft=draft, incident=incident, reason=reason)
    return draft
