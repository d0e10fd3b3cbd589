"""A draft as a reviewer sees it before approving: who it reaches, how each reader will see
it (page and email), what the tone checks find, and what changed since its template."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.comms.models import DraftReview
from app.comms.review import binding
from app.comms.review.reached import names_of, on_publishing
from app.comms.review.service import get_review
from app.comms.wording import tone
from app.comms.wording.every_language import check_tone_everywhere
from app.comms.wording.promises import (
    PromisePick,
    has_promise_mark,
    overdue,
    promise_pick,
    promise_words,
)
from app.comms.wording.templates import Site, email_subject
from app.comms.wording.unfinished import find_gaps
from app.components.service import get_components
from app.components.status import ComponentStatus
from app.customers.models import Customer
from app.customers.service import components_by_customer, get_customer
from app.customers.service import page_url as customer_page_url
from app.delivery.channels import CHANNELS
from app.delivery.outbox import left_out_kinds, update_recipient_counts
from app.incidents.models import Incident, Update
from app.incidents.service import get_incident
from app.incidents.status import UpdateState, is_open
from app.incidents.timing import promise_when_published, promises_updates
from app.incidents.translations import all_words
from app.lib.clock import as_utc, utcnow
from app.lib.languages import LANGUAGES
from app.lib.sms_segments import Segments, segments
from app.lib.text import markdown_to_safe_html
from app.public import current
from app.public.snapshot import load_snapshot
from app.subscribers.models import SubscriberKind

HIDDEN_TOKEN = "<customer-token>"


@dataclass
class AudiencePreview:
    label: str
    page_url: str
    html: str
    email_subject: str
    email_body: str


@dataclass
class StatusChange:
    """A component status the words set: "API: Degraded performance → Operational"."""

    component_id: str
    name: str
    before: str
    after: str

    @property
    def text(self) -> str:
        before, after = ComponentStatus(self.before).label, ComponentStatus(self.after).label
        return f"{self.name}: {before} → {after}"


@dataclass
class Recipients:
    """Who publishing the words now would send to: counts per channel, and the customers."""

    channels: dict[str, int] = field(default_factory=dict)
    customers: list[str] = field(default_factory=list)
    notify: bool = True
    # Components the words add to an incident that names no customers: their users are
    # affected from publish on, so more may receive it than counted now.
    adds: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.channels.values())

    @property
    def text(self) -> str:
        """ "1,204 emails, 3 webhooks" """
        if not self.channels:
            return "nobody is subscribed to hear of it"
        return ", ".join(
            f"{count:,} {_CHANNEL_WORDS.get(kind, kind)}{'' if count == 1 else 's'}"
            for kind, count in sorted(self.channels.items(), key=lambda kv: -kv[1])
        )


_CHANNEL_WORDS = {kind: channel.noun for kind, channel in CHANNELS.items()}


@dataclass
class SmsPreview:
    """The words' SMS, what it costs, and whether it goes without being chosen."""

    text: str
    segments: Segments
    numbers: int  # the SMS subscribers it reaches, if it is sent
    by_default: bool  # an opening, a resolution, a maintenance's start or end

    @property
    def cost(self) -> int:
        return self.segments.count * self.numbers


@dataclass
class ReviewView:
    draft: Update
    review: DraftReview
    incident: Incident
    audience_label: str
    previews: list[AudiencePreview]
    findings: list[tone.Finding]
    diff: list[str] = field(default_factory=list)
    changes: list[StatusChange] = field(default_factory=list)
    recipients: Recipients = field(default_factory=Recipients)
    # The words' next-update mark, as it would read if published now.
    promise: str = ""
    # The customers the words would be published for if approved now, by name, and those of
    # them who read none of the incident's earlier words (they join it with these).
    customers: list[str] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)
    # Who the words reach now as a fingerprint the approve form sends back, and what changed
    # about it since they were submitted (the reviewer looks again before approving).
    version: str | None = None
    changed: list[str] = field(default_factory=list)
    sms: SmsPreview | None = None
    # The approve form's "next update" picker, and since when the incident's promised
    # update is late (None: it is not).
    pick: PromisePick | None = None
    overdue_since: datetime | None = None


