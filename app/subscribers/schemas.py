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
    language: str | None = None  # its messages' language; None: the customer's, else the site's


class SubscriberUpdate(msgspec.Struct, kw_only=True):
    """What a PATCH changes: only the fields it names."""

    # The chosen components; [] means all of them.
    components: list[str] | msgspec.UnsetType = msgspec.UNSET
    # Its messages' language; null: the customer's, else the site's.
    language: str | msgspec.UnsetType | None = msgspec.UNSET


class SubscriberRead(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    address: str | None
    url: str | None
    customer: str | None
    components: list[str] | None  # None: all components
    language: str | None  # None: its messages follow its customer's language, else the site's
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
