"""Asking an ASGI app in this process for a page, and running its lifespan, without a
server or the network (the static copy reads the public site this way).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable


@contextlib.asynccontextmanager
async def asgi_fetch(app: Callable[..., Awaitable[None]]):  # type: ignore[no-untyped-def]
    """A `Fetch` that asks an ASGI app in this process: one plain GET, no network, no
    lifespan (the app is already running)."""

    async def fetch(path: str) -> tuple[int, str, bytes]:
        raw_path, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": raw_path,
            "raw_path": raw_path.encode(),
            "root_path": "",
            "query_string": query.encode(),
            "headers": [(b"host", b"static-copy"), (b"accept-encoding", b"identity")],
            "client": ("127.0.0.1", 0),
            "server": ("static-copy", 80),
            "state": {},
        }
        status, content_type, chunks = 500, "", []
        sent = False

        async def receive() -> dict[str, object]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.Event().wait()  # the client never disconnects
            return {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = int(message["status"])  # type: ignore[call-overload]
                for name, value in message.get("headers", []):  # type: ignore[attr-defined]
                    if name.lower() == b"content-type":
                        content_type = value.decode()
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, send)
        return status, content_type, b"".join(chunks)  # type: ignore[arg-type]

    yield fetch


@contextlib.asynccontextmanager
async def running(app: Callable[..., Awaitable[None]]):  # type: ignore[no-untyped-def]
    """Run an ASGI app's lifespan (startup, then shutdown on leaving), without a server."""
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    stopped: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def send(message: dict[str, str]) -> None:
        kind = message["type"]
        done = started if kind.startswith("lifespan.startup") else stopped
        if kind.endswith(".failed"):
            done.set_exception(RuntimeError(message.get("message", "the app failed to start")))
        else:
            done.set_result(None)

    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, send)
    )
    await inbox.put({"type": "lifespan.startup"})
    await started
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await stopped
        await task
