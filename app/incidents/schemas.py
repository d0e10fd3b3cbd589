"""Request and response shapes of the incidents, maintenance and updates API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from app.components.status import ComponentStatus
from app.incidents.status import Impact, Visibility
from app.lib.moments import DatedRequest


class AffectedComponent(msgspec.Struct, kw_only=True):
    id: str
    status: ComponentStatus = ComponentStatus.MAJOR_OUTAGE


class IncidentCreate(DatedRequest, kw_only=True):
    title: str
    impact: Impact = Impact.MINOR
    # None: for the customers it names when it names any, else public (`default_visibility`).
    visibility: Visibility | None = None
    components: list[AffectedComponent] = []
    customers: list[str] = []
    status: str | None = None
    started_at: datetime | None = None
    # An optional first update, written at once (published if the key may publish).
    body: str | None = None
    publish: bool = False


class MaintenanceCreate(DatedRequest, kw_only=True):
    title: str
    scheduled_for: datetime
    scheduled_until: datetime
    impact: Impact = Impact.NONE
    # None: for the customers it names when it names any, else public (`default_visibility`).
    visibility: Visibility | None = None
    components: list[AffectedComponent] = []
    customers: list[str] = []
    body: str | None = None
    publish: bool = False


class IncidentUpdate(DatedRequest, kw_only=True):
    """PATCH of an incident's facts; its status moves through updates on the timeline."""

    title: str | None = None
    impact: Impact | None = None
    visibility: Visibility | None = None
    components: list[AffectedComponent] | None = None
    customers: list[str] | None = None
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None


class UpdateCreate(DatedRequest, kw_only=True):
    status: str
    body: str
    publish: bool = False
    # For one customer's own wording; absent means everyone who may see the incident.
    customer: str | None = None
    components: list[AffectedComponent] | None = None
    next_update_at: datetime | None = None
    deliver_notifications: bool = True
    # The same words in other languages, {language: words}; `body` is the site's language.
    translations: dict[str, str] | None = None


class UpdateRead(msgspec.Struct, kw_only=True):
    id: str
    incident_id: str
    status: str
    body: str
    author: str
    state: str
    customer_id: str | None
    published_at: datetime | None
    published_by: str | None
    next_update_at: datetime | None
    # A draft's "next update in N minutes", counted from its publication (None: a time or
    # the default).
    promise_minutes: int | None
    deliver_notifications: bool
    affected_components: list[dict[str, Any]] | None
    # The customers published words were published for (null: words to everyone).
    audience_customer_ids: list[str] | None
    created_at: datetime
    updated_at: datetime
    # The same words in other languages, {language: words} ({}: only the site's, `body`).
    translations: dict[str, str] = {}


class IncidentComponentRead(msgspec.Struct, kw_only=True):
    id: str
    name: str
    status: str


class CustomerRef(msgspec.Struct, kw_only=True):
    id: str
    name: str


class IncidentRead(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    title: str
    status: str
    impact: str
    visibility: str
    components: list[IncidentComponentRead]
    customers: list[str]  # the customers it names
    # Who it affects, by name: the named customers, or, when it names none, those using one
    # of its components (the audience rule's answer).
    affected_customers: list[CustomerRef]
    started_at: datetime
    identified_at: datetime | None
    monitoring_at: datetime | None
    resolved_at: datetime | None
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    next_update_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    url: str
    updates: list[UpdateRead] = []
