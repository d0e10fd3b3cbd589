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
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gzip
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

log = logging.getLogger("tidings.static_copy")

# (status, content type, body) of one GET of a path on the app.
Fetch = Callable[[str], Awaitable[tuple[int, str, bytes]]]

SEEDS = (
    "/",
    "/history",
    "/feed.rss",
    "/feed.atom",
    "/history.rss",
    "/history.atom",
    "/maintenance.ics",
    "/badge.svg",
    "/embed.js",
    "/favicon.ico",
    "/static/tidings.css",
    "/static/localtime.js",
    "/theme/theme.css",
    "/api/v2/summary.json",
    "/api/v2/status.json",
    "/api/v2/components.json",
    "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json",
    "/api/v2/scheduled-maintenances.json",
    "/api/v2/scheduled-maintenances/upcoming.json",
    "/api/v2/scheduled-maintenances/active.json",
)
# Public paths the copy may hold; anything else a page links to is the app's to answer.
_PUBLIC = re.compile(
    r"^/(?:$|history(?:/\d+)?$|incidents/[A-Za-z0-9_-]+$|(?:feed|history)\.(?:rss|atom)$"
    r"|maintenance\.ics$|badge\.svg$|embed\.js$|favicon\.ico$"
    r"|components/[A-Za-z0-9_-]+/(?:badge\.svg|feed\.atom|feed\.rss)$"
    r"|api/v2/[a-z/-]+\.json$|static/(?!admin)[A-Za-z0-9_.-]+$|theme/[A-Za-z0-9_.-]+$)"
)
_HISTORY_PAGE = re.compile(r"^/history\?page=(\d+)$")
_LINK = re.compile(rb"""(?P<attr>\b(?:href|src|action)=)(?P<q>["'])(?P<url>[^"'<>]*)(?P=q)""")
_CSS_URL = re.compile(rb"""url\((?P<q>["']?)(?P<url>[^"')]*)(?P=q)\)""")
TEXT_SUFFIXES = {".html", ".json", ".rss", ".atom", ".ics", ".svg", ".js", ".css", ".xml"}
MANIFEST = ".tidings-copy"
LOCK = ".tidings-copy.lock"
STAMP = ".tidings-copy-version"  # "<state version> <unix time written>", written last


def file_for(path: str) -> str:
    """Where a public path lives in the copy, relative to its folder."""
    if path == "/":
        return "index.html"
    clean = path.strip("/")
    if "." in clean.rsplit("/", 1)[-1]:
        return clean
    return f"{clean}/index.html"


def _copy_path(url: str) -> str | None:
    """The copy's path for a root-relative link, or None when the copy does not hold it."""
    page = _HISTORY_PAGE.match(url)
    if page:
        n = int(page.group(1))
        return "/history" if n <= 1 else f"/history/{n}"
    if "?" in url:
        return None
    return url if _PUBLIC.match(url) else None


@dataclass
class Written:
    files: dict[str, bytes] = field(default_factory=dict)  # relative file -> bytes
    changed: int = 0
    removed: int = 0
    seconds: float = 0.0


# What a reader during an outage looks at first: written before the rest (feeds, history,
# the longer JSON), so the front page is fresh as soon as it can be.
FIRST = ("/", "/api/v2/summary.json", "/api/v2/status.json", "/badge.svg")
_FIRST_LINKS = re.compile(r"^/(?:incidents/[A-Za-z0-9_-]+|static/.*|theme/.*|favicon\.ico)$")


