"""A static copy of the public site in a folder, so the page stays up when the app is down.

The copy is made by asking the app itself for its public pages, exactly as a visitor would
(`/`, the history pages, every incident linked from them, the feeds, the calendar, the
Statuspage v2 JSON, the badge, the embed script, the styles), so it goes through the same
public views and the same audience rule as the live site: only what the public may see is
ever written. Customer pages (`/c/...`) are never asked for.

Layout: `/` is `index.html`, a path without an extension is `PATH/index.html` (the history
pages are `history/index.html`, `history/2/index.html`, ...), a file with an extension keeps
its path. Each text file has a gzip copy beside it (`index.html.gz`) for servers that send
precompressed files. Links are rewritten so that every link inside the copy resolves inside
it; what only the app can answer (subscribe forms, following an incident) points at the app.

Each file is written aside and renamed into place, so a reader never sees half a file; pages
are written before the pages that link to them, and files that are no longer public (an
incident made internal) are removed after. An optional hook command runs after each write.

Several processes may keep one folder (`tidings serve --workers N`): they take turns under a
lock, and a stamp written last records the state version the copy was made from. A process
whose turn comes when the stamp already holds its version (written less than half a refresh
ago) has nothing to add and skips the rewrite, so one change costs one rewrite, not N. The
stamp holds the version read *before* the pages were asked for, so a change that arrives
while a copy is written leaves the stamp behind it, and the next turn writes again.

A change rewrites only what shows it: each change records its subjects (`app.db.changes`),
and the turn after it asks only for the paths those subjects name (`app.public.copy_paths`,
read by `app.public.copy_changes`), adds pages they link to that the copy lacks, and removes
those the app no longer answers. The whole copy is written on a first sync, on the first
turn of a new day in the page's zone (day bars and history pages move with the date, which
no change names), and after a change the log cannot narrow down; the history's incident
pages are then rendered in batches from one snapshot (`app.public.copy_render`).

This module keeps the copy up to date: one export (the front page first, then the rest), the
writes of a change's paths, the schedule of rewrites, and the hook. The walk over the public
routes is `app.public.copy_crawl`; writing the folder (renames, removals, lock, stamp) is
`app.public.copy_files`; asking the app in this process is `app.public.asgi_local`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.public.asgi_local import asgi_fetch
from app.public.copy_changes import paths_changed, paths_in_time
from app.public.copy_crawl import (
    FIRST,
    FIRST_LINKS,
    INCIDENT_PAGE,
    Fetch,
    crawl,
    file_for,
    rewrite_html,
)
from app.public.copy_files import (
    MANIFEST,
    Stamp,
    holding_lock,
    read_manifest,
    read_stamp,
    update_files,
    write_files,
)
from app.public.copy_render import RenderIncidents, incident_pages_of

log = logging.getLogger("tidings.static_copy")

HISTORY_BATCH = 1000  # incident pages rendered, then written, at a time


@dataclass
class Written:
    names: list[str] = field(default_factory=list)  # files written or kept (no gzip copies)
    changed: int = 0
    removed: int = 0
    seconds: float = 0.0


def _not_an_incident(path: str) -> bool:
    return INCIDENT_PAGE.match(path) is None


async def export(
    fetch: Fetch,
    folder: Path,
    app_url: str,
    superseded: Callable[[], bool] = lambda: False,
    *,
    locked: bool = False,
    version: int | None = None,
    incident_pages: RenderIncidents | None = None,
) -> Written | None:
    """Write the copy: the front page and what it links to first, then everything. None
    when a newer change came before the end (what was written is whole, and current).
    `version`: the state version read before asking for any page, stamped on the copy
    once it is whole. `locked`: the caller holds the folder's lock for the whole export.
    `incident_pages`: renders the pages of the history's incidents in batches, rather than
    asking the app for each."""
    started = time.monotonic()
    first = await crawl(fetch, app_url, seeds=FIRST, follow=FIRST_LINKS.match)
    assert first is not None
    changed = 0
    if (folder / MANIFEST).is_file():  # a first copy is written whole: its links must resolve
        changed, _ = await asyncio.to_thread(
            write_files, folder, first, complete=False, locked=locked
        )
    linked: set[str] = set()
    files = await crawl(
        fetch,
        app_url,
        done=first,
        superseded=superseded,
        follow=None if incident_pages is None else _not_an_incident,
        skipped=linked,
    )
    if files is None:
        return None
    kept: set[str] = set()
    if incident_pages is not None:
        ids = sorted(
            match.group(1)
            for match in map(INCIDENT_PAGE.match, linked)
            if match and file_for(match.group(0)) not in files
        )
        for start in range(0, len(ids), HISTORY_BATCH):
            if superseded():
                return None
            pages = await incident_pages(ids[start : start + HISTORY_BATCH])
            batch = {file_for(path): rewrite_html(body, app_url)[0] for path, body in pages.items()}
            changed += (
                await asyncio.to_thread(write_files, folder, batch, complete=False, locked=locked)
            )[0]
            kept |= batch.keys()
    more, removed = await asyncio.to_thread(
        write_files, folder, files, locked=locked, version=version, kept=kept
    )
    return Written(sorted(files.keys() | kept), changed + more, removed, time.monotonic() - started)


async def write_paths(
    fetch: Fetch,
    folder: Path,
    app_url: str,
    paths: Iterable[str],
    *,
    locked: bool = False,
    version: int | None = None,
) -> Written:
    """Write the files of `paths` only (a change's), removing those no longer public. Only
    paths the copy holds are asked for; a page they link to that it does not hold yet (a
    newly public incident's) is asked for too, so every link inside the copy resolves and
    the copy holds what a full export would. As in a full export, what a reader during an
    outage looks at first (the front page, the summary, the changed incidents' pages) is
    written before the rest (feeds, history, the longer JSON); the stamp comes last."""
    started = time.monotonic()
    held = await asyncio.to_thread(read_manifest, folder)

    def new_link(path: str) -> bool:
        return file_for(path) not in held

    seeds = sorted(p for p in paths if file_for(p) in held)
    first_seeds = [p for p in seeds if p in FIRST or INCIDENT_PAGE.match(p)]
    gone: set[str] = set()
    first = await crawl(fetch, app_url, seeds=first_seeds, follow=new_link, gone=gone)
    assert first is not None  # nothing supersedes it
    changed, removed = await asyncio.to_thread(update_files, folder, first, gone, locked=locked)
    files = await crawl(fetch, app_url, seeds=seeds, done=first, follow=new_link, gone=gone)
    assert files is not None
    rest = {name: body for name, body in files.items() if name not in first}
    more, also_removed = await asyncio.to_thread(
        update_files, folder, rest, gone, locked=locked, version=version
    )
    seconds = time.monotonic() - started
    return Written(sorted(files), changed + more, removed + also_removed, seconds)


async def run_hook(command: str, folder: Path) -> None:
    process = await asyncio.create_subprocess_shell(
        command, env={**os.environ, "TIDINGS_STATIC_DIR": str(folder)}
    )
    code = await process.wait()
    if code != 0:
        log.warning("TIDINGS_STATIC_HOOK exited with %s", code)


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
        incident_pages: RenderIncidents | None = None,
    ) -> None:
        self._fetch = fetch
        self._incident_pages = incident_pages
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
                        written: Written | None = await write_paths(
                            self._fetch,
                            self._folder,
                            self._app_url,
                            paths,
                            locked=True,
                            version=version,
                        )
                        self.partial_writes += 1
                    else:
                        # A change while the rest is written starts over from the front
                        # page rather than finish pages already out of date; not forever,
                        # though, or a stream of changes would keep the feeds from ever
                        # being written.
                        written = await export(
                            self._fetch,
                            self._folder,
                            self._app_url,
                            superseded=self._wanted.is_set if restarts < 3 else lambda: False,
                            locked=True,
                            version=version,
                            incident_pages=self._incident_pages,
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
            incident_pages=incident_pages_of(app.state),  # type: ignore[attr-defined]
        )
        cache.on_invalidate(copy.changed)
        stop = asyncio.Event()
        task = asyncio.create_task(copy.run(stop))
        try:
            yield copy
        finally:
            stop.set()
            await task
