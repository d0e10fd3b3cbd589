"""One SMTP connection that sends a message in as few round trips as the server allows.

aiosmtplib opens the connection (TLS, STARTTLS, EHLO, login); then the connection's replies
are read here, and each message's commands are written straight onto it. Where the
server's EHLO offers PIPELINING (RFC 2920), MAIL FROM, RCPT TO and DATA go in one write and
their three replies are read in order: a message costs two round trips (the envelope, then
the content) instead of aiosmtplib's four. A server that does not offer it gets one command
at a time, the replies read the same way.

aiosmtplib has no pipelining of its own, and its protocol keeps only one reply per packet
(the rest of a pipelined answer would be lost), hence the small reader below.
"""

from __future__ import annotations

import asyncio
import collections
import re
from dataclasses import dataclass
from typing import cast

import aiosmtplib

from app.delivery.queue import Outcome

QUIT_WAIT = 5.0  # seconds to wait for the answer to QUIT before closing anyway
MAX_REPLY = 64 * 1024  # bytes a reply may take (an EHLO is a few hundred)
_LONE_LINE_END = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"(?m)^\.")
_UNSAFE_IN_ADDRESS = re.compile(r"[\x00-\x20\x7f<>]")


class ConnectionGone(ConnectionError):
    """The server closed the connection, or answered with something that is not SMTP."""


@dataclass(frozen=True)
class Reply:
    code: int
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300

    def __str__(self) -> str:
        return f"SMTP {self.code}: {self.text}"


