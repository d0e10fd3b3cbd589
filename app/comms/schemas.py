"""Request and response shapes of the comms desk API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

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


class TemplateUpdate(msgspec.Struct, kw_only=True):
    name: str | None = None
    status: str | None = None
    body: str | None = None
    subject: str | None = None
    impact: str | None = None
    audience: str | None = None
    notes: str | None = None


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

    status: str | None = None
    template_id: str | None = None
    body: str | None = None
    # public | affected (all affected customers) | customer (one customer's own wording).
    # Absent: whoever may see the incident (its visibility), or `customer` when one is named.
    audience: str | None = None
    customer: str | None = None
    next_update_at: datetime | None = None
    # False: published without telling subscribers (e.g. a postmortem only for the page).
    deliver_notifications: bool = True


class DraftEdit(msgspec.Struct, kw_only=True):
    body: str


class ApproveRequest(msgspec.Struct, kw_only=True):
    body: str | None = None


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


class AudiencePreviewRead(msgspec.Struct, kw_only=True):
    audience: str
    page_url: str
    html: str
    email_subject: str
    email_body: str


class QueueItemRead(msgspec.Struct, kw_only=True):
    update: dict[str, Any]
    incident: dict[str, Any]
    audience: str
    review: ReviewRead | None
    previews: list[AudiencePreviewRead]
    findings: list[dict[str, Any]]
    changes_since_template: list[str]


class ExampleMark(msgspec.Struct, kw_only=True):
    tags: list[str] = []


class ExampleRead(msgspec.Struct, kw_only=True):
    update_id: str
    incident_id: str
    title: str
    body: str
    status: str
    impact: str
    tags: list[str]
    marked_by: str


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


class PolicyRead(msgspec.Struct, kw_only=True):
    require_approval: bool
    author_may_approve_major: bool


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
