"""Request and response shapes of the subscribers API."""

from __future__ import annotations

from datetime import datetime

import msgspec


class SubscriberCreate(msgspec.Struct, kw_only=True):
    kind: str
    address: str | None = None  # email
    url: str | None = None  # webhook, slack, teams
    customer: str | None = None
    components: list[str] | None = None  # absent or []: all components


class SubscriberUpdate(msgspec.Struct, kw_only=True):
    components: list[str]  # the chosen components; [] means all of them


class SubscriberRead(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    address: str | None
    url: str | None
    customer: str | None
    components: list[str] | None  # None: all components
    state: str
    confirmed_at: datetime | None
    created_at: datetime
    disabled_reason: str | None  # why delivery stopped (e.g. the URL answered 410)
    # Set while quarantined (a hard bounce, a complaint, soft bounces, a failing webhook).
    quarantined_at: datetime | None
    quarantine_reason: str | None
    secret: str | None = None  # a webhook's signing secret, in the create answer only


class ImportResult(msgspec.Struct, kw_only=True):
    created: int
    skipped: int
    errors: list[str]
