"""Request and response shapes of the customers API."""

from __future__ import annotations

from datetime import datetime

import msgspec


class CustomerCreate(msgspec.Struct, kw_only=True):
    name: str
    components: list[str] = []
    # The language of its page and its readers' messages (`de`, `ja`); None: the site's.
    language: str | None = None


class CustomerUpdate(msgspec.Struct, kw_only=True):
    name: str | None = None
    components: list[str] | None = None
    # Left out: unchanged; null: the site's language from now on.
    language: str | msgspec.UnsetType | None = msgspec.UNSET


class CustomerRead(msgspec.Struct, kw_only=True):
    id: str
    name: str
    components: list[str]
    language: str | None
    page_url: str
    created_at: datetime
    updated_at: datetime
