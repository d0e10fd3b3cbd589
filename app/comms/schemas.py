"""Request and response shapes of the comms desk API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from app.incidents.schemas import AffectedComponent
from app.incidents.status import Impact, Visibility
from app.lib.moments import DatedRequest
from app.lib.numbers import Count


class TemplateCreate(msgspec.Struct, kw_only=True):
    name: str
    status: str
    body: str
    subject: str = "{{ title }}: {{ status }}"
    impact: str | None = None
    audience: str | None = None  # public | customer; absent: any
    notes: str = ""
    # The language its words are written in (de, ja, ...); absent: the site's language.
    language: str | None = None


class TemplateUpdate(msgspec.Struct, kw_only=True):
    name: str | None = None
    status: str | None = None
    body: str | None = None
    subject: str | None = None
    impact: str | None = None
    audience: str | None = None
    notes: str | None = None
    language: str | None = None


class TemplateRead(msgspec.Struct, kw_only=True):
    id: str
    name: str
    status: str
    impact: str | None
    audience: str | None
    subject: str
    body: str
    notes: str
    updated_by: str
    updated_at: datetime
    language: str | None = None  # None: the site's language


class PreviewRequest(msgspec.Struct, kw_only=True):
    """Render a saved template (`template_id`) or unsaved text against an incident."""

    incident_id: str
    template_id: str | None = None
    subject: str | None = None
    body: str | None = None
    status: str | None = None
    customer: str | None = None


class PreviewRead(msgspec.Struct, kw_only=True):
    subject: str
    body: str
    html: str
    next_update_at: datetime | None
    findings: list[dict[str, Any]]


class DraftCreate(DatedRequest, kw_only=True):
    """A draft from a template (pre-filled, `body` optional) or from free text."""

    # With a template: the template's status, unless `body` brings the writer's own words.
    status: str | None = None
    template_id: str | None = None
    body: str | None = None
    # public | affected (all affected customers) | customer (one customer's own wording).
    # Absent: whoever may see the incident (its visibility), or `customer` when one is named.
    audience: str | None = None
    customer: str | None = None
    # The next-update promise: at a time, or in some minutes counted from publication (one
    # of them; neither: the default for the incident's impact, or a window's end).
    next_update_at: datetime | None = None
    next_update_in_minutes: int | None = None
    # The component statuses these words set: they apply when the words are published.
    components: list[AffectedComponent] | None = None
    # False: published without telling subscribers (e.g. a postmortem only for the page).
    deliver_notifications: bool = True
    # The same update in other languages, {language: words}; `body` is the site's language.
    translations: dict[str, str] | None = None


class DraftEdit(DatedRequest, kw_only=True):
    body: str | None = None
    # Replaces the words in other languages ({} removes them all); absent keeps them.
    translations: dict[str, str] | None = None
    # The status the words go out under (alone, it changes only that).
    status: str | None = None
    # Replaces the statuses the draft sets ([] sets none); absent keeps them.
    components: list[AffectedComponent] | None = None
    # Replaces the promise the draft makes (either one); absent keeps it.
    next_update_at: datetime | None = None
    next_update_in_minutes: int | None = None


class ApproveRequest(DatedRequest, kw_only=True):
    body: str | None = None
    # False publishes without notifying anyone (no email, webhook or chat message).
    notify: bool = True
    # The draft's `version` as the client displayed it: the approval binds exactly that
    # audience (409 if the words reach anyone else now). Absent: the version submitted.
    version: str | None = None
    # True sends the words by SMS too, where SMS would not carry them by default (SMS
    # carries an incident's opening and resolution, a maintenance's start and end).
    sms: bool = False
    # The promise published with the words, as the approver chose it (either one); absent:
    # the draft's own, or the default.
    next_update_at: datetime | None = None
    next_update_in_minutes: int | None = None


class Declaration(DatedRequest, kw_only=True):
    """Open an incident from the desk: its facts, and first words drafted from the
    "investigating" template (or `body`), carrying the components' statuses."""

    title: str
    impact: Impact = Impact.MINOR
    visibility: Visibility = Visibility.PUBLIC
    components: list[AffectedComponent] = []
    customers: list[str] = []
    body: str | None = None
    # Put the first words in the approval queue at once.
    submit: bool = False
    # Publish the first words at once (a comms lead, where the approval policy allows).
    publish: bool = False
    notify: bool = True
    # The first words' next-update promise (either one; absent: the default for the impact).
    next_update_at: datetime | None = None
    next_update_in_minutes: int | None = None


class RejectRequest(msgspec.Struct, kw_only=True):
    reason: str


class ReviewRead(msgspec.Struct, kw_only=True):
    template_id: str | None
    template_text: str | None
    submitted_at: datetime | None
    submitted_by: str | None
    reviewed_at: datetime | None
    reviewed_by: str | None
    rejection_reason: str | None
    edited_on_approval: bool
    findings: list[dict[str, Any]]
    # Set when the draft was overtaken by words published first (state `retired`).
    retired_at: datetime | None = None
    retired_note: str | None = None


