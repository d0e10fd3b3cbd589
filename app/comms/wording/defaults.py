"""The template set every install starts with.

Templates are plain, specific and human: they say what is affected and what people notice,
apologise when the impact is major, and always give the time of the next update while the
incident is open. They are installed the first time they are needed (a triage incident
accepted, the demo loaded) and then belong to the team, who may edit or replace them.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.comms.models import MessageTemplate
from app.comms.schemas import TemplateCreate
from app.comms.wording.templates import add_template

SORRY = (
    '{% if impact in ("major", "critical") %}We\'re sorry for the disruption this is causing. '
    "{% endif %}"
)

TEMPLATES = [
    (
        "Investigating",
        "investigating",
        "{{ title }}: we're investigating",
        SORRY + "Since {{ started_at }}, some of you may have trouble using "
        "{{ components_text }}. We're investigating now.\n\n"
        "We'll post the next update by {{ next_update_at }}, sooner if we learn more.",
        "Say what people notice, not what we think broke. No guesses about the cause yet.",
    ),
    (
        "Identified",
        "identified",
        "{{ title }}: cause found",
        SORRY + "We've found what is wrong with {{ components_text }} and are working on a "
        "fix.\n\nWe'll post the next update by {{ next_update_at }}.",
        "Describe the cause in words a customer understands; no host names or ticket ids.",
    ),
    (
        "Monitoring",
        "monitoring",
        "{{ title }}: fix in place",
        SORRY + "A fix is in place and {{ components_text }} "
        "{{ 'is' if components|length < 2 else 'are' }} working again. We're watching closely "
        "to make sure it stays that way.\n\nWe'll post the next update by {{ next_update_at }}.",
        "Say what the reader can do now (retry, nothing needed).",
    ),
    (
        "Resolved",
        "resolved",
        "{{ title }}: resolved",
        "This is resolved: {{ components_text }} "
        "{{ 'is' if components|length < 2 else 'are' }} working normally since this update. "
        '{% if impact in ("major", "critical") %}We\'re sorry for the trouble; we\'ll share '
        "what we're changing so it doesn't happen again.{% else %}Thank you for your "
        "patience.{% endif %}",
        "Say how long it lasted and what was affected; promise a review for major incidents.",
    ),
    (
        "Postmortem",
        "postmortem",
        "{{ title }}: what happened and what we're changing",
        "### What happened\n\n"
        "On {{ started_on }}, {{ components_text }} stopped working as it should"
        "{% if lasted %}, for {{ lasted }} until {{ resolved_on }}{% endif %}. "
        "[Say what went wrong in words a customer understands, and how we found and fixed it.]"
        "\n\n### Impact\n\n"
        "[Who was affected, what they could not do, and for how long.]\n\n"
        "### What we are changing\n\n"
        "- [A change that stops this from happening again, and when it will be done.]\n"
        "- [A change that helps us notice or fix it sooner.]\n\n"
        '{% if impact in ("major", "critical") %}We\'re sorry for the disruption this caused. '
        "{% endif %}Thank you for your patience.",
        "Blameless and specific: what happened, the impact in the reader's terms, and the "
        "changes we commit to, with dates. Replace every [bracketed] line before submitting.",
    ),
    (
        "Maintenance scheduled",
        "scheduled",
        "Planned maintenance: {{ title }}",
        "We'll carry out planned maintenance on {{ components_text }} from {{ window_start }} "
        "to {{ window_end }}. We'll post an update here when the work starts and when it ends.",
        "Say what people will notice during the window, and for how long at most.",
    ),
    (
        "Maintenance in progress",
        "in_progress",
        "Maintenance started: {{ title }}",
        "The planned maintenance on {{ components_text }} has started and should end by "
        "{{ window_end }}. We'll post the next update by {{ next_update_at }}.",
        "",
    ),
    (
        "Maintenance verifying",
        "verifying",
        "Maintenance: checking the results",
        "The maintenance work on {{ components_text }} is done and we're checking that "
        "everything works as it should. We'll post the next update by {{ next_update_at }}.",
        "",
    ),
    (
        "Maintenance completed",
        "completed",
        "Maintenance completed: {{ title }}",
        "The planned maintenance on {{ components_text }} is complete and everything is "
        "working normally. Thank you for your patience.",
        "",
    ),
]


async def install_default_templates(session: AsyncSession, *, actor: Actor) -> int:
    """Install the default set into an install that has no templates; returns how many."""
    if await session.scalar(select(func.count()).select_from(MessageTemplate)):
        return 0
    for name, status, subject, body, notes in TEMPLATES:
        await add_template(
            session,
            actor=actor,
            data=TemplateCreate(name=name, status=status, subject=subject, body=body, notes=notes),
        )
    return len(TEMPLATES)