async def _readers(
    session: AsyncSession, incident: Incident, draft: Update
) -> tuple[str, list[tuple[str, Customer | None]]]:
    """Who the draft reaches, as a label and as (name, customer or None for the public)."""
    adding = [p["code"] for p in draft.affected_components or []]
    affected = audience.affected_customer_ids(
        incident, await components_by_customer(session), adding
    )
    customer = await get_customer(session, draft.customer_id) if draft.customer_id else None
    reach = audience.reach_of(incident.visibility, customer_id=draft.customer_id)
    label = audience.label(reach, customer_name=customer.name if customer else None)
    readers: list[tuple[str, Customer | None]] = []
    for reader in audience.readers(
        visibility=incident.visibility, affected=affected, update_customer_id=draft.customer_id
    ):
        if reader.customer_id is None:
            readers.append(("Public", None))
        else:
            found = customer or await get_customer(session, reader.customer_id)
            readers.append((found.name, found))
    return label, readers


async def status_changes(
    session: AsyncSession, incident: Incident, draft: Update
) -> list[StatusChange]:
    """The component statuses the words set, from what readers see now to what they will
    see once the words are published (published words: what they changed)."""
    planned = draft.affected_components or []
    if draft.state == UpdateState.PUBLISHED:
        return [
            StatusChange(p["code"], p.get("name", p["code"]), p["old_status"], p["new_status"])
            for p in planned
            if p.get("old_status") != p.get("new_status")
        ]
    ids = [p["code"] for p in planned]
    found = {c.id: c for c in await get_components(session, ids, field="components")}
    if not planned:
        return []
    # What the words' readers see now: the one truth every page and API says.
    snapshot = await load_snapshot(session, version=0)
    now = current.statuses_in(snapshot, current.readers_of(snapshot, incident, draft))
    changes = []
    for p in planned:
        component = found[p["code"]]
        before = now.get(component.id, ComponentStatus(component.status)).value
        changes.append(StatusChange(component.id, component.name, before, p["new_status"]))
    return changes


async def recipients(session: AsyncSession, incident: Incident, draft: Update) -> Recipients:
    """Who would receive the words if published now (the outbox's own condition)."""
    if not draft.deliver_notifications:
        return Recipients(notify=False)
    counts = await update_recipient_counts(session, update=draft, incident=incident)
    channels: dict[str, int] = {}
    customer_ids: set[str] = set()
    for kind, customer_id, count in counts:
        channels[kind] = channels.get(kind, 0) + count
        if customer_id is not None:
            customer_ids.add(customer_id)
    names = sorted([(await get_customer(session, c)).name for c in customer_ids])
    linked = set(incident.component_ids)
    adds = [p["code"] for p in draft.affected_components or [] if p["code"] not in linked]
    if incident.customer_ids:  # named customers are its customers, whatever its components
        adds = []
    added = [c.name for c in await get_components(session, adds, field="components")]
    return Recipients(channels=channels, customers=names, adds=added)


def _as_if_now(site: Site, incident: Incident, draft: Update) -> tuple[str, str, datetime | None]:
    """The words as they would read if published now, the promised time their next-update
    mark becomes ("" if they have none), and the promise published with them (None: none)."""
    now = utcnow()
    promise = _promise_if_now(incident, draft, now)
    if not has_promise_mark(draft.body):
        return draft.body, "", promise
    body = promise_words(draft.body, next_update_at=promise, now=now, zone=site.zone)
    shown = as_utc(promise).astimezone(site.zone).strftime("%H:%M %Z") if promise else ""
    return body, shown, promise


def _promise_if_now(incident: Incident, draft: Update, now: datetime) -> datetime | None:
    """The next update the words would promise if published now, as publishing sets it
    (an approval drops a promised time already past, as `approve_draft` does)."""
    if not is_open(draft.status):
        return None
    carried = draft.next_update_at
    as_published = Update(
        promise_minutes=draft.promise_minutes,
        next_update_at=carried if carried is not None and as_utc(carried) > now else None,
    )
    as_left = Incident(
        status=draft.status, impact=incident.impact, scheduled_until=incident.scheduled_until
    )
    return promise_when_published(as_published, as_left, now)


def _preview(
    site: Site, incident: Incident, draft: Update, name: str, customer: Customer | None
) -> AudiencePreview:
    url = (
        customer_page_url(site.base_url, customer) + f"incidents/{incident.id}"
        if customer
        else f"{site.base_url}/incidents/{incident.id}"
    )
    if site.email is not None:
        subject, body = site.email(incident, draft, customer)
    else:
        subject = email_subject(site, incident, draft.status)
        body = f"{draft.body}\n\nThis incident on the status page: {url}"
    if customer is not None:
        # Reviewers (responders too) read previews; the page token is the customer's
        # key to its private page, so it is shown as a placeholder, never in full.
        url, body = (
            url.replace(customer.token, HIDDEN_TOKEN),
            body.replace(customer.token, HIDDEN_TOKEN),
        )
    html = markdown_to_safe_html(draft.body)
    return AudiencePreview(
        label=name, page_url=url, html=html, email_subject=subject, email_body=body
    )


