"""Who may approve what: pure rules of the approval policy (only approved words go out, and
a waived review says so in the audit log)."""

from __future__ import annotations

from dataclasses import dataclass

from app import audience
from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act

MAJOR_IMPACTS = ("major", "critical")
WAIVER_NO_REVIEW = "approval not required by policy"
WAIVER_AUTHOR_APPROVED = "author approved own draft for a public major incident (policy allows)"


@dataclass(frozen=True)
class Policy:
    # By default every outward update needs a comms lead's approval.
    require_approval: bool = True
    # By default the author of a draft for a public major incident cannot approve it alone.
    author_may_approve_major: bool = False
    # Off by default: words reaching a customer whose language is set must carry it.
    require_customer_language: bool = False


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    waiver: str | None = None


def may_approve(
    policy: Policy, *, actor: Actor, author_id: str | None, visibility: str, impact: str
) -> Decision:
    """May `actor` approve a draft written by `author_id` (an identity) for an incident like
    this?"""
    if not permissions.may(actor, Act.APPROVE):
        return Decision(
            False,
            f"{Act.APPROVE.value} needs the {permissions.needs(Act.APPROVE).value} role; "
            f"you have {actor.role.value}",
        )
    four_eyes = audience.reaches_everyone(visibility) and impact in MAJOR_IMPACTS
    if four_eyes and permissions.is_author(actor, author_id):
        if not policy.author_may_approve_major:
            return Decision(
                False,
                "you wrote this draft for a public major incident; another comms lead must "
                "approve it",
            )
        return Decision(True, waiver=WAIVER_AUTHOR_APPROVED)
    return Decision(True)


def publishes_on_submit(policy: Policy) -> Decision:
    """Without required review, submitting publishes at once (recorded as a waiver)."""
    if policy.require_approval:
        return Decision(False)
    return Decision(True, waiver=WAIVER_NO_REVIEW)


def missing_languages(
    policy: Policy, *, carried: list[str], readers: list[tuple[str, str | None]]
) -> list[tuple[str, str]]:
    """The readers (customer name, language) whose language the words do not carry, when
    the policy requires each customer's language; [] when it does not, or all are carried.
    A customer without a language reads the site's, which every update carries."""
    if not policy.require_customer_language:
        return []
    return [(name, lang) for name, lang in readers if lang and lang not in carried]