class AudiencePreviewRead(msgspec.Struct, kw_only=True):
    audience: str
    page_url: str
    html: str
    email_subject: str
    email_body: str


class ComponentChangeRead(msgspec.Struct, kw_only=True):
    id: str
    name: str
    old_status: str
    new_status: str
    text: str


class RecipientsRead(msgspec.Struct, kw_only=True):
    """Who publishing the draft now would send to: per channel, and the customers."""

    notify: bool
    channels: dict[str, int]
    customers: list[str]
    text: str


class SmsPreviewRead(msgspec.Struct, kw_only=True):
    """The words' SMS as the public's SMS subscribers would get it, and what it costs."""

    text: str
    encoding: str  # GSM-7 or UCS-2
    segments: int  # SMS per number (GSM-7: 160, then 153 a part; UCS-2: 70, then 67)
    numbers: int  # SMS subscribers it reaches if sent
    cost: int  # segments x numbers
    by_default: bool  # sent without being chosen (an opening, a resolution, ...)


class QueueItemRead(msgspec.Struct, kw_only=True):
    update: dict[str, Any]
    incident: dict[str, Any]
    audience: str
    review: ReviewRead | None
    previews: list[AudiencePreviewRead]
    findings: list[dict[str, Any]]
    changes_since_template: list[str]
    component_changes: list[ComponentChangeRead] = []
    recipients: RecipientsRead | None = None
    email_subject: str | None = None
    # The customers the words would be published for if approved now, by name, and those of
    # them that no earlier published words of the incident reached.
    customers: list[str] = []
    joins: list[str] = []
    # Who the words reach now, as a fingerprint to send back with the approval, and what
    # changed about it since the words were submitted ([]: nothing; look again if any).
    version: str | None = None
    changed_since_submitted: list[str] = []
    sms: SmsPreviewRead | None = None  # None: nothing would be sent


class ExampleMark(msgspec.Struct, kw_only=True):
    tags: list[str] = []
    # Keep the update's words in this language (one it carries); absent: the site's.
    language: str | None = None


class ExampleRead(msgspec.Struct, kw_only=True):
    update_id: str
    incident_id: str
    title: str
    body: str
    status: str
    impact: str
    tags: list[str]
    marked_by: str
    language: str | None = None  # None: the site's language


class ToneRuleUpdate(msgspec.Struct, kw_only=True):
    enabled: bool | None = None
    blocking: bool | None = None
    words: list[str] | None = None
    limit: Count | None = None


class ToneRuleRead(msgspec.Struct, kw_only=True):
    name: str
    description: str
    enabled: bool
    blocking: bool
    words: list[str] | None
    limit: int | None


class PolicyUpdate(msgspec.Struct, kw_only=True):
    require_approval: bool | None = None
    author_may_approve_major: bool | None = None
    # Refuse to publish words to a customer whose language is set unless they carry it.
    require_customer_language: bool | None = None


class PolicyRead(msgspec.Struct, kw_only=True):
    require_approval: bool
    author_may_approve_major: bool
    require_customer_language: bool = False


class PauseCreate(DatedRequest, kw_only=True):
    reason: str
    resume_at: datetime


class AuditEventRead(msgspec.Struct, kw_only=True):
    id: str
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    incident_id: str | None
    detail: dict[str, Any]


class MaintenancePlanCreate(DatedRequest, kw_only=True):
    """A maintenance window with its words for each moment, each to be approved before it."""

    title: str
    scheduled_for: datetime
    scheduled_until: datetime
    impact: Impact = Impact.NONE
    visibility: Visibility = Visibility.PUBLIC
    components: list[str] = []
    customers: list[str] = []
    scheduled: str | None = None  # words announcing the window (out once approved)
    in_progress: str | None = None  # out at the window's start, if approved by then
    completed: str | None = None  # out at its end, if approved by then


class MaintenancePlanChange(DatedRequest, kw_only=True):
    """PATCH of a window: its facts, and new words for any moment (each needs approval again)."""

    title: str | None = None
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    # Who reads the window's words: changing any of these voids approvals given in advance.
    visibility: Visibility | None = None
    customers: list[str] | None = None
    components: list[str] | None = None
    scheduled: str | None = None
    in_progress: str | None = None
    completed: str | None = None


class MaintenanceWordsWrite(msgspec.Struct, kw_only=True):
    body: str


class MaintenanceCancel(msgspec.Struct, kw_only=True):
    # Needed once the window was announced: what its readers are told instead.
    body: str | None = None


class MaintenanceWordsRead(msgspec.Struct, kw_only=True):
    phase: str
    body: str
    state: str
    written_by: str
    approved_by: str | None
    approved_at: datetime | None
    # When the words go out: the window's start or end, or (for "scheduled") on approval.
    publishes_at: datetime | None
    published_at: datetime | None
    update_id: str | None
    note: str | None


class MaintenancePlanRead(msgspec.Struct, kw_only=True):
    id: str
    title: str
    status: str
    impact: str
    visibility: str
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    components: list[str]
    customers: list[str]
    cancelled: bool
    words: list[MaintenanceWordsRead]
    url: str
