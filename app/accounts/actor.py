"""The person or tool behind a request, as services see it."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import Role

_RANK = {Role.RESPONDER: 1, Role.COMMS_LEAD: 2, Role.ADMIN: 3}


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role

    def has_role(self, needed: Role) -> bool:
        """Roles are ordered: admin > comms lead > responder; higher may do all lower may."""
        return _RANK[self.role] >= _RANK[needed]

    @property
    def may_publish(self) -> bool:
        return self.has_role(Role.COMMS_LEAD)


SYSTEM = Actor(name="system", role=Role.ADMIN)
