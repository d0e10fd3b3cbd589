"""What an update email says, for one reader: the context of `templates/email/incident-update/`.

Pure: the caller (the worker, or the desk's preview) gives the incident, the update and
the components this reader may see with their status now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.components.status import ComponentStatus
from app.customers.models import Customer
from app.customers.page_links import fill
from app.delivery.reader_words import reader_words
from app.incidents.models import Incident, Update
from app.incidents.status import FINAL_STATUSES, status_label
from app.lib.clock import as_utc
from app.settings import Settings

# What colour the update's status wears in an email: done is green, planned work blue,
# an open incident the colour of its impact. Light values pass WCAG AA on white; the
# template's dark-mode style swaps in the bright ones.
_TONE = {"resolved": "ok", "completed": "ok", "scheduled": "maint", "in_progress": "maint"}
_IMPACT_TONE = {"none": "maint", "minor": "degraded", "major": "partial", "critical": "major"}
_STATUS_TONE = {
    ComponentStatus.OPERATIONAL: "ok",
    ComponentStatus.UNDER_MAINTENANCE: "maint",
    ComponentStatus.DEGRADED_PERFORMANCE: "degraded",
    ComponentStatus.PARTIAL_OUTAGE: "partial",
    ComponentStatus.MAJOR_OUTAGE: "major",
}
COLOURS = {
    "ok": ("#1a7f37", "#3fb950"),
    "maint": ("#0969da", "#58a6ff"),
    "degraded": ("#8a5c00", "#d29922"),
    "partial": ("#b04700", "#f0883e"),
    "major": ("#cf222e", "#ff7b72"),
}


# Words that already make the next-update promise ("We'll post the next update by 14:33",
# "we'll update you within 2 hours"): the email then does not say it a second time.
_PROMISE_WORDS = re.compile(
    r"\bnext update\b|\bupdate you\b|\b(?:post|send|share) (?:an|another) update\b", re.I
)


def states_promise(body: str, next_update_at: datetime | None, zone: ZoneInfo) -> bool:
    """Whether the words already say when the next update comes: its time, or a promise."""
    if next_update_at is None:
        return False
    if as_utc(next_update_at).astimezone(zone).strftime("%H:%M") in body:
        return True
    return _PROMISE_WORDS.search(body) is not None


@dataclass(frozen=True)
class EmailComponent:
    name: str
    status: ComponentStatus

    @property
    def tone(self) -> str:
        return _STATUS_TONE[self.status]


def update_email_context(
    settings: Settings,
    *,
    incident: Incident,
    update: Update,
    customer: Customer | None,
    manage_url: str,
    unsubscribe_url: str,
    components: list[EmailComponent] | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """What `templates/email/incident-update/` needs for one reader (None: the public).

    `components` are the affected components this reader may see, with their status now;
    without it (a preview), the incident's own statuses stand in. `language` is the reader's
    (`app.lib.languages.message_language`; None: the site's): the email's own words, its
    dates and its `lang` follow it, and the update's words are those in it when the update
    carries it, else the site's, with a line saying so (`not_yet_in_language`).
    """
    language = language or settings.language
    prefix = f"/c/{customer.token}" if customer else ""
    if components is None:
        components = [
            EmailComponent(link.component.name, ComponentStatus(link.status))
            for link in incident.components
        ]
    is_open = update.status not in FINAL_STATUSES
    promise = (update.next_update_at or incident.next_update_at) if is_open else None
    incident_url = f"{settings.base_url}{prefix}/incidents/{incident.id}"
    chosen = reader_words(settings, update, language)
    body = fill(chosen.words, incident_url)
    return {
        "language": chosen.reader_language,
        "words_language": chosen.language,
        "not_yet_in_language": chosen.fell_back,
        "page_name": settings.page_name,
        "customer_name": customer.name if customer else None,
        "incident": incident,
        "update": update,
        # The words with this reader's own page link where the writer put `{{ page_url }}`.
        "body": body,
        "status_label": status_label(update.status),
        "tone": _TONE.get(update.status) or _IMPACT_TONE.get(incident.impact, "degraded"),
        "colours": COLOURS,
        "impact": incident.impact.capitalize(),
        "is_maintenance": incident.kind == "maintenance",
        "components": components,
        "posted_at": update.published_at or update.created_at,
        # The promise is said once: by the words when they say it, else by its own line.
        "next_update_at": None if states_promise(body, promise, settings.zone) else promise,
        "incident_url": incident_url,
        "page_url": f"{settings.base_url}{prefix}/",
        "base_url": settings.base_url,
        "manage_url": manage_url,
        "unsubscribe_url": unsubscribe_url,
    }