class Replies(asyncio.Protocol):
    """The server's replies in the order they come, however the packets split them."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._ready: collections.deque[Reply] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        self._gone: Exception | None = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        try:
            while (reply := self._take_reply()) is not None:
                self._ready.append(reply)
        except ConnectionGone as exc:
            self._gone = exc
        if len(self._buffer) > MAX_REPLY:
            self._gone = ConnectionGone("the server's reply is too long")
        self._wake()

    def _take_reply(self) -> Reply | None:
        """The first complete reply in the buffer, taken out of it (None: not all there)."""
        start, lines = 0, []
        while (end := self._buffer.find(b"\n", start)) != -1:
            line = bytes(self._buffer[start:end]).rstrip(b"\r")
            start = end + 1
            if len(line) < 3 or not line[:3].isdigit():
                raise ConnectionGone(f"not an SMTP reply: {line[:80]!r}")
            lines.append(line[4:].decode("utf-8", "replace").strip())
            if line[3:4] != b"-":  # the last line of the reply
                del self._buffer[:start]
                return Reply(int(line[:3]), "\n".join(lines))
        return None

    def eof_received(self) -> bool:
        self._gone = self._gone or ConnectionGone("the server closed the connection")
        self._wake()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._gone = self._gone or ConnectionGone(f"connection lost: {exc or 'closed'}")
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next(self) -> Reply:
        """The next reply; raises `ConnectionGone` once no more can come."""
        while not self._ready:
            if self._gone is not None:
                raise self._gone
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        return self._ready.popleft()


def content(data: bytes) -> bytes:
    """A message as DATA sends it: CRLF line ends, leading dots doubled, the final dot.

    A message laid out by `app.delivery.email` already has CRLF line ends and no line that
    starts with a dot, so the common case costs two counts and one search, no rewrite."""
    crlf = data.count(b"\r\n")
    if data.count(b"\n") != crlf or data.count(b"\r") != crlf:
        data = _LONE_LINE_END.sub(b"\r\n", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    if data.startswith(b".") or b"\n." in data:
        data = _LEADING_DOT.sub(b"..", data)
    return data + b".\r\n"


class SmtpWire:
    """An open SMTP connection, ready for mail transactions (see the module's docstring)."""

    def __init__(self, transport: asyncio.Transport, extensions: dict[str, str]) -> None:
        self._transport = transport
        self._replies = Replies()
        transport.set_protocol(self._replies)
        self.pipelining = "pipelining" in extensions
        self._size = "size" in extensions
        self._utf8 = "smtputf8" in extensions

    @classmethod
    async def open(
        cls,
        *,
        host: str,
        port: int,
        start_tls: bool,
        username: str | None,
        password: str | None,
        answer_within: float,
    ) -> SmtpWire:
        """Connect and greet with aiosmtplib (TLS and login included), then take the
        connection over. Raises aiosmtplib's errors or `OSError` when it cannot."""
        smtp = aiosmtplib.SMTP(hostname=host, port=port, start_tls=start_tls, timeout=answer_within)
        await smtp.connect()
        try:
            if username:
                await smtp.login(username, password or "")
            if smtp.is_ehlo_or_helo_needed:
                try:
                    await smtp.ehlo()
                except aiosmtplib.SMTPHeloError:
                    await smtp.helo()  # an old server: no extensions, one command at a time
            # Not an isinstance check: uvloop's transports (granian's loop, so `tidings
            # serve`'s embedded worker) do not derive from asyncio's, yet behave the same.
            transport = smtp.transport
            if transport is None or transport.is_closing():
                raise ConnectionGone("the connection closed while greeting")
            return cls(cast(asyncio.Transport, transport), dict(smtp.esmtp_extensions))
        except BaseException:
            smtp.close()
            raise

    @property
    def is_open(self) -> bool:
        return not self._transport.is_closing()

    async def send(self, sender: str, recipient: str, data: bytes) -> Outcome:
        """One message to one recipient. An answer from the server is an `Outcome` (a 5xx
        for the address or the message is permanent); a connection that breaks raises
        `ConnectionError`, and one left in a state not worth repairing is closed."""
        utf8 = not (sender.isascii() and recipient.isascii())
        for address in (sender, recipient):
            if _UNSAFE_IN_ADDRESS.search(address):
                return Outcome(ok=False, permanent=True, error=f"unsafe address: {address!r}")
        if utf8 and not self._utf8:
            return Outcome(
                ok=False,
                permanent=True,
                error="SMTP: the server takes no addresses beyond ASCII (no SMTPUTF8)",
            )
        body = content(data)
        options = f" SIZE={len(body) - 3}" if self._size else ""
        options += " SMTPUTF8" if utf8 else ""
        mail = f"MAIL FROM:<{sender}>{options}\r\n".encode()
        rcpt = f"RCPT TO:<{recipient}>\r\n".encode()
        if self.pipelining:
            self._transport.write(mail + rcpt + b"DATA\r\n")
            sent_from = await self._next()
            sent_to, data_start = await self._next(), await self._next()
        else:
            sent_from = await self._command(mail)
            sent_to = await self._command(rcpt) if sent_from.ok else None
            data_start = await self._command(b"DATA\r\n") if sent_to and sent_to.ok else None
        if not sent_from.ok:
            # Refused sender: our set-up, not the address. Tried again later.
            self.close()
            return Outcome(ok=False, error=str(sent_from))
        assert sent_to is not None
        if not sent_to.ok:
            if data_start is not None and data_start.code == 354:
                await self._command(b".\r\n")  # a server that took DATA with no recipient
            if not (await self._command(b"RSET\r\n")).ok:
                self.close()
            return Outcome(ok=False, error=str(sent_to), permanent=500 <= sent_to.code < 600)
        assert data_start is not None
        if data_start.code != 354:
            self.close()
            return Outcome(ok=False, error=str(data_start), permanent=500 <= data_start.code < 600)
        self._transport.write(body)
        accepted = await self._next()
        if not accepted.ok:
            # A 5xx for this message (e.g. 554 at its end) is permanent; a 4xx is tried again.
            self.close()
            return Outcome(ok=False, error=str(accepted), permanent=500 <= accepted.code < 600)
        return Outcome(ok=True)

    async def _command(self, line: bytes) -> Reply:
        self._transport.write(line)
        return await self._next()

    async def _next(self) -> Reply:
        reply = await self._replies.next()
        if reply.code == 421:  # the server is closing this connection
            self.close()
        return reply

    def close(self) -> None:
        self._transport.close()

    async def quit(self) -> None:
        """Say goodbye, then close (whatever the answer, or none)."""
        try:
            if self.is_open:
                async with asyncio.timeout(QUIT_WAIT):
                    await self._command(b"QUIT\r\n")
        except (ConnectionError, TimeoutError):
            pass
        finally:
            self.close()
