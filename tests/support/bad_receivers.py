"""HTTP receivers that misbehave on purpose, each a real server on loopback.

- `trickle`: sends a status line and headers, then one byte of body every `interval` s;
- `hang`: reads the request and never answers;
- `huge`: answers 500 with a body of `size` bytes, streamed as fast as it is read;
- `status`: answers `status` with `headers` (500, 429 with Retry-After, 410, ...).

With `recover_after` set, it misbehaves for that many requests and then answers 200, as a
receiver back from an outage would. Each counts the requests it got and notes when each
came and with which `webhook-id`, and which ids it accepted (answered 2xx). They run on
their own event loop in a thread, so a test's own loop (and a worker on it) is not slowed
by them.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from dataclasses import dataclass, field

from tests.support.peers import free_port


@dataclass
class BadReceiver:
    mode: str  # trickle | hang | huge | status
    interval: float = 2.0
    size: int = 200 * 1024 * 1024
    port: int = field(default_factory=free_port)
    requests: int = 0
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    recover_after: int | None = None  # requests answered badly before it answers 200
    attempts: list[tuple[float, str]] = field(default_factory=list)  # (monotonic, webhook-id)
    accepted: list[str] = field(default_factory=list)  # webhook-ids answered 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            self.requests += 1
            webhook_id = ""
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"webhook-id:"):
                    webhook_id = line.split(b":", 1)[1].strip().decode()
            self.attempts.append((time.monotonic(), webhook_id))
            if self.recover_after is not None and self.requests > self.recover_after:
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                await writer.drain()
                self.accepted.append(webhook_id)
            elif self.mode == "status":
                extra = "".join(f"{k}: {v}\r\n" for k, v in self.headers.items())
                writer.write(
                    f"HTTP/1.1 {self.status} Bad\r\ncontent-length: 3\r\n"
                    f"connection: close\r\n{extra}\r\nbad".encode()
                )
                await writer.drain()
            elif self.mode == "hang":
                await asyncio.sleep(3600)
            elif self.mode == "trickle":
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n")
                while True:
                    await writer.drain()
                    await asyncio.sleep(self.interval)
                    writer.write(b".")
            else:
                writer.write(b"HTTP/1.1 500 Oops\r\ncontent-length: %d\r\n\r\n" % self.size)
                chunk = b"x" * 65536
                for _ in range(self.size // len(chunk)):
                    writer.write(chunk)
                    await writer.drain()
        writer.close()

    def start(self) -> None:
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def serve() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
            ready.set()

        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(serve(), self._loop)
        ready.wait(5)

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            handlers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in handlers:
                task.cancel()
            await asyncio.gather(*handlers, return_exceptions=True)
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