async def crawl(
    fetch: Fetch,
    app_url: str,
    *,
    seeds: tuple[str, ...] = SEEDS,
    follow: re.Pattern[str] | None = None,
    done: dict[str, bytes] | None = None,
    superseded: Callable[[], bool] = lambda: False,
) -> dict[str, bytes] | None:
    """Every public file of the copy, links rewritten, by following links from the seeds
    (only links matching `follow`, when given). Files in `done` are not asked for again.
    None when `superseded()` says a newer change came meanwhile (the copy starts over)."""
    app_url = app_url.rstrip("/")
    host = urlsplit(app_url).netloc
    files: dict[str, bytes] = dict(done or {})
    seen: set[str] = set()
    queue = list(seeds)
    while queue:
        if superseded():
            return None
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        name = file_for(path)
        if name in files:  # fetched by an earlier part: only its links are wanted
            found: list[str] = []
            if name.endswith(".html"):
                _rewrite(files[name], _LINK, found, app_url, host, html=True)
            queue.extend(p for p in found if follow is None or follow.match(p))
            continue
        fetched = await _fetch_path(fetch, path)
        if fetched is None:
            continue
        content_type, body = fetched
        found = []
        if content_type.startswith("text/html"):
            body = _rewrite(body, _LINK, found, app_url, host, html=True)
        elif content_type.startswith("text/css"):
            body = _rewrite(body, _CSS_URL, found, app_url, host, html=False)
        queue.extend(p for p in found if follow is None or follow.match(p))
        files[name] = body
    return files


async def _fetch_path(fetch: Fetch, path: str) -> tuple[str, bytes] | None:
    """A history page is asked for by its query string; everything else by its path."""
    asked = path
    match = re.match(r"^/history/(\d+)$", path)
    if match:
        asked = f"/history?page={match.group(1)}"
    try:
        status, content_type, body = await fetch(asked)
    except Exception:
        log.warning("the static copy could not read %s", asked, exc_info=True)
        return None
    return (content_type, body) if status == 200 else None


def _rewrite(
    body: bytes, pattern: re.Pattern[bytes], queue: list[str], app_url: str, host: str, html: bool
) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        raw = match.group("url").decode()
        url, hash_, fragment = raw.partition("#")
        url = url.replace("&amp;", "&")
        if url.startswith(app_url + "/") or url == app_url:
            url = url[len(app_url) :] or "/"
        elif not url.startswith("/") or url.startswith("//"):
            return match.group(0)  # another site, a fragment, a relative data: URL
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != host:
            return match.group(0)
        target = _copy_path(url)
        if target is None:
            new = app_url + url  # only the app can answer this (a form, a customer page)
        else:
            if target not in queue:
                queue.append(target)
            new = target
        new = new + hash_ + fragment
        if html:
            new = new.replace("&", "&amp;")
            return match.group("attr") + match.group("q") + new.encode() + match.group("q")
        return b"url(" + match.group("q") + new.encode() + match.group("q") + b")"

    return pattern.sub(replace, body)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def _same(target: Path, data: bytes) -> bool:
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


def _write_atomically(target: Path, data: bytes) -> bool:
    """Write `data` at `target` by renaming a finished file into place; False if unchanged."""
    if _same(target, data):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    aside = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    # No fsync: the rename is what makes the change whole for readers, and after a crash
    # the next write puts back whatever was lost.
    aside.write_bytes(data)
    os.replace(aside, target)
    return True


def _order(name: str) -> tuple[int, str]:
    """Leaves first, front page last: a page is in place before anything links to it."""
    if name == "index.html":
        return (3, name)
    if name.endswith(".html"):
        return (2 if name.startswith("history") else 1, name)
    return (0, name)


@dataclass(frozen=True)
class Stamp:
    version: int
    at: float  # unix time


def read_stamp(folder: Path) -> Stamp | None:
    """The state version the copy in `folder` was last written from, and when."""
    try:
        version, at = (folder / STAMP).read_text().split()
        return Stamp(int(version), float(at))
    except (OSError, ValueError):
        return None


def _write_stamp(folder: Path, version: int) -> None:
    _write_atomically(folder / STAMP, f"{version} {time.time():.3f}\n".encode())


def _open_lock(folder: Path) -> IO[str]:
    folder.mkdir(parents=True, exist_ok=True)
    return open(folder / LOCK, "w")  # closed by the caller's `with`


