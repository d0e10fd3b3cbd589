"""The outbox: one row per message to send. Nothing is sent inside a request, and a row is
done only after its send succeeded."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, IdMixin
from app.lib.clock import utcnow


class DeliveryState(StrEnum):
    PENDING = "pending"  # not tried yet
    RETRYING = "retrying"  # tried, failed for now, due again at next_attempt_at
    SENT = "sent"  # the peer accepted it
    FAILED = "failed"  # given up: a permanent error or too many attempts
    # Not sent, with the reason in `last_error`: the subscriber left or was disabled before
    # its turn, or the audience rule, asked again just before sending, no longer lets its
    # reader see the words (the incident turned internal, its customers changed, ...).
    SKIPPED = "skipped"


class Message(StrEnum):
    """What a row sends; email messages name their template folder."""

    INCIDENT_UPDATE = "incident-update"
    COMPONENT_UPDATE = "component-update"
    CONFIRMATION = "confirm-subscription"
    # To an address that asked to subscribe again while already subscribed: that it is,
    # and its link to manage it (the form answers the same as for a new address).
    ALREADY_SUBSCRIBED = "already-subscribed"
    # To a desk user, not a subscriber: their draft was published or sent back.
    AUTHOR_NOTICE = "author-notice"
    # To the team, not a subscriber: a next-update promise is due soon or lapsed. By email
    # to each comms lead (`user_id`), or to the team's own Slack or Teams channel (neither
    # `user_id` nor `subscriber_id`: the channel's URL is the team's setting at send time).
    PROMISE_NUDGE = "promise-nudge"


class ComponentChange(IdMixin, Base):
    """A component's status change, kept so its webhook deliveries can describe it."""

    __tablename__ = "component_changes"

    component_id: Mapped[str] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"))
    old_status: Mapped[str] = mapped_column(String(32))
    new_status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One message to one subscriber over one channel, or (an author notice) to one desk
    user by email: then `user_id` is set instead of `subscriber_id`, and `notice` holds
    what it says (JSON), so the words are those of the moment it was queued.

    The integer id lets a publish insert a row per recipient in one `INSERT ... SELECT`.
    A row becomes `sent` only after the peer accepted the message.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_due", "state", "next_attempt_at"),
        Index("ix_deliveries_update_id_state", "update_id", "state"),
        Index("ix_deliveries_subscriber_id", "subscriber_id"),
        # Ids are never reused (they are in Message-IDs and webhook-ids).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    subscriber_id: Mapped[str | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE")
    )
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    notice: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(String(32))
    update_id: Mapped[str | None] = mapped_column(
        ForeignKey("incident_updates.id", ondelete="CASCADE")
    )
    component_change_id: Mapped[str | None] = mapped_column(
        ForeignKey("component_changes.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