async def review_view(
    session: AsyncSession, site: Site, draft: Update, review: DraftReview | None = None
) -> ReviewView:
    """A draft as each audience would see it, with its findings and changes since the template."""
    incident = await get_incident(session, draft.incident_id)
    review = review or await get_review(session, draft.id) or DraftReview(findings=[])
    label, readers = await _readers(session, incident, draft)
    words, promise, promised_at = _as_if_now(site, incident, draft)
    # Readers see the words with their promise filled in: preview them so (not saved).
    shown = Update(
        id=draft.id,
        incident_id=draft.incident_id,
        status=draft.status,
        body=words,
        author=draft.author,
        state=draft.state,
        customer_id=draft.customer_id,
        published_at=draft.published_at,
        created_at=draft.created_at,
        # Previewed emails say the promise these words would publish, not the one standing.
        next_update_at=promised_at
        if draft.state != UpdateState.PUBLISHED
        else draft.next_update_at,
        audience_customer_ids=draft.audience_customer_ids,
        send_by_sms=draft.send_by_sms,
    )
    previews = [_preview(site, incident, shown, name, customer) for name, customer in readers]
    findings = await check_tone_everywhere(
        session, incident=incident, status=draft.status, update=draft, site_language=site.language
    )
    if draft.state != UpdateState.PUBLISHED:
        # What would refuse the words on submit or approval, in any language, said first.
        findings[:0] = [
            tone.Finding("unfinished", f"{name}{gap.message}", (gap.line.strip(),), blocking=True)
            for code, words in all_words(draft, site_language=site.language).items()
            for name in [f"{LANGUAGES[code]}: " if code != site.language else ""]
            for gap in find_gaps(words)
        ]
    if (
        draft.state != UpdateState.PUBLISHED
        and draft.next_update_at is not None
        and as_utc(draft.next_update_at) <= utcnow()
    ):
        when = as_utc(draft.next_update_at).astimezone(site.zone).strftime("%H:%M %Z")
        findings.append(
            tone.Finding(
                "promise",
                f"this draft promised the next update by {when}, which has passed; correct "
                "the time in the words (publishing promises a new one from now)",
                (when,),
            )
        )
    diff = []
    if review.template_text is not None:
        diff = list(
            difflib.unified_diff(
                review.template_text.splitlines(),
                draft.body.splitlines(),
                "template",
                "draft",
                lineterm="",
            )
        )
    changes = await status_changes(session, incident, draft)
    who = (
        await recipients(session, incident, draft)
        if draft.state != UpdateState.PUBLISHED
        else Recipients(notify=draft.deliver_notifications)
    )
    if draft.state == UpdateState.PUBLISHED:
        customers, joins = await _published_for(session, draft), []
    else:
        customers, joins = await on_publishing(session, incident, draft)
    version, changed = await binding.as_shown(session, incident, draft, review)
    sms = (
        await sms_preview(session, site, incident, shown)
        if draft.state != UpdateState.PUBLISHED and draft.deliver_notifications
        else None
    )
    return ReviewView(
        draft,
        review,
        incident,
        label,
        previews,
        findings,
        diff,
        changes,
        who,
        promise,
        customers,
        joins,
        version,
        changed,
        sms,
        pick=(
            promise_pick(incident, zone=site.zone, draft=draft)
            if promises_updates(draft.status) and draft.state != UpdateState.PUBLISHED
            else None
        ),
        overdue_since=await overdue(session, incident),
    )


async def sms_preview(
    session: AsyncSession, site: Site, incident: Incident, shown: Update
) -> SmsPreview | None:
    """The SMS the words would be sent as, its segments, and its cost if sent: segments
    times the SMS subscribers it reaches (counted as if the reviewer chose to send it).
    None when it would reach no SMS subscriber."""
    if site.sms is None:
        return None
    kind = SubscriberKind.SMS.value
    text = site.sms(incident, shown)
    by_default = kind not in await left_out_kinds(session, incident, shown)
    shown.send_by_sms = True  # a copy never saved: counted as if chosen
    counts = await update_recipient_counts(session, update=shown, incident=incident)
    shown.send_by_sms = False
    numbers = sum(count for k, _customer, count in counts if k == kind)
    if not numbers:
        return None  # no SMS subscriber would get it: nothing to weigh before approving
    return SmsPreview(text, segments(text), numbers, by_default)


async def _published_for(session: AsyncSession, update: Update) -> list[str]:
    """Published words: the customers recorded with them, by name (none: words to everyone)."""
    return sorted((await names_of(session, update.audience_customer_ids or [])).values())
