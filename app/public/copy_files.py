"""Writing the static copy to its folder: each file renamed into place whole (with its gzip
copy), pages before the pages that link to them, files no longer public removed, the
version stamp written last, and the lock under which processes sharing a folder take turns.

The lock is taken on the folder itself (flock on its descriptor), not on a file in it: a
lock file stayed behind in every copy, for the web server to publish beside the pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gzip
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = {".html", ".json", ".rss", ".atom", ".ics", ".svg", ".js", ".css", ".xml"}
MANIFEST = ".tidings-copy"
STAMP = ".tidings-copy-version"  # "<state version> <unix time written>", written last


def has_gzip_copy(name: str) -> bool:
    """Whether the file `name` of the copy is written with a gzip copy beside it."""
    return Path(name).suffix in TEXT_SUFFIXES


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


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[int]:
    """The folder's descriptor, to flock (closing it lets the lock go)."""
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield descriptor
    finally:
        os.close(descriptor)


@contextlib.asynccontextmanager
async def holding_lock(folder: Path, poll_seconds: float = 0.02):  # type: ignore[no-untyped-def]
    """This process's turn at `folder` (waited for without blocking the event loop)."""
    with _folder_lock(folder) as lock:
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
            lock = turn.enter_context(_folder_lock(folder))
            fcntl.flock(lock, fcntl.LOCK_EX)
            turn.callback(fcntl.flock, lock, fcntl.LOCK_UN)
        wanted: set[str] = set()
        changed = 0
        for name in sorted(files, key=_order):
            data = files[name]
            target = folder / name
            wanted.add(name)
            zipped = target.with_name(target.name + ".gz")
            if has_gzip_copy(name):
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