@contextlib.asynccontextmanager
async def holding_lock(folder: Path, poll_seconds: float = 0.02):  # type: ignore[no-untyped-def]
    """This process's turn at `folder` (waited for without blocking the event loop)."""
    with await asyncio.to_thread(_open_lock, folder) as lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(poll_seconds)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_files(
    folder: Path,
    files: dict[str, bytes],
    *,
    complete: bool = True,
    locked: bool = False,
    version: int | None = None,
) -> tuple[int, int]:
    """Write the copy into `folder` (under a lock, so processes take turns, unless the caller
    holds it already: `locked`); remove what an earlier write left that is no longer public;
    last, when `version` is given, stamp the copy with it. Returns (files changed, removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as turn:
        if not locked:
            lock = turn.enter_context(open(folder / LOCK, "w"))
            fcntl.flock(lock, fcntl.LOCK_EX)
            turn.callback(fcntl.flock, lock, fcntl.LOCK_UN)
        wanted: set[str] = set()
        changed = 0
        for name in sorted(files, key=_order):
            data = files[name]
            target = folder / name
            wanted.add(name)
            zipped = target.with_name(target.name + ".gz")
            if Path(name).suffix in TEXT_SUFFIXES:
                wanted.add(name + ".gz")
                if not (_same(target, data) and zipped.is_file()):
                    changed += _write_atomically(zipped, _gzip(data))
            changed += _write_atomically(target, data)
        if not complete:  # a first part: nothing is removed, the manifest is kept
            return changed, 0
        manifest = folder / MANIFEST
        before: set[str] = set()
        with contextlib.suppress(OSError):
            before = set(manifest.read_text().split("\n")) - {""}
        removed = 0
        for name in sorted(before - wanted):
            gone = folder / name
            if ".." in Path(name).parts:
                continue
            with contextlib.suppress(FileNotFoundError):
                gone.unlink()
                removed += 1
            with contextlib.suppress(OSError):  # an emptied incident folder
                gone.parent.rmdir()
        _write_atomically(manifest, "\n".join(sorted(wanted)).encode() + b"\n")
        if version is not None:
            _write_stamp(folder, version)
        return changed, removed


async def export(
    fetch: Fetch,
    folder: Path,
    app_url: str,
    superseded: Callable[[], bool] = lambda: False,
    *,
    locked: bool = False,
    version: int | None = None,
) -> Written | None:
    """Write the copy: the front page and what it links to first, then everything. None
    when a newer change came before the end (what was written is whole, and current).
    `version`: the state version read before asking for any page, stamped on the copy
    once it is whole. `locked`: the caller holds the folder's lock for the whole export."""
    started = time.monotonic()
    first = await crawl(fetch, app_url, seeds=FIRST, follow=_FIRST_LINKS)
    assert first is not None
    changed = 0
    if (folder / MANIFEST).is_file():  # a first copy is written whole: its links must resolve
        changed, _ = await asyncio.to_thread(
            write_files, folder, first, complete=False, locked=locked
        )
    files = await crawl(fetch, app_url, done=first, superseded=superseded)
    if files is None:
        return None
    more, removed = await asyncio.to_thread(
        write_files, folder, files, locked=locked, version=version
    )
    return Written(files, changed + more, removed, time.monotonic() - started)


async def run_hook(command: str, folder: Path) -> None:
    process = await asyncio.create_subprocess_shell(
        command, env={**os.environ, "TIDINGS_STATIC_DIR": str(folder)}
    )
    code = await process.wait()
    if code != 0:
        log.warning("TIDINGS_STATIC_HOOK exited with %s", code)


# The state version the pages this process serves are made from (None: unknown, always write).
Version = Callable[[], Awaitable[int]]


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
    ) -> None:
        self._fetch = fetch
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
                    # A change while the rest is written starts over from the front page
                    # rather than finish pages already out of date; not forever, though, or
                    # a stream of changes would keep the feeds from ever being written.
                    written = await export(
                        self._fetch,
                        self._folder,
                        self._app_url,
                        superseded=self._wanted.is_set if restarts < 3 else lambda: False,
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


@contextlib.asynccontextmanager
async def keeping_copy(app: Callable[..., Awaitable[None]], cache, settings):  # type: ignore[no-untyped-def]
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
        )
        cache.on_invalidate(copy.changed)
        stop = asyncio.Event()
        task = asyncio.create_task(copy.run(stop))
        try:
            yield copy
        finally:
            stop.set()
            await task
