"""A PostgreSQL `LISTEN` that comes back after its connection is lost.

Web processes listen for changes to the page and workers for new deliveries, each on a
connection of its own. A database restart or failover cuts that connection; polling then
covers (more slowly) until the listener is back. `kept_listening` tells its owner when
it stops and starts hearing (`on_state`), so the owner polls faster meanwhile and looks
for what it missed once it hears again, and it reconnects with a back-off for as long as
the block runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("tidings.db")

RETRY_FIRST = 0.5  # seconds before the first attempt to listen again
RETRY_MOST = 10.0


class _Listener:
    def __init__(
        self,
        engine: AsyncEngine,
        channel: str,
        heard: Callable[[str], None],
        on_state: Callable[[bool], None],
    ) -> None:
        self.url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.channel = channel
        self.heard = heard
        self.on_state = on_state
        self.lost = asyncio.Event()
        self.conn: Any = None

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self.heard(payload)

    def _terminated(self, _conn: object) -> None:
        self.lost.set()

    async def connect(self) -> bool:
        import asyncpg

        try:
            conn = await asyncpg.connect(self.url, timeout=10)
            await conn.add_listener(self.channel, self._notified)
            conn.add_termination_listener(self._terminated)
        except Exception as exc:
            log.warning("could not LISTEN on %s (%s); polling instead", self.channel, exc)
            return False
        self.conn = conn
        self.lost.clear()
        return True

    async def keep(self, stop: asyncio.Event, listening: bool) -> None:
        """Until `stop`: wait for a loss, then try again with a back-off until listening."""
        while not stop.is_set():
            if listening:
                await _first(stop.wait(), self.lost.wait())
                if stop.is_set():
                    return
                log.warning("lost the connection that LISTENs on %s; polling", self.channel)
                await self.close()
                listening = False
                self.on_state(False)
            pause = RETRY_FIRST
            while not stop.is_set() and not listening:
                await _first(stop.wait(), asyncio.sleep(pause))
                if stop.is_set():
                    return
                listening = await self.connect()
                pause = min(pause * 2, RETRY_MOST)
            if listening:
                log.info("listening on %s again", self.channel)
                self.on_state(True)

    async def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.remove_termination_listener(self._terminated)
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)


async def _first(*waits: Any) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


@contextlib.asynccontextmanager
async def kept_listening(
    engine: AsyncEngine,
    channel: str,
    heard: Callable[[str], None],
    on_state: Callable[[bool], None] = lambda _listening: None,
) -> AsyncIterator[bool]:
    """Call `heard(payload)` for each notification on `channel` while the block runs, and
    `on_state(False)` / `on_state(True)` when the connection is lost / listening again.
    Yields whether it listens at the start (False on other databases: the caller polls)."""
    if engine.dialect.name != "postgresql":
        yield False
        return
    listener = _Listener(engine, channel, heard, on_state)
    listening = await listener.connect()
    stop = asyncio.Event()
    keeper = asyncio.create_task(listener.keep(stop, listening))
    try:
        yield listening
    finally:
        stop.set()
        await keeper
        await listener.close()
