"""The person or tool behind a request, as services see it."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts import permissions
from app.accounts.models import Role


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role

    def has_role(self, needed: Role) -> bool:
        """Roles are ordered: admin > comms lead > responder; higher may do all lower may."""
        return permissions.at_least(self.role, needed)

    @property
    def may_publish(self) -> bool:
        """Shorthand for `permissions.may(actor, Act.PUBLISH)`, for adapters that choose
        between publishing and drafting."""
        return permissions.may(self, permissions.Act.PUBLISH)
