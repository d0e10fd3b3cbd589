"""The comms desk's own tables: templates, examples, tone rules, reviews of drafts, pauses.

A draft itself is a core `Update` (state draft/submitted/rejected/retired/published); what only the
desk needs about it (template used, reviewer, rejection reason) lives in `DraftReview`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, IdMixin, TimestampMixin
from app.lib.clock import utcnow


class MessageTemplate(IdMixin, TimestampMixin, Base):
    """A tone-of-voice template: Markdown in (sandboxed) Jinja2 syntax."""

    __tablename__ = "comms_templates"
    # A name is unique per language (the service also refuses two of one name in the site's
    # language, whose `language` is NULL and which a unique constraint would let pass).
    __table_args__ = (UniqueConstraint("name", "language"),)

    name: Mapped[str] = mapped_column(String(200))
    # The language its words are written in; None: the site's (TIDINGS_LANGUAGE).
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(32), index=True)
    impact: Mapped[str | None] = mapped_column(String(16))
    audience: Mapped[str | None] = mapped_column(String(16))  # public | customer | None (any)
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(200), default="system")


class Example(TimestampMixin, Base):
    """A published update kept as a model of how we said it, with what it was about."""

    __tablename__ = "comms_examples"

    update_id: Mapped[str] = mapped_column(
        ForeignKey("incident_updates.id", ondelete="CASCADE"), primary_key=True
    )
    incident_id: Mapped[str] = mapped_column(String(12), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Copied when marked so search and similarity need no joins (a published body is final).
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    impact: Mapped[str] = mapped_column(String(16))
    component_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The language of `body` (the published words'); None: the site's.
    language: Mapped[str | None] = mapped_column(String(8))
    marked_by: Mapped[str] = mapped_column(String(200))


class ToneRule(Base):
    """A comms lead's setting for one tone check; absent rows mean the defaults."""

    __tablename__ = "comms_tone_rules"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    blocking: Mapped[bool] = mapped_column(Boolean, default=False)
    words: Mapped[list[str] | None] = mapped_column(JSON)
    limit: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(200), default="system")


class CommsPolicy(Base):
    """The approval policy (one row, id 1; absent means the defaults)."""

    __tablename__ = "comms_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    require_approval: Mapped[bool] = mapped_column(Boolean, default=True)
    author_may_approve_major: Mapped[bool] = mapped_column(Boolean, default=False)
    # Refuse to publish words to a customer whose language is set unless they carry it.
    require_customer_language: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    updated_by: Mapped[str] = mapped_column(String(200), default="system")


class DraftReview(Base):
    """The desk's record of one draft: where its words came from and how review went."""

    __tablename__ = "comms_reviews"

    update_id: Mapped[str] = mapped_column(
        ForeignKey("incident_updates.id", ondelete="CASCADE"), primary_key=True
    )
    incident_id: Mapped[str] = mapped_column(String(12), index=True)
    template_id: Mapped[str | None] = mapped_column(String(12))
    # The template's rendering when the draft was made: the queue shows changes since.
    template_text: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    submitted_by_id: Mapped[str | None] = mapped_column(String(64))  # `Actor.id`
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_by_id: Mapped[str | None] = mapped_column(String(64))  # `Actor.id`
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    edited_on_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Who the words reach as the reviewer is shown it, recorded on submission, and its
    # fingerprint: an approval holds only while both still say the same
    # (`app.comms.review.binding`).
    submitted_audience: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    submitted_version: Mapped[str | None] = mapped_column(String(16))
    # Written at declare time (the incident's first words, from a template): retired, not
    # published, when other words go out first (`app.comms.review.retiring`).
    declared: Mapped[bool] = mapped_column(Boolean, default=False)
    retired_at: Mapped[datetime | None]
    retired_note: Mapped[str | None] = mapped_column(Text)


class Pause(Base):
    """An incident deliberately quiet until `resume_at`: the desk shows it, not an alarm."""

    __tablename__ = "comms_pauses"

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(Text)
    resume_at: Mapped[datetime]
    paused_by: Mapped[str] = mapped_column(String(200))
    paused_at: Mapped[datetime] = mapped_column(default=utcnow)


class PromiseNudge(IdMixin, Base):
    """The team was told that a promised update is due soon (`due_soon`) or late (`lapsed`).

    One row per promise (the incident and the time it promised) and kind: the unique key
    makes the nudge once, however many workers check at once, since the row and its outbox
    rows are written in one transaction and a second writer's insert finds the first's.
    """

    __tablename__ = "comms_promise_nudges"
    __table_args__ = (UniqueConstraint("incident_id", "due_at", "kind"),)

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MaintenanceWords(IdMixin, TimestampMixin, Base):
    """The words a maintenance window says at one of its moments, approved in advance.

    "scheduled" goes out once approved; "in_progress" at the window's start and "completed"
    at its end, by the worker, and only if a comms lead approved them by then (see
    `app.comms.maintenance.service`). `state`: waiting (for approval), approved, published, missed
    (the moment came before the approval: nothing went out), cancelled.
    """

    __tablename__ = "maintenance_words"
    __table_args__ = (UniqueConstraint("incident_id", "phase"),)

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    phase: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    written_by: Mapped[str] = mapped_column(String(200))
    written_by_id: Mapped[str | None] = mapped_column(String(64))  # `Actor.id`
    state: Mapped[str] = mapped_column(String(16), default="waiting", index=True)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_by_id: Mapped[str | None] = mapped_column(String(64))  # `Actor.id`
    approved_at: Mapped[datetime | None]
    update_id: Mapped[str | None] = mapped_column(
        ForeignKey("incident_updates.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime | None]
    # Why words did not go out (missed or cancelled), as the desk says it.
    note: Mapped[str | None] = mapped_column(Text)
    # The plan's audience when the words were approved: the approval holds only for it.
    approved_for: Mapped[dict[str, Any] | None] = mapped_column(JSON)
