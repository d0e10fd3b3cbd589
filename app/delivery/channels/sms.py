"""SMS through Twilio's Messages API: a short text (title, status, one line, the page link)
POSTed form-encoded with the account's Basic auth, paced per provider account.

SMS costs money per part and interrupts people, so by default it carries only what matters
most, as Statuspage does: an incident's first words and its resolution, a maintenance's
start and end; a reviewer may choose to send other words by SMS too (`Update.send_by_sms`).
Replies (STOP, START, HELP) come back through `app.subscribers.sms_replies`.

Twilio's base URL is the operator's own setting, not a URL a stranger typed: it is dialled
through the guarded client with private addresses allowed (a relay, a test peer), while
every URL a user gives stays under the public-address rule.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from app.customers.page_links import fill
from app.db.pace import reserve
from app.delivery.channels.base import Channel, Shared
from app.delivery.channels.bounded_http import retry_after
from app.delivery.models import Message
from app.delivery.queue import Outcome
from app.delivery.reader_words import reader_words
from app.incidents.models import Incident, Update
from app.incidents.status import IncidentKind, IncidentStatus, MaintenanceStatus, status_label
from app.lib.errors import Conflict
from app.lib.guarded_http import TRANSPORT_ERRORS, GuardedSession, bounded_post
from app.lib.netguard import AddressRefused
from app.lib.phones import clean_phone
from app.lib.sms_segments import GSM7, UCS2, segments
from app.lib.templating import Renderer
from app.settings import Settings
from app.subscribers import tokens
from app.subscribers.models import Subscriber, SubscriberKind
from app.subscribers.service import existing_phone

if TYPE_CHECKING:
    from app.delivery.messages import Batch
    from app.delivery.models import Delivery
    from app.delivery.news import News

KIND = SubscriberKind.SMS.value
# Twilio's error code for a number that replied STOP: it will refuse every later message.
UNSUBSCRIBED_CODE = 21610
# What one SMS holds, in each encoding's units.
ONE_SMS = {GSM7: 160, UCS2: 70}
# The one line of the words an SMS carries, at most this long (a whole SMS is 160).
LINE_CHARS = 100
# Shorter than this, a line says too little: the text goes as two SMS rather than be cut.
SHORTEST_LINE = 40
# A text with one character outside GSM-7 (any Japanese, or a French "ç") is UCS-2, whose
# SMS holds 70: its line keeps the same share of an SMS, and Japanese says as much in it.
LINE_CHARS_UCS2 = LINE_CHARS * ONE_SMS[UCS2] // ONE_SMS[GSM7]
SHORTEST_LINE_UCS2 = SHORTEST_LINE * ONE_SMS[UCS2] // ONE_SMS[GSM7]
# Where a line without spaces (Japanese) may be cut: after a comma or a full stop.
# (The full-width comma, full stop, exclamation and question marks are written escaped.)
_PAUSES = "、。,.;:!?\uff0c\uff0e\uff01\uff1f"

# The moments SMS carries without being asked: (incident kind, status) pairs, besides an
# incident's first published words.
_BY_DEFAULT = {
    (IncidentKind.INCIDENT.value, IncidentStatus.RESOLVED.value),
    (IncidentKind.MAINTENANCE.value, MaintenanceStatus.IN_PROGRESS.value),
    (IncidentKind.MAINTENANCE.value, MaintenanceStatus.COMPLETED.value),
}


def carries(incident: Incident, update: Update, first: bool) -> bool:
    """Whether these words go out by SMS: chosen by the reviewer, or one of the moments SMS
    carries by default (an incident opens or resolves, a maintenance starts or ends)."""
    if update.send_by_sms:
        return True
    if first and incident.kind == IncidentKind.INCIDENT.value:
        return True
    return (incident.kind, update.status) in _BY_DEFAULT


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164
    body: str


# Characters that would make a whole SMS UCS-2 (70 a part instead of 160), and the GSM-7
# they read as.
_PLAIN = str.maketrans(
    {
        "\u2018": "'",  # left and right single quotation marks
        "\u2019": "'",
        "\u201c": '"',  # left and right double quotation marks
        "\u201d": '"',
        "\u2013": "-",  # en and em dashes
        "\u2014": "-",
        "\u2026": "...",  # ellipsis
        "\u00a0": " ",  # no-break space
    }
)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"[*_`#>]+")


def one_line(words: str, limit: int = LINE_CHARS) -> str:
    """The first line of Markdown words as plain text, cut at a word to `limit` characters
    (in a language written without spaces, after its last pause, else where it must)."""
    line = next((x for x in words.splitlines() if x.strip()), "")
    line = _MARKS.sub("", _LINK.sub(r"\1", line)).translate(_PLAIN)
    line = " ".join(line.lstrip("-+ ").split())
    if len(line) <= limit:
        return line
    head = line[: limit - 3]
    # A cut that keeps less than half the room says too little: Japanese words with one
    # Latin name in them ("API で…") have a space, but not where to cut.
    at_word = head.rsplit(" ", 1)[0]
    at_pause = max(head.rfind(mark) for mark in _PAUSES)
    if len(at_word) >= len(head) // 2 and at_word != head:
        cut = at_word
    elif at_pause >= len(head) // 2:
        cut = head[:at_pause]
    else:
        cut = head
    return cut.rstrip(",;:.、。\uff0c\uff0e") + "..."


def update_text(
    renderer: Renderer,
    settings: Settings,
    incident: Incident,
    update: Update,
    url: str,
    *,
    language: str | None = None,
) -> str:
    """An update's SMS as its reader gets it, `url` being the reader's own page link and
    `language` theirs (absent: the site's; see `app.delivery.reader_words`).

    The words' line is cut shorter when that makes the whole text one SMS instead of two:
    each reader costs half as much, and the page link carries the rest."""
    chosen = reader_words(settings, update, language)
    words = fill(chosen.words, url)

    def render(limit: int) -> str:
        text = renderer.render(
            f"sms/{Message.INCIDENT_UPDATE.value}/body.txt",
            page_name=settings.page_name,
            title=incident.title,
            status=status_label(update.status),
            line=one_line(words, limit),
            note=chosen.note(),
            url=url,
            language=chosen.reader_language,
        )
        return text.strip().translate(_PLAIN)

    longest, shortest = LINE_CHARS, SHORTEST_LINE
    text = render(longest)
    measured = segments(text)
    if measured.encoding == UCS2:
        longest, shortest = LINE_CHARS_UCS2, SHORTEST_LINE_UCS2
        text = render(longest)
        measured = segments(text)
    shortened = len(one_line(words, longest)) - (measured.units - ONE_SMS[measured.encoding])
    if measured.count > 1 and shortened >= shortest:
        shorter = render(shortened)
        if segments(shorter).count == 1:
            return shorter
    return text


def preview(renderer: Renderer, settings: Settings) -> Callable[[Incident, Update], str]:
    """An update's SMS as the public's subscribers would get it, for reviewers."""

    def text(incident: Incident, update: Update) -> str:
        url = f"{settings.base_url}/incidents/{incident.id}"
        return update_text(renderer, settings, incident, update, url)

    return text


class TwilioSender:
    """One lane's handle on Twilio: its own small guarded client, which may dial the
    operator's base URL wherever it points."""

    def __init__(self, shared: Shared) -> None:
        self.settings = shared.settings
        self.body_cap = shared.body_cap
        self.sessionmaker = shared.sessionmaker
        self._http: GuardedSession | None = None

    def _missing(self) -> str | None:
        s = self.settings
        for name, value in (
            ("TIDINGS_TWILIO_ACCOUNT_SID", s.twilio_account_sid),
            ("TIDINGS_TWILIO_AUTH_TOKEN", s.twilio_auth_token),
            ("TIDINGS_TWILIO_FROM", s.twilio_from),
        ):
            if not value:
                return name
        return None

    async def send(self, message: SmsMessage, *, deadline: float) -> Outcome:
        missing = self._missing()
        if missing is not None:
            return Outcome(ok=False, error=f"SMS: {missing} is not set", permanent=True)
        s = self.settings
        sid = s.twilio_account_sid or ""
        # The account's pace, kept by every worker process together: this send's moment.
        async with self.sessionmaker() as session:
            wait = await reserve(session, f"twilio:{sid}", per_second=s.sms_per_second)
            await session.commit()
        if wait > deadline / 2:
            # Too far off for this attempt: its moment passes unused, and it is tried again.
            return Outcome(ok=False, error="SMS: the account's rate limit", retry_after=wait)
        if wait:
            await asyncio.sleep(wait)
        url = f"{s.twilio_base_url}/2010-04-01/Accounts/{quote(sid, safe='')}/Messages.json"
        auth = base64.b64encode(f"{sid}:{s.twilio_auth_token}".encode()).decode()
        headers = {
            "authorization": f"Basic {auth}",
            "content-type": "application/x-www-form-urlencoded",
            "accept": "application/json",
            "user-agent": "Tidings/1",
        }
        form = {"To": message.to, "From": s.twilio_from or "", "Body": message.body}
        if self._http is None:
            self._http = GuardedSession(allow_private=True, limit=2)
        try:
            reply = await bounded_post(
                self._http,
                url,
                content=urlencode(form).encode(),
                headers=headers,
                deadline=deadline - wait,
                cap=self.body_cap,
            )
        except TimeoutError:
            return Outcome(ok=False, error=f"Twilio: no complete answer within {deadline:g} s")
        except AddressRefused as exc:
            return Outcome(ok=False, error=f"Twilio: {exc.message}", permanent=True)
        except TRANSPORT_ERRORS as exc:
            return Outcome(ok=False, error=f"Twilio: {type(exc).__name__}: {exc}")
        return judge(reply.status, reply.body, reply.headers.get("retry-after"))

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()


def judge(status: int, body: bytes, retry: str | None) -> Outcome:
    """Twilio's answer as an outcome: 2xx sent; 429 and 5xx tried again; code 21610 (the
    number replied STOP) disables the subscriber; any other 4xx cannot get better."""
    if 200 <= status < 300:
        return Outcome(ok=True)
    code, words = _error_of(body)
    error = f"Twilio HTTP {status}" + (f" (code {code})" if code else "") + f": {words}"
    if status == 429 or status >= 500:
        return Outcome(ok=False, error=error, retry_after=retry_after(retry))
    if code == UNSUBSCRIBED_CODE:
        return Outcome(ok=False, error=error, permanent=True, disable=True)
    return Outcome(ok=False, error=error, permanent=True)


def _error_of(body: bytes) -> tuple[int | None, str]:
    try:
        data = json.loads(body)
    except ValueError:
        return None, body[:200].decode("utf-8", "replace")
    if not isinstance(data, dict):
        return None, ""
    code = data.get("code")
    return (code if isinstance(code, int) else None), str(data.get("message", ""))[:200]


async def validate(
    session: AsyncSession,
    *,
    address: str | None,
    url: str | None,
    customer_id: str | None,
    allow_private: bool,
) -> Subscriber:
    """A valid number (kept in E.164) that this reader has not subscribed already."""
    number = clean_phone(address, field="address")
    existing = await existing_phone(session, number, customer_id)
    if existing is not None and existing.unsubscribed_at is None:
        raise Conflict(f"{number} is already subscribed", field="address")
    return Subscriber(kind=KIND, address=number)


async def update_message(
    batch: Batch, delivery: Delivery, subscriber: Subscriber, news: News
) -> SmsMessage:
    url = f"{batch.settings.base_url}{batch.prefix(subscriber)}/incidents/{news.incident.id}"
    text = update_text(
        batch.renderer,
        batch.settings,
        news.incident,
        news.update,
        url,
        language=batch.language(subscriber),
    )
    return SmsMessage(subscriber.address or "", text)


async def confirmation(batch: Batch, delivery: Delivery, subscriber: Subscriber) -> SmsMessage:
    """The code that confirms a number, or (asked again once confirmed) that it is."""
    s = batch.settings
    customer = batch.customers.get(subscriber.customer_id or "")
    template = (
        Message.ALREADY_SUBSCRIBED
        if delivery.message == Message.ALREADY_SUBSCRIBED
        else Message.CONFIRMATION
    )
    text = batch.renderer.render(
        f"sms/{template.value}/body.txt",
        page_name=s.page_name,
        customer_name=customer.name if customer else None,
        code=tokens.sms_code(s.secret_key, subscriber.id),
        language=batch.language(subscriber),
    )
    return SmsMessage(subscriber.address or "", text.strip())


CHANNEL = Channel[SmsMessage](
    kind=KIND,
    label="SMS",
    noun="SMS number",
    target="address",
    validate=validate,
    update_message=update_message,
    confirmation=confirmation,
    open=TwilioSender,
    carries=carries,
)
