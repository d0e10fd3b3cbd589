"""Real peers on loopback for delivery tests: an SMTP server (aiosmtpd) and an HTTP receiver.

Both run in threads of their own, so a worker in the test's event loop (or in another
process) talks to them over real sockets. The `smtp` and `receiver` fixtures start and stop
them around a test.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.loopback_http import LoopbackServer, QuietHandler


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.server.pipelining:  # aiosmtpd reads commands in order: it can take them
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.server.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.server.delay:
            await asyncio.sleep(self.server.delay)  # a mail server that takes its time
        if self.server.data_reply:
            return self.server.data_reply
        with self.server.lock:
            self.server.raw.append(envelope.content)
            self.server.connections.add(id(session))
        return "250 Message accepted"


class SmtpServer:
    """aiosmtpd on 127.0.0.1; `messages` is what it accepted, parsed."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.raw: list[bytes] = []  # as received; parsed on demand (parsing is slow)
        self._parsed: list[EmailMessage] = []
        self.refuse: set[str] = set()  # recipients answered 550
        self.data_reply: str | None = None  # e.g. "554 ..." to refuse every message at DATA
        self.delay = 0.0  # seconds before answering each message's DATA
        # Whether EHLO offers PIPELINING (RFC 2920), as most mail servers and providers do.
        self.pipelining = True
        self.connections: set[int] = set()
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            raw = self.raw[len(self._parsed) :]
        for content in raw:
            parsed = email.message_from_bytes(content, policy=email.policy.default)
            self._parsed.append(parsed)  # type: ignore[arg-type]
        return list(self._parsed)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def count(self) -> int:
        with self.lock:
            return len(self.raw)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """A webhook endpoint on loopback answering from a script of statuses (then 200)."""

    port: int = field(default_factory=free_port)
    script: list[int | tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    # A slow receiver: while `hold` is set to an Event, each answer waits until it is set.
    hold: threading.Event | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                if receiver.hold is not None:
                    receiver.hold.wait(timeout=30)
                answer = receiver.script.pop(0) if receiver.script else 200
                status, headers = answer if isinstance(answer, tuple) else (answer, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self._server = LoopbackServer(self.port, Handler)

    def stop(self) -> None:
        self._server.stop()
