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
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

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
    read_manifest,
    update_files,
    write_files,
)
from app.public.copy_render import RenderIncidents

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
    prefix: str = "",
    prefixes: dict[str, str] | None = None,
) -> Written | None:
    """Write the copy: the front page and what it links to first, then everything. None
    when a newer change came before the end (what was written is whole, and current).
    `version`: the state version read before asking for any page, stamped on the copy
    once it is whole. `locked`: the caller holds the folder's lock for the whole export.
    `incident_pages`: renders the pages of the history's incidents in batches, rather than
    asking the app for each. `prefix` and `prefixes`: as for `crawl` (a language's copy)."""
    started = time.monotonic()
    where = {"prefix": prefix, "prefixes": prefixes}
    first = await crawl(fetch, app_url, seeds=FIRST, follow=FIRST_LINKS.match, **where)
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
        **where,
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
            batch = {
                file_for(path): rewrite_html(body, app_url, prefix, prefixes)[0]
                for path, body in pages.items()
            }
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
    prefix: str = "",
    prefixes: dict[str, str] | None = None,
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
    where = {"prefix": prefix, "prefixes": prefixes}
    first = await crawl(fetch, app_url, seeds=first_seeds, follow=new_link, gone=gone, **where)
    assert first is not None  # nothing supersedes it
    changed, removed = await asyncio.to_thread(update_files, folder, first, gone, locked=locked)
    files = await crawl(
        fetch, app_url, seeds=seeds, done=first, follow=new_link, gone=gone, **where
    )
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
