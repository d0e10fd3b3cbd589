"""Request and response shapes for API keys."""

from __future__ import annotations

from datetime import datetime

import msgspec

from app.accounts.models import Role


class ApiKeyCreate(msgspec.Struct, kw_only=True):
    name: str
    role: Role


class ApiKeyRead(msgspec.Struct, kw_only=True):
    id: str
    name: str
    role: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    key: str | None = None  # only in the answer to the create, never again
