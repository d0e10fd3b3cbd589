"""Keeping the static copy up to date while the app serves: a rewrite soon after each change
of public state (only the change's files, or the whole copy on a first sync, a new day or a
change the log cannot narrow down), in every language the copy holds, under the folder's
lock so processes sharing it take turns, then the hook.

What is written and how is `app.public.static_copy` (one language) and
`app.public.copy_languages` (all of them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.public.asgi_local import asgi_fetch
from app.public.copy_changes import paths_changed, paths_in_time
from app.public.copy_crawl import Fetch
from app.public.copy_files import MANIFEST, Stamp, holding_lock, read_stamp
from app.public.copy_languages import (
    IncidentPagesIn,
    export_in_languages,
    prefixes_of,
    write_paths_in_languages,
)
from app.public.copy_render import incident_pages_of
from app.public.static_copy import Written, run_hook

log = logging.getLogger("tidings.static_copy")

# How much lower than the web processes' the CPU priority of `tidings copy` is.
COPY_NICENESS = 10


# The state version the pages this process serves are made from (None: unknown, always write).
Version = Callable[[], Awaitable[int]]
# The paths to write for the changes after version `since` up to `until` (None for `since`:
# no change, only time passed); None when only a full export will do.
Changes = Callable[[int | None, int], Awaitable[frozenset[str] | None]]


class StaticCopy:
    """Keeps `folder` up to date: rewrites it soon after each change of public state (and
    every `refresh_seconds`, because time alone moves some things on a page), unless another
    process sharing the folder already wrote it from the same state version."""

    def __init__(
        self,
        fetch: Fetch,
        folder: Path,
        app_url: str,
        *,
        hook: str | None = None,
        refresh_seconds: float = 60.0,
        settle_seconds: float = 0.05,
        version: Version | None = None,
        changes: Changes | None = None,
        zone: tzinfo = UTC,
        incident_pages: IncidentPagesIn = lambda language: None,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        self._fetch = fetch
        self._incident_pages = incident_pages
        # Where each language's pages go (None: the app's own language alone, at the root).
        self._prefixes = prefixes or {}
        self._changes = changes
        self._zone = zone
        self.partial_writes = 0  # writes of a change's files only
        self._folder = folder
        self._app_url = app_url
        self._hook = hook
        self._refresh = refresh_seconds
        self._settle = settle_seconds
        self._version = version
        self._wanted = asyncio.Event()
        self.writes = 0
        self.skipped = 0  # turns where the copy was already at this process's version
        self.last: Written | None = None
        self._busy = False

    def changed(self) -> None:
        self._wanted.set()

    def _current(self, version: int) -> bool:
        """Whether the copy already holds `version`, written recently enough that the
        periodic refresh (for what time alone moves) is not due either."""
        stamp = read_stamp(self._folder)
        if stamp is None or stamp.version < version:
            return False
        return 0 <= time.time() - stamp.at < self._refresh / 2

    def _new_day(self, stamp: Stamp) -> bool:
        """Whether the page's day turned since the copy was last written whole: day bars
        roll over and history pages move by a month, which no single change names."""
        whole = datetime.fromtimestamp(stamp.whole_at, self._zone).date()
        return whole != datetime.now(self._zone).date()

    async def _plan(self, version: int | None) -> frozenset[str] | None:
        """The paths this turn writes, or None to write the whole copy (a first sync, a
        new day, a change the log cannot narrow down)."""
        if self._changes is None or version is None:
            return None
        stamp = read_stamp(self._folder)
        if stamp is None or not (self._folder / MANIFEST).is_file() or self._new_day(stamp):
            return None
        return await self._changes(stamp.version if stamp.version < version else None, version)

    async def written(self, seconds: float = 10.0) -> None:
        """Wait until every change asked for so far is in the copy (tests, export)."""
        deadline = time.monotonic() + seconds
        while self._wanted.is_set() or self._busy:
            if time.monotonic() > deadline:
                raise TimeoutError("the static copy was not written in time")
            await asyncio.sleep(0.01)

    async def run(self, stop: asyncio.Event) -> None:
        self._wanted.set()  # a first copy at start
        restarts = 0
        while not stop.is_set():
            waiters = [
                asyncio.ensure_future(stop.wait()),
                asyncio.ensure_future(self._wanted.wait()),
            ]
            await asyncio.wait(waiters, timeout=self._refresh, return_when="FIRST_COMPLETED")
            for waiter in waiters:
                waiter.cancel()
            if stop.is_set():
                return
            self._busy = True
            await asyncio.sleep(self._settle)  # one write for a burst of changes
            self._wanted.clear()
            try:
                # One process at a time; the version is read once the turn has come, before
                # any page is asked for, so the stamp never claims more than the copy holds.
                async with holding_lock(self._folder):
                    version = await self._version() if self._version is not None else None
                    if version is not None and self._current(version):
                        self.skipped += 1
                        continue
                    paths = await self._plan(version)
                    if paths is not None:
                        written: Written | None = await write_paths_in_languages(
                            self._fetch,
                            self._folder,
                            self._app_url,
                            paths,
                            prefixes=self._prefixes,
                            locked=True,
                            version=version,
                        )
                        self.partial_writes += 1
                    else:
                        # A change while the rest is written starts over from the front
                        # page rather than finish pages already out of date; not forever,
                        # though, or a stream of changes would keep the feeds from ever
                        # being written.
                        written = await export_in_languages(
                            self._fetch,
                            self._folder,
                            self._app_url,
                            superseded=self._wanted.is_set if restarts < 3 else lambda: False,
                            prefixes=self._prefixes,
                            incident_pages=self._incident_pages,
                            locked=True,
                            version=version,
                        )
                if written is None:
                    restarts += 1
                    continue
                restarts = 0
                self.last = written
                self.writes += 1
                if self._hook:
                    await run_hook(self._hook, self._folder)
            except Exception:  # a full disk must not stop the site; try again next change
                log.exception("could not write the static copy to %s", self._folder)
            finally:
                self._busy = False


def changes_from(sessionmaker: async_sessionmaker[AsyncSession], zone: tzinfo) -> Changes:
    """The `Changes` of a database: its change log read in a session of its own."""

    async def changes(since: int | None, until: int) -> frozenset[str] | None:
        async with sessionmaker() as session:
            if since is None:
                return await paths_in_time(session)
            return await paths_changed(session, since=since, until=until, zone=zone)

    return changes


@contextlib.asynccontextmanager
async def keeping_copy(app: Callable[..., Awaitable[None]], cache, settings, sessionmaker):  # type: ignore[no-untyped-def]
    """While open, keep `settings.static_dir` a fresh copy of what `app` serves publicly."""
    if not settings.static_dir:
        yield None
        return
    async with asgi_fetch(app) as fetch:
        copy = StaticCopy(
            fetch,
            Path(settings.static_dir),
            settings.base_url,
            hook=settings.static_hook,
            version=cache.current_version,
            changes=changes_from(sessionmaker, settings.zone),
            zone=settings.zone,
            incident_pages=lambda language: incident_pages_of(app.state, language),  # type: ignore[attr-defined]
            prefixes=prefixes_of(settings.static_languages, settings.language),
        )
        cache.on_invalidate(copy.changed)
        stop = asyncio.Event()
        task = asyncio.create_task(copy.run(stop))
        try:
            yield copy
        finally:
            stop.set()
            await task


async def export_app(app: Any, folder: Path) -> Written:
    """A whole copy of what `app` (running) serves publicly, in every language its settings
    name, stamped like a serving process's copy so those sharing the folder need not write
    it again for the same state (`tidings export`)."""
    settings = app.state.settings
    async with asgi_fetch(app) as fetch:
        version = await app.state.page_cache.current_version()
        written = await export_in_languages(
            fetch,
            folder,
            settings.base_url,
            prefixes=prefixes_of(settings.static_languages, settings.language),
            incident_pages=lambda language: incident_pages_of(app.state, language),
            version=version,
        )
    assert written is not None  # nothing supersedes a one-off export
    return written


def keep_copy(app: Any) -> None:
    """`tidings copy`: run `app` (built without a worker) only to keep its settings'
    static_dir fresh, in a process of its own, until SIGTERM or SIGINT; so the web processes
    (`tidings serve --no-copy`) answer without waiting behind the copy's rendering. Its page
    cache follows the changes other processes make (LISTEN on PostgreSQL, polling on SQLite)."""
    import signal

    from app.db.reach import where
    from app.public.asgi_local import running

    settings = app.state.settings
    if not settings.static_dir:
        raise SystemExit("tidings: set TIDINGS_STATIC_DIR to the folder the copy is kept in")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # The copy can wait a little; an API answer cannot: where both want the CPU, the web
    # processes go first (the copy still gets every cycle they leave idle).
    os.nice(COPY_NICENESS)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        async with running(app):
            log.info(
                "keeping %s a copy of the database %s",
                settings.static_dir,
                where(settings.database_url),
            )
            await stop.wait()

    asyncio.run(main())
