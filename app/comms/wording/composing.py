"""The one draft form's state between page loads: what was on the screen, and what choosing
a template does to it. Typed words are never thrown away unless the writer asks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.comms.wording import examples, tone
from app.comms.wording import templates as wording
from app.comms.wording.templates import Rendered, Site
from app.comms.wording.tone_rules import check_tone
from app.customers.service import get_customer
from app.incidents.models import Incident, Update
from app.lib.errors import DomainError

KEPT_WORDS = (
    "Your words are kept; the template was not applied. "
    "Press “Replace my words with the template” to use it instead."
)


@dataclass
class Composing:
    """The draft form as submitted: template, reader, status, words, and whether the writer
    asked for the template to replace their words."""

    template_id: str = ""
    customer_id: str = ""
    status: str = ""
    body: str = ""
    replace: bool = False
    # Component id -> the status these words set ("cs:<id>" selects on the form).
    components: dict[str, str] = field(default_factory=dict)
    # The "next update" picker: minutes or "at", and the time of "at" (HH:MM).
    promise: str = ""
    promise_at: str = ""
    # A past example's update id whose words the writer asked to insert ("Insert").
    insert_example: str = ""

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> Composing:
        def get(name: str) -> str:
            return str(form.get(name) or "").strip()

        return cls(
            template_id=get("template_id") or get("template"),
            customer_id=get("customer"),
            status=get("status"),
            body=str(form.get("body") or ""),
            replace=get("replace") == "1",
            components={str(k)[3:]: get(k) for k in form if str(k).startswith("cs:") and get(k)},
            promise=get("promise"),
            promise_at=get("promise_at"),
            insert_example=get("insert_example"),
        )


@dataclass
class Composed:
    """What the page shows in the form, and what the template gave (when one was applied
    or is waiting to be)."""

    status: str
    body: str
    preview: Rendered | None = None
    findings: list[tone.Finding] = field(default_factory=list)
    problem: str = ""
    kept_words: bool = False


async def compose(
    session: AsyncSession, site: Site, incident: Incident, state: Composing
) -> Composed:
    """Apply the chosen template to the form: it fills an empty body, and replaces typed
    words only with `replace`; otherwise the words stay and the page says why."""
    status = state.status or incident.status
    if state.insert_example:  # "Insert" on an example: its words after the writer's own
        try:
            words = await examples.example_words(session, state.insert_example)
        except DomainError as exc:
            return Composed(status=status, body=state.body, problem=exc.message)
        return Composed(status=status, body=examples.inserted(state.body, words))
    if not state.template_id:
        return Composed(status=status, body=state.body)
    try:
        template = await wording.get_template(session, state.template_id)
        preview = await wording.render_template(
            session,
            site,
            subject=template.subject,
            body=template.body,
            incident_id=incident.id,
            status=template.status,
            customer_id=state.customer_id or None,
            defer_promise=True,
        )
    except DomainError as exc:
        return Composed(status=status, body=state.body, problem=exc.message)
    typed = state.body.strip() and state.body.strip() != preview.body.strip()
    if typed and not state.replace:
        return Composed(status=status, body=state.body, preview=preview, kept_words=True)
    status = template.status
    findings = await check_tone(session, incident=incident, status=status, body=preview.body)
    return Composed(status=status, body=preview.body, preview=preview, findings=findings)


async def email_subject_preview(
    session: AsyncSession, site: Site, incident: Incident, composed: Composed, customer_id: str
) -> str:
    """The subject the email will carry, from the function that builds the real email (the
    template's own subject line is not what is sent)."""
    if site.email is None:
        return wording.email_subject(site, incident, composed.status)
    customer = await get_customer(session, customer_id) if customer_id else None
    unsaved = Update(incident_id=incident.id, status=composed.status, body=composed.body)
    subject, _body = site.email(incident, unsaved, customer)
    return subject
