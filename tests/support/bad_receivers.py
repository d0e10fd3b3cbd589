"""HTTP receivers that misbehave on purpose, each a real server on loopback.

- `trickle`: sends a status line and headers, then one byte of body every `interval` s;
- `hang`: reads the request and never answers;
- `huge`: answers 500 with a body of `size` bytes, streamed as fast as it is read.

Each counts the requests it got. They run on their own event loop in a thread, so a test's
own loop (and the worker on it) is not slowed by them.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass, field

from tests.support.peers import free_port


@dataclass
class BadReceiver:
    mode: str  # trickle | hang | huge
    interval: float = 2.0
    size: int = 200 * 1024 * 1024
    port: int = field(default_factory=free_port)
    requests: int = 0

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
            if self.mode == "hang":
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
