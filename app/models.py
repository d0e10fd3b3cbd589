"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from app.accounts.models import ApiKey, User
from app.audit.models import AuditEvent
from app.comms.models import (
    CommsPolicy,
    DraftReview,
    Example,
    MessageTemplate,
    Pause,
    ToneRule,
)
from app.components.models import Component, ComponentGroup
from app.customers.models import Customer
from app.db.base import Base
from app.db.changes import SiteState
from app.incidents.models import Incident, IncidentComponent, IncidentCustomer, Update
from app.web.idempotency import IdempotencyRecord

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "CommsPolicy",
    "Component",
    "ComponentGroup",
    "Customer",
    "DraftReview",
    "Example",
    "IdempotencyRecord",
    "Incident",
    "IncidentComponent",
    "IncidentCustomer",
    "MessageTemplate",
    "Pause",
    "SiteState",
    "ToneRule",
    "Update",
    "User",
]
