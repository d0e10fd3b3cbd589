"""Incidents and maintenance windows, what they affect, and the updates on their timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.components.models import Component
from app.customers.models import Customer
from app.db.base import Base, IdMixin, TimestampMixin
from app.incidents.status import Impact, IncidentKind, UpdateState, Visibility
from app.lib.clock import utcnow


class Incident(IdMixin, TimestampMixin, Base):
    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_started_at", "started_at"),)

    kind: Mapped[str] = mapped_column(String(16), default=IncidentKind.INCIDENT.value)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(32), index=True)
    impact: Mapped[str] = mapped_column(String(16), default=Impact.MINOR.value)
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PUBLIC.value)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    identified_at: Mapped[datetime | None]
    monitoring_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
    scheduled_for: Mapped[datetime | None]
    scheduled_until: Mapped[datetime | None]
    # The time customers were promised the next update by (shown on the page).
    next_update_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    # Set when a triage incident is declined as noise: it never happened for anyone outside
    # the team (no page, history, uptime or metric counts it; see app.audience).
    declined_at: Mapped[datetime | None]

    # Ordered, or the order is whatever the database scans (insertion on SQLite, the primary
    # key index on PostgreSQL) and the same incident reads differently on each.
    components: Mapped[list[IncidentComponent]] = relationship(
        back_populates="incident",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="IncidentComponent.component_id",
    )
    customer_links: Mapped[list[IncidentCustomer]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", lazy="selectin"
    )
    updates: Mapped[list[Update]] = relationship(
        back_populates="incident",
        cascade="all, delete-orphan",
        order_by="Update.created_at.desc()",
    )

    @property
    def customer_ids(self) -> list[str]:
        return [link.customer_id for link in self.customer_links]

    @property
    def component_ids(self) -> list[str]:
        return [link.component_id for link in self.components]


class IncidentComponent(Base):
    """A component an incident affects, with its status during the incident."""

    __tablename__ = "incident_components"

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    component_id: Mapped[str] = mapped_column(
        ForeignKey("components.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String(32))

    incident: Mapped[Incident] = relationship(back_populates="components")
    component: Mapped[Component] = relationship(lazy="joined")


class IncidentCustomer(Base):
    """A customer the incident names: an incident that names any affects exactly those."""

    __tablename__ = "incident_customers"

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    incident: Mapped[Incident] = relationship(back_populates="customer_links")
    customer: Mapped[Customer] = relationship(lazy="joined")


class Update(IdMixin, TimestampMixin, Base):
    """One entry on an incident's timeline. Only `published` ones ever leave the team."""

    __tablename__ = "incident_updates"
    __table_args__ = (
        Index("ix_incident_updates_incident_id_created", "incident_id", "created_at"),
    )

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)  # in the site's language (TIDINGS_LANGUAGE)
    # The same words in other languages, {language: words} (`app.incidents.translations`);
    # approved and published with `body`, and as final once published. None: none.
    translations: Mapped[dict[str, str] | None] = mapped_column(JSON)
    author: Mapped[str] = mapped_column(String(200))  # for display
    # Whose words these are (`Actor.id`): the rules compare this, never the display name.
    # None only for words older than identities that could not be traced to one.
    author_id: Mapped[str | None] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16), default=UpdateState.DRAFT.value, index=True)
    # Who the words are for: everyone who may see the incident, or one customer's own wording.
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    published_at: Mapped[datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(200))
    deliver_notifications: Mapped[bool] = mapped_column(Boolean, default=True)
    # The reviewer chose to send these words by SMS too (SMS carries by default only the
    # moments that matter most: see app.delivery.channels.sms).
    send_by_sms: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    next_update_at: Mapped[datetime | None]
    # A draft's promise chosen as "next update in N minutes": counted from the moment the
    # words are published (then written into `next_update_at`), not from the drafting, so a
    # slow approval does not shorten it. None: a time (`next_update_at`) or the default.
    promise_minutes: Mapped[int | None]
    # [{code, name, old_status, new_status}] as Statuspage clients read it.
    affected_components: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # The customers the words were published for (app.audience records it on publishing):
    # they alone may read them, later too. None for words to everyone who may see the
    # incident (public words), and for words not published yet.
    audience_customer_ids: Mapped[list[str] | None] = mapped_column(JSON)

    incident: Mapped[Incident] = relationship(back_populates="updates")
