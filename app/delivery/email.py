"""Email: one message per recipient from `templates/email/<message>/`, sent over SMTP.

Each message has a stable Message-ID (a retry is recognisably the same message), threads
under the incident's first message, and carries RFC 8058 one-click unsubscribe headers.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import email
import email.policy
import functools
import secrets
from dataclasses import dataclass
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any, Protocol

import aiosmtplib

from app.delivery.queue import Outcome
from app.delivery.smtp_wire import SmtpWire
from app.lib.clock import utcnow
from app.lib.templating import Renderer
from app.settings import Settings


def message_domain(settings: Settings) -> str:
    address = parseaddr(settings.email_from)[1]
    return address.rpartition("@")[2] or "localhost"


# CRLF line ends for SMTP; long headers (the unsubscribe URL) kept on one line.
_WIRE = email.policy.compat32.clone(linesep="\r\n", max_line_length=998)


@dataclass(frozen=True)
class OutgoingEmail:
    """A message ready for SMTP: envelope addresses and the bytes of the message."""

    sender: str
    recipient: str
    subject: str
    data: bytes


def _header(value: str) -> str | Header:
    return value if value.isascii() else Header(value, "utf-8")


def _address(value: str) -> str:
    name, address = parseaddr(value)
    if not name or name.isascii():
        return formataddr((name, address))
    return formataddr((str(Header(name, "utf-8")), address))


@dataclass(frozen=True)
class EmailParts:
    """What a message says: its subject and its text and HTML bodies, rendered in one
    language (its `Content-Language`)."""

    subject: str
    text: str
    html: str
    language: str | None = None

    def replace(self, mark: str, value: str) -> EmailParts:
        """The same words with `mark` (a per-recipient stand-in) replaced by `value`."""
        return EmailParts(
            self.subject.replace(mark, value),
            self.text.replace(mark, value),
            self.html.replace(mark, value),
            self.language,
        )


def render_parts(renderer: Renderer, template: str, context: dict[str, Any]) -> EmailParts:
    """The three templates of `templates/email/<template>/`, rendered with `context` (in
    its `language`, else the renderer's)."""
    folder = f"email/{template}"
    return EmailParts(
        subject=" ".join(renderer.render(f"{folder}/subject.txt", **context).split()),
        text=renderer.render(f"{folder}/body.txt", **context),
        html=renderer.render(f"{folder}/body.html", **context),
        language=context.get("language") or renderer.language,
    )


def assemble(
    settings: Settings,
    parts: EmailParts,
    *,
    to: str,
    message_id: str,
    thread_id: str | None = None,
    unsubscribe_url: str | None = None,
) -> OutgoingEmail:
    """A multipart text + HTML message of rendered `parts`, addressed to one reader.

    A fan-out builds thousands of these from the same few `parts`, so the bytes are laid
    out directly: the headers every reader shares are encoded once (`_shared_headers`),
    and each reader costs their own few ASCII headers and the base64 of the two bodies.
    Anything out of the ordinary (a non-ASCII address) goes through `email.mime` instead.
    """
    variable = [to, message_id, thread_id or "", unsubscribe_url or ""]
    if not all(value.isascii() and "\r" not in value and "\n" not in value for value in variable):
        return _assemble_mime(
            settings,
            parts,
            to=to,
            message_id=message_id,
            thread_id=thread_id,
            unsubscribe_url=unsubscribe_url,
        )
    boundary = f"=_tidings_{secrets.token_hex(12)}"
    lines = [
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "MIME-Version: 1.0",
    ]
    head = _shared_headers(parts.subject, settings.email_from)
    mine = [f"To: {to}", f"Date: {format_datetime(utcnow())}", f"Message-ID: {message_id}"]
    if thread_id and thread_id != message_id:
        mine += [f"In-Reply-To: {thread_id}", f"References: {thread_id}"]
    if unsubscribe_url:
        mine += [
            f"List-Unsubscribe: <{unsubscribe_url}>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        ]
    if parts.language:
        mine.append(f"Content-Language: {parts.language}")
    mine.append("Auto-Submitted: auto-generated")
    data = b"".join(
        [
            "\r\n".join(lines).encode() + b"\r\n",
            head,
            "\r\n".join(mine).encode() + b"\r\n\r\n",
            _part(boundary, "plain", parts.text),
            _part(boundary, "html", parts.html),
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return OutgoingEmail(
        sender=_envelope_sender(settings.email_from),
        recipient=to,
        subject=parts.subject,
        data=data,
    )


@functools.lru_cache(maxsize=256)
def _shared_headers(subject: str, sender: str) -> bytes:
    """Subject and From as the email package encodes them (RFC 2047 where not ASCII)."""
    msg = Message()
    msg["Subject"] = _header(subject)
    msg["From"] = _address(sender)
    return msg.as_bytes(policy=_WIRE).rstrip(b"\r\n") + b"\r\n"


@functools.lru_cache(maxsize=16)
def _envelope_sender(sender: str) -> str:
    return parseaddr(sender)[1]


def _part(boundary: str, subtype: str, body: str) -> bytes:
    # Lines of 76 characters, as MIME wants them, wrapped in C rather than by slicing.
    wrapped = base64.encodebytes(body.encode()).replace(b"\n", b"\r\n") or b"\r\n"
    return (
        f"\r\n--{boundary}\r\n"
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "MIME-Version: 1.0\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + wrapped


def _assemble_mime(
    settings: Settings,
    parts: EmailParts,
    *,
    to: str,
    message_id: str,
    thread_id: str | None = None,
    unsubscribe_url: str | None = None,
) -> OutgoingEmail:
    """The same message built with the `email.mime` classes, for unusual addresses."""
    msg = MIMEMultipart("alternative")
    msg["Subject"] = _header(parts.subject)
    msg["From"] = _address(settings.email_from)
    msg["To"] = to
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = message_id
    if thread_id and thread_id != message_id:
        msg["In-Reply-To"] = thread_id
        msg["References"] = thread_id
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if parts.language:
        msg["Content-Language"] = parts.language
    msg["Auto-Submitted"] = "auto-generated"
    msg.attach(MIMEText(parts.text, "plain", "utf-8"))
    msg.attach(MIMEText(parts.html, "html", "utf-8"))
    return OutgoingEmail(
        sender=parseaddr(settings.email_from)[1],
        recipient=to,
        subject=parts.subject,
        data=msg.as_bytes(policy=_WIRE),
    )


def build_message(
    renderer: Renderer,
    settings: Settings,
    *,
    template: str,
    to: str,
    context: dict[str, Any],
    message_id: str,
    thread_id: str | None = None,
    unsubscribe_url: str | None = None,
) -> OutgoingEmail:
    """A multipart text + HTML message from the three templates of `template`."""
    return assemble(
        settings,
        render_parts(renderer, template, context),
        to=to,
        message_id=message_id,
        thread_id=thread_id,
        unsubscribe_url=unsubscribe_url,
    )


class Mailer(Protocol):
    async def send(self, message: OutgoingEmail) -> Outcome: ...

    async def drop(self) -> None: ...

    async def close(self) -> None: ...


class SmtpMailer:
    """One SMTP connection, opened on first use and reused for every following message
    (pipelined where the server offers it: `app.delivery.smtp_wire`)."""

    def __init__(self, settings: Settings, timeout: float = 30.0) -> None:
        self._settings = settings
        self._timeout = timeout
        self._wire: SmtpWire | None = None

    async def send(self, message: OutgoingEmail) -> Outcome:
        s = self._settings
        try:
            if self._wire is None or not self._wire.is_open:
                self._wire = await SmtpWire.open(
                    host=s.smtp_host,
                    port=s.smtp_port,
                    start_tls=s.smtp_starttls,
                    username=s.smtp_username,
                    password=s.smtp_password,
                    answer_within=self._timeout,
                )
            return await self._wire.send(message.sender, message.recipient, message.data)
        except aiosmtplib.SMTPResponseException as exc:
            await self.drop()
            # Refused greeting, failed login...: our set-up, not the address. Try again later.
            return Outcome(ok=False, error=f"SMTP {exc.code}: {exc.message}")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self.drop()
            return Outcome(ok=False, error=f"SMTP unavailable: {type(exc).__name__}: {exc}")

    async def drop(self) -> None:
        """Forget the connection (it may be half gone); the next send opens another."""
        wire, self._wire = self._wire, None
        if wire is not None:
            wire.close()

    async def close(self) -> None:
        wire, self._wire = self._wire, None
        if wire is not None:
            await wire.quit()


class ConsoleMailer:
    """For development without an SMTP server: print each message (TIDINGS_EMAIL_BACKEND),
    whole: who it is to, its subject, its text and links (what a reader would click)."""

    async def send(self, message: OutgoingEmail) -> Outcome:
        print(console_text(message), flush=True)  # one print: lanes never interleave lines
        return Outcome(ok=True)

    async def drop(self) -> None:
        return None

    async def close(self) -> None:
        return None


def console_text(message: OutgoingEmail) -> str:
    """A message as the console backend prints it: its headers a reader sees, the unsubscribe
    link, then the plain-text body (the HTML body says the same)."""
    parsed = email.message_from_bytes(message.data, policy=email.policy.default)
    lines = [f"--- email to {message.recipient} ---"]
    for name in ("From", "To", "Subject", "List-Unsubscribe"):
        if parsed[name] is not None:
            lines.append(f"{name}: {parsed[name]}")
    body = parsed.get_body(preferencelist=("plain",))
    lines += ["", body.get_content().rstrip() if body is not None else "(no text part)"]  # type: ignore[attr-defined]
    lines.append(f"--- end of email to {message.recipient} ---")
    return "\n".join(lines)


def make_mailer(settings: Settings) -> Mailer:
    return ConsoleMailer() if settings.email_backend == "console" else SmtpMailer(settings)


class MailerPool:
    """A few mailers (SMTP connections, each opened on first use and kept) shared by a
    worker's lanes: a lane borrows one for one message and gives it back.

    Lanes are served in the order they asked. A mailer given back goes straight to the
    lane that has waited longest: with `asyncio.Queue`, a lane that asked just then could
    take it first, and against a slow server a waiting lane was passed over until its
    deadline ran out (its message then failed and waited for a retry)."""

    def __init__(self, settings: Settings, size: int) -> None:
        self._all = [make_mailer(settings) for _ in range(max(1, size))]
        self._idle: list[Mailer] = list(self._all)
        self._waiting: collections.deque[asyncio.Future[Mailer]] = collections.deque()

    async def _borrow(self) -> Mailer:
        if self._idle and not self._waiting:
            return self._idle.pop()
        turn: asyncio.Future[Mailer] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            return await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._give_back(turn.result())  # handed over just as the wait was cancelled
            else:
                with contextlib.suppress(ValueError):
                    self._waiting.remove(turn)
            raise

    def _give_back(self, mailer: Mailer) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(mailer)
                return
        self._idle.append(mailer)

    async def send(self, message: OutgoingEmail) -> Outcome:
        """Send on the first free connection. Cancelled mid-exchange (a deadline), the
        connection is in an unknown state: it is dropped, and the next user opens another."""
        mailer = await self._borrow()
        try:
            return await mailer.send(message)
        except BaseException:
            await mailer.drop()
            raise
        finally:
            self._give_back(mailer)

    async def close(self) -> None:
        for mailer in self._all:
            with contextlib.suppress(Exception):
                await mailer.close()
