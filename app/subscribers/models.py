"""Email, webhook, Slack, Teams and SMS subscribers, public or linked to a customer, for all or
chosen components."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, IdMixin, TimestampMixin


class SubscriberKind(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    SLACK = "slack"  # a Slack incoming-webhook URL
    TEAMS = "teams"  # a Microsoft Teams (Power Automate) workflow webhook URL
    SMS = "sms"  # a phone number in E.164, kept in `address`


CHAT_KINDS = (SubscriberKind.SLACK.value, SubscriberKind.TEAMS.value)


subscriber_components = Table(
    "subscriber_components",
    Base.metadata,
    Column("subscriber_id", ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "component_id",
        ForeignKey("components.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Subscriber(IdMixin, TimestampMixin, Base):
    """One recipient. Only a confirmed, subscribed, enabled one that is not quarantined ever
    receives updates."""

    __tablename__ = "subscribers"
    __table_args__ = (Index("ix_subscribers_address", "address"),)

    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(320))  # email, or an SMS number
    url: Mapped[str | None] = mapped_column(String(2000))  # webhook
    # The signing secret of a webhook (whsec_...): kept to sign, shown to the team once.
    secret: Mapped[str | None] = mapped_column(String(200))
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    all_components: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set for someone who follows one incident from its page: they receive that incident's
    # updates only, up to the one that resolves it (see app.subscribers.follow).
    incident_id: Mapped[str | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    # Set when its mail bounced for good, it complained, it bounced softly too often, or its
    # webhook kept failing (see app.subscribers.quarantine); a person releases it.
    quarantined_at: Mapped[datetime | None]
    quarantine_reason: Mapped[str | None] = mapped_column(String(500))
    # Soft bounces since the last delivery the provider confirmed, or the last release.
    soft_bounces: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by: Mapped[str] = mapped_column(String(200), default="self-service")
    # The language its messages are written in (None: its customer's, else the site's).
    language: Mapped[str | None] = mapped_column(String(8))

    @property
    def state(self) -> str:
        if self.unsubscribed_at is not None:
            return "unsubscribed"
        if self.disabled_at is not None:
            return "disabled"
        if self.quarantined_at is not None:
            return "quarantined"
        if self.confirmed_at is None:
            return "pending"
        return "active"


class InboundToken(Base):
    """A token or message id an inbound webhook accepted, kept until it could no longer be
    accepted anyway (its timestamp too old): the same signed request sent again is refused
    by every process, since they share the database."""

    __tablename__ = "inbound_tokens"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)  # mailgun, sns
    token: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
