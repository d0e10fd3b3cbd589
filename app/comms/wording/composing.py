"""The one draft form's state between page loads: what was on the screen, and what choosing
a template does to it. Typed words are never thrown away unless the writer asks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.comms.models import MessageTemplate
from app.comms.wording import examples, tone
from app.comms.wording import templates as wording
from app.comms.wording.template_languages import template_in
from app.comms.wording.templates import Rendered, Site
from app.comms.wording.tone_rules import check_tone
from app.customers.service import get_customer
from app.incidents.models import Incident, Update
from app.lib.errors import DomainError
from app.lib.languages import known_language

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
    # The same words in other languages ("words:<language>" on the form; empty ones left
    # out), and the language whose words the writer asked the template to fill.
    translations: dict[str, str] = field(default_factory=dict)
    fill_language: str = ""

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
            translations=translations_from_form(form),
            fill_language=get("fill_language"),
        )


def translations_from_form(form: Mapping[str, Any]) -> dict[str, str]:
    """The draft form's words in other languages, {language: words}, the empty ones left out
    (an emptied language is removed from the draft)."""
    return {
        str(k)[6:]: str(form.get(k) or "").strip()
        for k in form
        if str(k).startswith("words:") and str(form.get(k) or "").strip()
    }


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
    translations: dict[str, str] = field(default_factory=dict)
    # Language -> a note on how its words were filled (from another language's template).
    language_notes: dict[str, str] = field(default_factory=dict)


async def _render(
    session: AsyncSession,
    site: Site,
    template: MessageTemplate,
    incident: Incident,
    state: Composing,
) -> wording.Rendered:
    """`template` rendered for this incident and the form's customer, its promise left for
    publishing to make."""
    return await wording.render_template(
        session,
        site,
        subject=template.subject,
        body=template.body,
        incident_id=incident.id,
        status=template.status,
        customer_id=state.customer_id or None,
        defer_promise=True,
    )


async def compose(
    session: AsyncSession, site: Site, incident: Incident, state: Composing
) -> Composed:
    """Apply the chosen template to the form: it fills an empty body, and replaces typed
    words only with `replace`; otherwise the words stay and the page says why."""
    status = state.status or incident.status
    if state.fill_language:
        return await fill_language(session, site, incident, state)
    if state.insert_example:  # "Insert" on an example: its words after the writer's own
        try:
            words = await examples.example_words(session, state.insert_example)
        except DomainError as exc:
            return Composed(status=status, body=state.body, problem=exc.message)
        composed = Composed(status=status, body=examples.inserted(state.body, words))
        composed.translations = dict(state.translations)
        return composed
    if not state.template_id:
        return Composed(status=status, body=state.body, translations=dict(state.translations))
    try:
        template = await wording.get_template(session, state.template_id)
        preview = await _render(session, site, template, incident, state)
    except DomainError as exc:
        return Composed(
            status=status, body=state.body, problem=exc.message, translations=state.translations
        )
    typed = state.body.strip() and state.body.strip() != preview.body.strip()
    if typed and not state.replace:
        return Composed(
            status=status,
            body=state.body,
            preview=preview,
            kept_words=True,
            translations=dict(state.translations),
        )
    status = template.status
    findings = await check_tone(session, incident=incident, status=status, body=preview.body)
    return Composed(
        status=status,
        body=preview.body,
        preview=preview,
        findings=findings,
        translations=dict(state.translations),
    )


async def fill_language(
    session: AsyncSession, site: Site, incident: Incident, state: Composing
) -> Composed:
    """ "Fill from the template" in one language: the chosen template's counterpart in that
    language renders into its words (the site's template, said so, when it has none); the
    rest of the form stays as it was."""
    status = state.status or incident.status
    composed = Composed(status=status, body=state.body, translations=dict(state.translations))
    language = known_language(state.fill_language)
    if language is None or language == site.language:
        composed.problem = f"no other language {state.fill_language!r} to fill"
        return composed
    if not state.template_id:
        composed.problem = "choose a template first, then fill a language from it"
        return composed
    try:
        chosen = await wording.get_template(session, state.template_id)
        template, note = await template_in(session, chosen, language)
        rendered = await _render(session, site, template, incident, state)
    except DomainError as exc:
        composed.problem = exc.message
        return composed
    composed.translations[language] = rendered.body
    if note:
        composed.language_notes[language] = note
    return composed


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
