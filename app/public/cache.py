"""Rendered pages in memory, keyed by what was asked, valid for one state version.

A page is rendered on the first request after a change and then served from memory with
an ETag; `304 Not Modified` answers a browser that has it already. A rendering is
compressed once per encoding (gzip; brotli when the `brotli` package is present), for the
first request accepting it: one only the static copy asks for is never compressed.

A commit in this process that changed public state empties the cache at once
(`app.db.changes.on_change`); commits made by other processes are noticed by `watch`: on
PostgreSQL through LISTEN/NOTIFY (and a slower poll, in case the listening connection
drops), elsewhere by reading the version every `poll_seconds`. Entries also expire after
`max_age` seconds, because time alone moves some things on a page (a maintenance window
opening, the day bars rolling over), and no later than the soonest promised update still
ahead: past it the page says the update is late, not "next update by" a time gone by.

The cache is bounded: at most `max_entries` renderings (least recently used go first), and
a render in flight is shared by the requests that wait for it and then forgotten, so memory
does not grow with the number of distinct URLs asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.db.changes import listen_for_changes, on_change, read_version
from app.lib.clock import utcnow
from app.public.rendered import Rendered
from app.public.snapshot import Snapshot, UnknownToken, customer_token_exists, load_snapshot

log = logging.getLogger("tidings.cache")


@dataclass
class _Entry:
    value: Rendered
    generation: int
    expires: float
    # The wall-clock moment its words go stale with no change of state (a promised update
    # lapsing, `Snapshot.next_lapse`): None when nothing on the pages waits for a time.
    stale_at: datetime | None = None

    def fresh(self, generation: int) -> bool:
        if self.generation != generation or self.expires <= time.monotonic():
            return False
        return self.stale_at is None or utcnow() < self.stale_at


RenderFn = Callable[[Snapshot, AsyncSession], Awaitable[Rendered]]

MAX_ENTRIES = 2000  # renderings kept; a status page has far fewer distinct pages


class PageCache:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        max_age: float = 60.0,
        poll_seconds: float = 0.2,
        max_entries: int = MAX_ENTRIES,
        engine: AsyncEngine | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._engine = engine
        self._max_age = max_age
        self._poll_seconds = poll_seconds
        self._max_entries = max_entries
        self._generation = 0
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._snapshot: Snapshot | None = None
        self._snapshot_generation = -1
        self._snapshot_loaded = 0.0
        self._known_version: int | None = None
        self._inflight: dict[Hashable, asyncio.Future[Rendered]] = {}
        # URL (path, query) -> (page key, how it is served), for answering before routing.
        self._urls: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._snapshot_lock = asyncio.Lock()
        self._listeners: list[Callable[[], None]] = []
        self.renders = 0  # for tests and benchmarks: how often a page was really rendered
        self._unsubscribe = on_change(self.invalidate)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def max_entries(self) -> int:
        return self._max_entries

    @max_entries.setter
    def max_entries(self, value: int) -> None:
        self._max_entries = value

    @property
    def in_flight(self) -> int:
        """Renders under way (each shared by whoever asked for the same page meanwhile)."""
        return len(self._inflight)

    @property
    def generation(self) -> int:
        return self._generation

    def on_invalidate(self, callback: Callable[[], None]) -> None:
        """Call `callback` whenever public state changed (here or in another process)."""
        self._listeners.append(callback)

    def invalidate(self) -> None:
        self._generation += 1
        self._entries.clear()
        for callback in list(self._listeners):
            try:
                callback()
            except Exception:  # one listener's failure must not stop the others
                log.exception("a change listener failed")

    def close(self) -> None:
        self._unsubscribe()

    async def snapshot(self, session: AsyncSession) -> Snapshot:
        async with self._snapshot_lock:
            if (
                self._snapshot is None
                or self._snapshot_generation != self._generation
                or (time.monotonic() - self._snapshot_loaded > self._max_age)
            ):
                generation = self._generation
                version = await read_version(session)
                self._snapshot = await load_snapshot(session, version=version)
                self._snapshot_generation = generation
                self._snapshot_loaded = time.monotonic()
                self._known_version = version
            return self._snapshot

    async def current_version(self) -> int:
        """The state version the pages served now are made from (loaded if out of date)."""
        return (await self.current_snapshot()).version

    async def current_snapshot(self) -> Snapshot:
        """The snapshot the pages served now are made from (loaded if out of date)."""
        async with self._sessionmaker() as session:
            return await self.snapshot(session)

    def held(self) -> tuple[int, int]:
        """(renderings kept, renders in progress): bounded however many URLs were asked."""
        return len(self._entries), len(self._inflight)

    def remember_url(
        self, url: Hashable, key: Hashable, how: Any, wants: str | None = None
    ) -> None:
        """Note that `url`, asked by a browser whose `Accept-Language` wants `wants` (None: none
        of ours), is answered by the rendering under `key` (bounded); it may change key."""
        known = self._urls.get((url, wants))
        if known is not None and known[0] == key:
            return
        self._urls[(url, wants)] = (key, how)
        while len(self._urls) > self._max_entries:
            self._urls.popitem(last=False)

    def for_url(self, url: Hashable, wants: str | None = None) -> tuple[Rendered, Any] | None:
        """The fresh rendering a URL was last answered with for such a browser, and how."""
        known = self._urls.get((url, wants))
        if known is None:
            return None
        value = self._fresh(known[0])
        return None if value is None else (value, known[1])

    def _fresh(self, key: Hashable) -> Rendered | None:
        entry = self._entries.get(key)
        if entry and entry.fresh(self._generation):
            self._entries.move_to_end(key)
            return entry.value
        return None

    async def get(self, key: Hashable, render: RenderFn) -> Rendered:
        value = self._fresh(key)
        if value is not None:
            return value
        pending = self._inflight.get(key)
        if pending is not None:
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                if not pending.cancelled():  # this request itself was cancelled
                    raise
                return await self.get(key, render)  # the one rendering it went away
        future: asyncio.Future[Rendered] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            value = await self._render(key, render)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # marked as retrieved: nobody else may be waiting
            raise
        else:
            future.set_result(value)
            return value
        finally:
            del self._inflight[key]

    async def _render(self, key: Hashable, render: RenderFn) -> Rendered:
        generation = self._generation
        async with self._sessionmaker() as session:
            snapshot = await self.snapshot(session)
            stale_at = snapshot.next_lapse(utcnow())
            try:
                value = await render(snapshot, session)
            except UnknownToken:
                # A customer created by another process a moment ago may not be in this
                # snapshot yet: ask the database before answering 404.
                if not await customer_token_exists(session, _token_of(key)):
                    raise
                self.invalidate()
                generation = self._generation
                snapshot = await self.snapshot(session)
                value = await render(snapshot, session)
        self.renders += 1
        if generation == self._generation:
            expires = time.monotonic() + self._max_age
            self._entries[key] = _Entry(value, generation, expires, stale_at)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return value

    def _noticed(self, version: int) -> None:
        if self._known_version is not None and version > self._known_version:
            self._known_version = version
            self.invalidate()

    async def watch(self, stop: asyncio.Event) -> None:
        """Watch for changes committed by other processes until `stop` is set."""
        notified = asyncio.Event()
        listening = False
        async with contextlib.AsyncExitStack() as stack:
            if self._engine is not None:

                def heard(version: int | None) -> None:
                    if version is None:
                        notified.set()  # read it back
                    else:
                        self._noticed(version)

                def state(now_listening: bool) -> None:
                    nonlocal listening
                    listening = now_listening
                    notified.set()  # changes may have come while no one listened

                listening = await stack.enter_async_context(
                    listen_for_changes(self._engine, heard, state)
                )
            while not stop.is_set():
                # With notifications the poll is only a safety net.
                interval = max(self._poll_seconds, 1.0) if listening else self._poll_seconds
                waiters = [
                    asyncio.ensure_future(stop.wait()),
                    asyncio.ensure_future(notified.wait()),
                ]
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait(waiters, timeout=interval, return_when="FIRST_COMPLETED")
                for waiter in waiters:
                    waiter.cancel()
                if stop.is_set():
                    return
                notified.clear()
                try:
                    async with self._sessionmaker() as session:
                        version = await read_version(session)
                except Exception:  # the database may be briefly away; pages keep being served
                    log.warning("could not read the state version", exc_info=True)
                    continue
                self._noticed(version)

    # The old name, kept for callers that poll explicitly.
    poll = watch


def _token_of(key: Hashable) -> str | None:
    """Page keys start with the customer token (None for the public)."""
    if isinstance(key, tuple) and key and isinstance(key[0], str):
        return key[0]
    return None


@contextlib.asynccontextmanager
async def polling(cache: PageCache):  # type: ignore[no-untyped-def]
    # Stopped by an event, not cancelled: a cancelled query can leave a connection open.
    stop = asyncio.Event()
    task = asyncio.create_task(cache.watch(stop))
    try:
        yield
    finally:
        stop.set()
        await task
        cache.close()
