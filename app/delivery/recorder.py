"""Results written in groups (a group commit): the results that come in within a few
milliseconds, or until a group is full, are written together in one transaction.

One commit per message, under a lock, made the database the pace of a fan-out; a group
commit costs one round trip for many rows. The worker bounds how many messages may be
sent and not yet recorded (its window), so what a crash can repeat stays small and
known. While the database is away, results are kept and the write is tried again until
it is back; the window fills, and the lanes stop rather than send more that could not be
recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.session import lost_connection
from app.delivery.queue import Outcome, RetryPolicy, record_outcomes

log = logging.getLogger("tidings.delivery")

# Back-off between attempts to write results while the database is away.
RETRY_FIRST = 0.25
RETRY_MOST = 5.0


class Recorder:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        policy: RetryPolicy,
        *,
        interval: float,
        group: int,
        on_recorded: Callable[[list[int]], None],
    ) -> None:
        self.sessionmaker = sessionmaker
        self.policy = policy
        self.interval = interval  # seconds a result may wait for others to join its group
        self.group = group  # results that make a group worth writing at once
        self.on_recorded = on_recorded
        self._items: list[tuple[int, Outcome]] = []
        self._written: list[asyncio.Future[None]] = []
        self._pending = asyncio.Event()
        self._full = asyncio.Event()
        self._closing = False
        self.lock = asyncio.Lock()
        self._patient = True  # whether to wait for a database that is away
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def add(self, delivery_id: int, outcome: Outcome) -> asyncio.Future[None]:
        """Queue a result; the future is done once it is committed (or given up on)."""
        self._items.append((delivery_id, outcome))
        written = asyncio.get_running_loop().create_future()
        self._written.append(written)
        self._pending.set()
        if len(self._items) >= self.group:
            self._full.set()
        return written

    def stop_waiting(self) -> None:
        """Give up on a database that is away: a worker asked to stop stops, and the results
        not written are sent again later (their lease runs out)."""
        self._patient = False

    async def close(self) -> None:
        """Write what is left, then stop."""
        self._closing = True
        self._pending.set()
        self._full.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self._pending.wait()
            if self.interval and not self._closing and len(self._items) < self.group:
                # Let a larger group gather, unless it is full before the time is up.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self.interval)
            await self.flush()
            if self._closing and not self._items:
                return

    async def flush(self) -> None:
        items, self._items = self._items, []
        written, self._written = self._written, []
        self._pending.clear()
        self._full.clear()
        if not items:
            return
        # Held from the write until the rows leave `outstanding`: the lease renewer takes it
        # too, so it never renews (and so shortens) a retry just written for a row.
        async with self.lock:
            pause = RETRY_FIRST
            while True:
                try:
                    async with self.sessionmaker() as session:
                        await record_outcomes(session, items, policy=self.policy)
                        await session.commit()
                    break
                except Exception as exc:
                    if lost_connection(exc) and self._patient and not self._closing:
                        # The database is away (a restart, a failover). Keep the results and
                        # try again: the lanes wait on them meanwhile, so nothing more is sent
                        # that could not be recorded, and nothing sent is sent again.
                        log.warning(
                            "could not record %d delivery results, the database is away "
                            "(%s); trying again in %.1f s",
                            len(items),
                            type(exc).__name__,
                            pause,
                        )
                        await asyncio.sleep(pause)
                        pause = min(pause * 2, RETRY_MOST)
                        items, self._items = items + self._items, []
                        written, self._written = written + self._written, []
                        self._pending.clear()
                        continue
                    # Not recorded: the rows stay claimed until their lease runs out, then are
                    # sent again. A repeat, never a loss.
                    log.exception("could not record %d delivery results", len(items))
                    break
            self.on_recorded([delivery_id for delivery_id, _ in items])
        for future in written:
            if not future.done():
                future.set_result(None)
