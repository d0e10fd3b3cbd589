"""Rendered pages in memory, keyed by what was asked, valid for one state version.

A page is rendered on the first request after a change and then served from memory with
an ETag; `304 Not Modified` answers a browser that has it already. A commit in this process
that changed public state empties the cache at once (`app.db.changes.on_change`); commits
made by other processes are noticed by `poll`, which reads the version about once a second.
Entries also expire after `max_age` seconds, because time alone moves some things on a page
(a maintenance window opening, the day bars rolling over).

What the cache holds is bounded whatever is asked: at most `max_entries` renderings (the
least recently used go first), and a render in progress is shared by the requests that
arrive meanwhile and forgotten when it ends. Keys come from URLs anyone can type, so
nothing is kept per key beyond that bound (a lock kept per key let 30,000 random URLs
grow the process for good).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.changes import on_change, read_version
from app.public.snapshot import Snapshot, load_snapshot

log = logging.getLogger("tidings.cache")


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    etag: str
    status_code: int = 200
    last_modified: datetime | None = None  # sent as Last-Modified (feeds)

    @classmethod
    def of(
        cls,
        body: str | bytes,
        media_type: str,
        status_code: int = 200,
        last_modified: datetime | None = None,
    ) -> Rendered:
        data = body.encode() if isinstance(body, str) else body
        return cls(
            body=data,
            media_type=media_type,
            status_code=status_code,
            etag='"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"',
            last_modified=last_modified,
        )


@dataclass
class _Entry:
    value: Rendered
    generation: int
    expires: float


RenderFn = Callable[[Snapshot, AsyncSession], Awaitable[Rendered]]

MAX_ENTRIES = 1000  # renderings kept; a status page has far fewer distinct pages


class PageCache:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        max_age: float = 60.0,
        poll_seconds: float = 1.0,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._max_age = max_age
        self._poll_seconds = poll_seconds
        self._generation = 0
        self._max_entries = max_entries
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._snapshot: Snapshot | None = None
        self._snapshot_generation = -1
        self._known_version: int | None = None
        self._rendering: dict[Hashable, asyncio.Future[Rendered]] = {}
        self._snapshot_lock = asyncio.Lock()
        self.renders = 0  # for tests and benchmarks: how often a page was really rendered
        self._unsubscribe = on_change(self.invalidate)

    def invalidate(self) -> None:
        self._generation += 1
        self._entries.clear()

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

    def held(self) -> tuple[int, int]:
        """(renderings kept, renders in progress): bounded however many URLs were asked."""
        return len(self._entries), len(self._rendering)

    def _fresh(self, key: Hashable) -> Rendered | None:
        entry = self._entries.get(key)
        if entry and entry.generation == self._generation and entry.expires > time.monotonic():
            self._entries.move_to_end(key)
            return entry.value
        return None

    async def get(self, key: Hashable, render: RenderFn) -> Rendered:
        while (running := self._rendering.get(key)) is not None:
            # Someone is rendering it now: share their result; if theirs failed or was
            # cancelled, look again (and render it ourselves).
            await asyncio.wait([running])
            if not running.cancelled() and running.exception() is None:
                return running.result()
        if (value := self._fresh(key)) is not None:
            return value
        future: asyncio.Future[Rendered] = asyncio.get_running_loop().create_future()
        self._rendering[key] = future
        try:
            value = await self._render(key, render)
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # retrieved: no warning when nobody was waiting
            raise
        else:
            future.set_result(value)
            return value
        finally:
            del self._rendering[key]

    async def _render(self, key: Hashable, render: RenderFn) -> Rendered:
        generation = self._generation
        async with self._sessionmaker() as session:
            snapshot = await self.snapshot(session)
            value = await render(snapshot, session)
        self.renders += 1
        if generation == self._generation:
            self._entries[key] = _Entry(value, generation, time.monotonic() + self._max_age)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return value

    async def poll(self, stop: asyncio.Event) -> None:
        """Watch for changes committed by other processes until `stop` is set."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._poll_seconds)
            if stop.is_set():
                return
            try:
                async with self._sessionmaker() as session:
                    version = await read_version(session)
            except Exception:  # the database may be briefly away; pages keep being served
                log.warning("could not read the state version", exc_info=True)
                continue
            if self._known_version is not None and version != self._known_version:
                self._known_version = version
                self.invalidate()


@contextlib.asynccontextmanager
async def polling(cache: PageCache):  # type: ignore[no-untyped-def]
    # Stopped by an event, not cancelled: a cancelled query can leave a connection open.
    stop = asyncio.Event()
    task = asyncio.create_task(cache.poll(stop))
    try:
        yield
    finally:
        stop.set()
        await task
        cache.close()
