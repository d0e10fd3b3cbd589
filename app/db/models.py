"""Tables of the plumbing rather than of a domain: the record of each Idempotency-Key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, IdMixin
from app.lib.clock import utcnow


class IdempotencyRecord(IdMixin, Base):
    """The first answer to a create sent with an Idempotency-Key, replayed on a retry."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    scope: Mapped[str] = mapped_column(String(64))  # the API key (or user) that sent it
    key: Mapped[str] = mapped_column(String(200))
    request_path: Mapped[str] = mapped_column(String(500))
    status_code: Mapped[int] = mapped_column(Integer)
    # {"request_sha256": hash of the request body, "answer": the answer}; a record written
    # before requests were hashed holds the answer alone (see app.web.idempotency).
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SendPace(Base):
    """When the next send through one provider account may leave (seconds since the epoch),
    reserved with one atomic upsert (see `app.db.pace`), so every process keeps one pace."""

    __tablename__ = "send_paces"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float)


class RateCounter(Base):
    """How many times `key` was counted in the window that ends at `expires_at`.

    Counted with one atomic upsert (see `app.db.rates`), so every process shares the count.
    """

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(index=True)
