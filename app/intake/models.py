"""Alert streams and the triage incidents they open."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, IdMixin, TimestampMixin
from app.lib.clock import utcnow


class TriageState(StrEnum):
    TRIAGE = "triage"  # opened by an alert; nobody outside the team sees it
    ACCEPTED = "accepted"  # a person said it is real; it is now an ordinary incident
    DECLINED = "declined"  # a person said it is noise; closed and kept out of all history


class AlertStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


class AlertThread(IdMixin, TimestampMixin, Base):
    """One alert stream (a source and its dedup key) and the incident it opened."""

    __tablename__ = "intake_alerts"

    source: Mapped[str] = mapped_column(String(100))
    dedup_key: Mapped[str] = mapped_column(Text)
    # A hash of source + dedup key while the incident is open, null once it is closed: the
    # unique constraint lets one incident per key be open and any number be closed. It is
    # what makes a storm of repeats open one incident, on SQLite and PostgreSQL alike.
    open_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Null only inside the transaction that claims the key, before the incident exists.
    incident_id: Mapped[str | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(String(16), default=TriageState.TRIAGE.value)
    alert_status: Mapped[str] = mapped_column(String(16), default=AlertStatus.FIRING.value)
    fire_count: Mapped[int] = mapped_column(Integer, default=1)
    last_fired_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_resolved_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    # What the latest alert said (title, description, severity, names it gave), for triage.
    last_alert: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
