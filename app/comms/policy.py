"""Who may approve what: pure rules of the approval policy (invariant 5)."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.actor import Actor
from app.incidents.status import Visibility

MAJOR_IMPACTS = ("major", "critical")
WAIVER_NO_REVIEW = "approval not required by policy"
WAIVER_AUTHOR_APPROVED = "author approved own draft for a public major incident (policy allows)"


@dataclass(frozen=True)
class Policy:
    # By default every outward update needs a comms lead's approval.
    require_approval: bool = True
    # By default the author of a draft for a public major incident cannot approve it alone.
    author_may_approve_major: bool = False


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    waiver: str | None = None


def may_approve(
    policy: Policy, *, actor: Actor, author: str, visibility: str, impact: str
) -> Decision:
    """May `actor` approve a draft written by `author` for an incident like this?"""
    if not actor.may_publish:
        return Decision(False, f"approving needs the comms_lead role; you have {actor.role.value}")
    four_eyes = visibility == Visibility.PUBLIC and impact in MAJOR_IMPACTS
    if four_eyes and actor.name == author:
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
