"""Who may do what: the one table of acts and the role each needs, and the few rules that
also look at whose words they are. Pure: no database, no web.

Roles are ordered (admin > comms lead > responder); a higher role may do all a lower one
may. Service verbs call `require*` themselves, whoever calls them; route guards read
the act each route states (`opt={"act": Act.X}`), so that a page or an API refuses early
with the same answer.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import Protocol

from app.accounts.models import Role
from app.lib.errors import PermissionDenied

_RANK = {Role.RESPONDER: 1, Role.COMMS_LEAD: 2, Role.ADMIN: 3}


class Someone(Protocol):
    """The shape of an actor as far as permissions go (`app.accounts.actor.Actor`): its
    `id` says who it is; its name is only for display, and no rule reads it."""

    @property
    def id(self) -> str: ...

    @property
    def role(self) -> Role: ...


class Act(StrEnum):
    """Each thing a person or a key may be allowed to do; the value reads in a refusal."""

    READ_DESK = "reading incidents, drafts, templates and what was sent"
    OWN_ACCOUNT = "changing your own settings or signing out"
    DRAFT = "writing and submitting drafts"
    OPEN_INCIDENT = "opening and editing incidents"
    SET_COMPONENT_STATUS = "setting a component's status"
    PAUSE_PROMISES = "pausing next-update promises"
    EDIT_OTHERS_DRAFT = "changing another person's draft"
    APPROVE = "approving drafts"
    REJECT = "rejecting drafts"
    PUBLISH = "publishing"
    WAIVE_REVIEW = "publishing without the review queue"
    CHANGE_PUBLISHED = "changing published words or who reads them"
    DELETE_INCIDENT = "deleting incidents"
    MANAGE_TEMPLATES = "changing templates"
    MANAGE_EXAMPLES = "keeping examples"
    MANAGE_TONE = "changing tone rules"
    MANAGE_SUBSCRIBERS = "managing subscribers"
    RETRY_DELIVERIES = "retrying deliveries"
    IMPORT_PAGE = "importing a Statuspage page"
    MANAGE_POLICY = "changing the approval policy"
    MANAGE_COMPONENTS = "changing a component's name, group or position"
    MANAGE_CUSTOMERS = "managing customers"
    MANAGE_KEYS = "managing API keys and users"
    READ_INSIGHTS = "reading how well we communicated"


_NEEDS: dict[Act, Role] = {
    Act.READ_DESK: Role.RESPONDER,
    Act.OWN_ACCOUNT: Role.RESPONDER,
    Act.DRAFT: Role.RESPONDER,
    Act.OPEN_INCIDENT: Role.RESPONDER,
    Act.SET_COMPONENT_STATUS: Role.RESPONDER,
    Act.PAUSE_PROMISES: Role.RESPONDER,
    Act.EDIT_OTHERS_DRAFT: Role.COMMS_LEAD,
    Act.APPROVE: Role.COMMS_LEAD,
    Act.REJECT: Role.COMMS_LEAD,
    Act.PUBLISH: Role.COMMS_LEAD,
    Act.WAIVE_REVIEW: Role.COMMS_LEAD,
    Act.CHANGE_PUBLISHED: Role.COMMS_LEAD,
    Act.DELETE_INCIDENT: Role.COMMS_LEAD,
    Act.MANAGE_TEMPLATES: Role.COMMS_LEAD,
    Act.MANAGE_EXAMPLES: Role.COMMS_LEAD,
    Act.MANAGE_TONE: Role.COMMS_LEAD,
    Act.MANAGE_SUBSCRIBERS: Role.COMMS_LEAD,
    Act.RETRY_DELIVERIES: Role.COMMS_LEAD,
    Act.IMPORT_PAGE: Role.COMMS_LEAD,
    Act.MANAGE_POLICY: Role.ADMIN,
    Act.MANAGE_COMPONENTS: Role.ADMIN,
    Act.MANAGE_CUSTOMERS: Role.ADMIN,
    Act.MANAGE_KEYS: Role.ADMIN,
    Act.READ_INSIGHTS: Role.RESPONDER,
}

# What an edit of an incident may change that decides who reads its published words, or
# what the public reads: once words are out, these are a publishing act.
AUDIENCE_FIELDS = frozenset({"title", "visibility", "customers", "components"})
# What decides who reads words still waiting to go out (in the queue, or approved in
# advance): changing it moves them away from what their reviewer approved or will see,
# so it is the same publishing act.
PENDING_AUDIENCE_FIELDS = frozenset({"visibility", "customers"})


def at_least(role: Role, needed: Role) -> bool:
    return _RANK[role] >= _RANK[needed]


def needs(act: Act) -> Role:
    """The least role that may do `act`. A route states its act as `opt={"act": Act.X}`
    and the guard (`app.accounts.http.auth.needs_act`) calls `require` with it."""
    return _NEEDS[act]


def may(actor: Someone, act: Act) -> bool:
    return at_least(actor.role, _NEEDS[act])


def require(actor: Someone, act: Act, *, field: str | None = None) -> None:
    """Raise PermissionDenied (403) unless `actor` may do `act`, saying what it needs."""
    if not may(actor, act):
        raise PermissionDenied(
            f"{act.value} needs the {_NEEDS[act].value} role; you have {actor.role.value}",
            field=field,
        )


def is_author(actor: Someone, author_id: str | None) -> bool:
    """Whether `actor` is who wrote words whose author is `author_id` (an identity, never a
    display name; words with no known author are nobody's)."""
    return author_id is not None and actor.id == author_id


def may_change_draft(actor: Someone, *, author_id: str | None) -> bool:
    """A draft is its author's to change, and any comms lead's."""
    return is_author(actor, author_id) or may(actor, Act.EDIT_OTHERS_DRAFT)


def require_change_draft(actor: Someone, *, author_id: str | None) -> None:
    if not may_change_draft(actor, author_id=author_id):
        raise PermissionDenied("only its author or a comms lead may change this draft")


def require_publish(actor: Someone, *, author_id: str | None, review_required: bool = True) -> None:
    """Publishing needs a comms lead; when the approval policy waives review, the words'
    own author may let them out too. Callers pass `review_required=False` only from the
    stored policy."""
    if review_required or not may_change_draft(actor, author_id=author_id):
        require(actor, Act.PUBLISH)


def require_edit_update(actor: Someone, *, author_id: str | None, published: bool) -> None:
    """Published words change as they are (a publishing act); a draft is its author's."""
    if published:
        if not may(actor, Act.CHANGE_PUBLISHED):
            raise PermissionDenied(
                f"these words are published; a {actor.role.value} may not change them",
                field="body",
            )
        return
    require_change_draft(actor, author_id=author_id)


def require_edit_incident(
    actor: Someone,
    *,
    has_published_words: bool,
    changed: Collection[str],
    has_pending_words: bool = False,
) -> None:
    """Anyone who may open incidents may edit them; but once words are published, changing
    who reads them or the title everyone reads is a publishing act, and so is changing its
    visibility or customers while words wait to go out (submitted, or approved in advance)."""
    require(actor, Act.OPEN_INCIDENT)
    if may(actor, Act.CHANGE_PUBLISHED):
        return
    if has_published_words:
        touched, words = sorted(AUDIENCE_FIELDS.intersection(changed)), "published words"
    else:
        touched = sorted(PENDING_AUDIENCE_FIELDS.intersection(changed))
        words = "words waiting to go out"
    if touched and (has_published_words or has_pending_words):
        raise PermissionDenied(
            f"this incident has {words}; changing its {', '.join(touched)} needs the "
            f"{_NEEDS[Act.CHANGE_PUBLISHED].value} role (you have {actor.role.value}); "
            "component statuses and drafts are yours to change",
            field=touched[0],
        )


def require_component_change(actor: Someone, *, changed: Collection[str]) -> None:
    """Any key may push a component's status (monitoring does); the rest is an admin's."""
    if set(changed) - {"status"}:
        if not may(actor, Act.MANAGE_COMPONENTS):
            raise PermissionDenied(
                f"{Act.MANAGE_COMPONENTS.value} needs the admin role; a {actor.role.value} "
                "may only set its status",
                field="status",
            )
    else:
        require(actor, Act.SET_COMPONENT_STATUS)
