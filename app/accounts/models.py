"""Who may act: API keys for tools and responders, users for the admin pages."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, IdMixin, TimestampMixin
from app.lib.clock import utcnow


class Role(StrEnum):
    RESPONDER = "responder"  # incidents and drafts
    COMMS_LEAD = "comms_lead"  # also publishes and approves
    ADMIN = "admin"  # everything: keys, customers, settings


class ApiKey(IdMixin, TimestampMixin, Base):
    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    # Only a hash is kept: a leaked database does not leak working keys.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    # Where the desk tells this user that their words were published or sent back, and
    # whether they asked for it (off until they do).
    email: Mapped[str | None] = mapped_column(String(320))
    notify_me: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class AdminSession(Base):
    """A signed-in desk session. The cookie holds a random token; only its SHA-256 is kept
    here, so a leaked table opens no desk. Every `/admin` request looks its row up together
    with the user: a session of a removed user, or past `expires_at`, is no session."""

    __tablename__ = "admin_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    user_id: Mapped[str] = mapped_column(
        String(12), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
