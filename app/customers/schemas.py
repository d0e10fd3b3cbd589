"""Request and response shapes of the customers API."""

from __future__ import annotations

from datetime import datetime

import msgspec


class CustomerCreate(msgspec.Struct, kw_only=True):
    name: str
    components: list[str] = []


class CustomerUpdate(msgspec.Struct, kw_only=True):
    name: str | None = None
    components: list[str] | None = None


class CustomerRead(msgspec.Struct, kw_only=True):
    id: str
    name: str
    components: list[str]
    page_url: str
    created_at: datetime
    updated_at: datetime
