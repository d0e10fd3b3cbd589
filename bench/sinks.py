"""Peers for the sending benchmarks, each run in its own process so that it does not share
the sender's interpreter:
`python -m bench.sinks smtp|smtp-lean|http --port P [--delay S] --log FILE`.

`smtp` is aiosmtpd accepting every message (its EHLO offers PIPELINING); `http` a small
keep-alive HTTP/1.1 server answering 200 to every POST; `smtp-lean` a minimal SMTP server of
a few lines (pipelining too), for runs where aiosmtpd's own CPU would be the limit. All wait
`--delay` seconds before answering (a slow peer), and append one line per message to `--log`:
the time it arrived and who it was for (the recipient, or the `webhook-id`), so a benchmark
can count repeats and time the first one.
The line "ready" on standard output says the port is open.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import IO, Any

from aiosmtpd.smtp import SMTP


class _Smtp:
    def __init__(self, log: IO[str], delay: float) -> None:
        self.log = log
        self.delay = delay

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        # aiosmtpd reads commands in order, so it can take them pipelined (RFC 2920); it only
        # does not say so. Said here, as most mail servers and providers do.
        session.host_name = hostname
        responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.log.write(f"{time.time():.6f} {','.join(envelope.rcpt_tos)}\n")
        self.log.flush()
        return "250 OK"


async def _http_peer(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, log: IO[str], delay: float
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length, who = 0, "-"
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"webhook-id":
                    who = value.strip().decode()
            if length:
                await reader.readexactly(length)
            if delay:
                await asyncio.sleep(delay)
            log.write(f"{time.time():.6f} {who}\n")
            log.flush()
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _lean_smtp_peer(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, log: IO[str], delay: float
) -> None:
    """Just enough SMTP for the benchmarks, at a fraction of aiosmtpd's CPU per message:
    commands are read in order (so pipelined ones are answered in order), every address is
    accepted, and each message is answered `delay` seconds after its end arrived."""
    write = writer.write
    write(b"220 sink.test ESMTP\r\n")
    recipients: list[str] = []
    try:
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                write(b"250-sink.test\r\n250-PIPELINING\r\n250-SIZE 33554432\r\n250 8BITMIME\r\n")
            elif verb == b"MAIL" or verb == b"RSET":
                recipients.clear()
                write(b"250 OK\r\n")
            elif verb == b"RCPT":
                recipients.append(line[8:].strip().strip(b"<>").decode())
                write(b"250 OK\r\n")
            elif verb == b"DATA":
                if not recipients:
                    write(b"503 no valid recipients\r\n")
                    continue
                write(b"354 end with <CRLF>.<CRLF>\r\n")
                await reader.readuntil(b"\r\n.\r\n")
                if delay:
                    await asyncio.sleep(delay)
                log.write(f"{time.time():.6f} {','.join(recipients)}\n")
                recipients.clear()
                write(b"250 OK queued\r\n")
            elif verb == b"QUIT":
                write(b"221 bye\r\n")
                break
            else:
                write(b"250 OK\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def _flush_often(log: IO[str]) -> None:
    """The lean server's log reaches the file a few times a second, not once a message."""
    while True:
        await asyncio.sleep(0.2)
        log.flush()


async def _serve(kind: str, port: int, delay: float, log_path: Path) -> None:
    loop = asyncio.get_running_loop()
    flushing: asyncio.Task[None] | None = None
    with log_path.open("a") as log:
        if kind == "smtp-lean":
            flushing = asyncio.create_task(_flush_often(log))
            server = await asyncio.start_server(
                lambda r, w: _lean_smtp_peer(r, w, log, delay),
                "127.0.0.1",
                port,
                backlog=512,
                limit=1 << 22,
            )
        elif kind == "smtp":
            handler = _Smtp(log, delay)
            server = await loop.create_server(
                lambda: SMTP(handler, hostname="sink.test"), "127.0.0.1", port
            )
        else:
            server = await asyncio.start_server(
                lambda r, w: _http_peer(r, w, log, delay), "127.0.0.1", port, backlog=512
            )
        print("ready", flush=True)
        async with server:
            await server.serve_forever()
    if flushing is not None:
        flushing.cancel()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["smtp", "smtp-lean", "http"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()
    try:
        asyncio.run(_serve(args.kind, args.port, args.delay, args.log))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
