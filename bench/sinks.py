"""Peers for the sending benchmarks, each run in its own process so that it does not share
the sender's interpreter: `python -m bench.sinks smtp|http --port P [--delay S] --log FILE`.

`smtp` is aiosmtpd accepting every message (its EHLO offers PIPELINING); `http` a small
keep-alive HTTP/1.1 server answering 200 to every POST. Both wait `--delay` seconds before
answering (a slow peer), and append one line per message to `--log`: the time it arrived and
who it was for (the recipient, or the `webhook-id`), so a benchmark can count repeats and
time the first one.
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


async def _serve(kind: str, port: int, delay: float, log_path: Path) -> None:
    loop = asyncio.get_running_loop()
    with log_path.open("a") as log:
        if kind == "smtp":
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["smtp", "http"])
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
