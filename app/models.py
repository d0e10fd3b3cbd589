"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from app.accounts.models import AdminSession, ApiKey, User
from app.audit.models import AuditEvent
from app.comms.models import (
    CommsPolicy,
    DraftReview,
    Example,
    MaintenanceWords,
    MessageTemplate,
    Pause,
    ToneRule,
)
from app.components.models import Component, ComponentGroup
from app.customers.models import Customer
from app.db.base import Base
from app.db.changes import SiteState, StateChange
from app.db.models import IdempotencyRecord, RateCounter
from app.delivery.models import ComponentChange, Delivery
from app.incidents.models import Incident, IncidentComponent, IncidentCustomer, Update
from app.intake.models import AlertThread
from app.site.models import Site
from app.statuspage.importer.models import ImportMapping
from app.subscribers.models import InboundToken, Subscriber

__all__ = [
    "AdminSession",
    "AlertThread",
    "ApiKey",
    "AuditEvent",
    "Base",
    "CommsPolicy",
    "Component",
    "ComponentChange",
    "ComponentGroup",
    "Customer",
    "Delivery",
    "DraftReview",
    "Example",
    "IdempotencyRecord",
    "ImportMapping",
    "InboundToken",
    "Incident",
    "IncidentComponent",
    "IncidentCustomer",
    "MaintenanceWords",
    "MessageTemplate",
    "Pause",
    "RateCounter",
    "Site",
    "SiteState",
    "StateChange",
    "Subscriber",
    "ToneRule",
    "Update",
    "User",
]
