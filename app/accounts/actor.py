"""The person or tool behind a request, as services see it."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts import permissions
from app.accounts.models import Role

# How an `Actor.id` says what kind of identity it is.
KEY_ID, USER_ID, SYSTEM_ID = "key:", "user:", "system:"


@dataclass(frozen=True)
class Actor:
    """`id` is who acts (`key:<key id>`, `user:<user id>`, or `system:<what>` for the
    service's own acts); rules compare it. `name` is for people to read: two keys may share
    one, and a user may be renamed."""

    name: str
    role: Role
    id: str

    def has_role(self, needed: Role) -> bool:
        """Roles are ordered: admin > comms lead > responder; higher may do all lower may."""
        return permissions.at_least(self.role, needed)

    @classmethod
    def for_key(cls, key_id: str, *, name: str, role: Role) -> Actor:
        return cls(id=f"{KEY_ID}{key_id}", name=f"key:{name}", role=role)

    @classmethod
    def for_user(cls, user_id: str, *, username: str, role: Role) -> Actor:
        return cls(id=f"{USER_ID}{user_id}", name=username, role=role)

    @classmethod
    def system(cls, what: str, *, name: str, role: Role) -> Actor:
        """The service acting on its own (a schedule, an import): nobody's words but its own."""
        return cls(id=f"{SYSTEM_ID}{what}", name=name, role=role)

    @property
    def may_publish(self) -> bool:
        """Shorthand for `permissions.may(actor, Act.PUBLISH)`, for adapters that choose
        between publishing and drafting."""
        return permissions.may(self, permissions.Act.PUBLISH)
