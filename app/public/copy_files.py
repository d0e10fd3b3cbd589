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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = {".html", ".json", ".rss", ".atom", ".ics", ".svg", ".js", ".css", ".xml"}
MANIFEST = ".tidings-copy"
# "<state version> <unix time written> <unix time last written whole>", written last
STAMP = ".tidings-copy-version"


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
    whole_at: float  # unix time of the last full write (every file asked for)


def read_stamp(folder: Path) -> Stamp | None:
    """The state version the copy in `folder` was last written from, and when."""
    try:
        version, at, *whole = (folder / STAMP).read_text().split()
        return Stamp(int(version), float(at), float(whole[0]) if whole else float(at))
    except (OSError, ValueError, IndexError):
        return None


def write_stamp(folder: Path, version: int, *, whole: bool) -> None:
    now = time.time()
    before = read_stamp(folder)
    whole_at = now if whole or before is None else before.whole_at
    _write_atomically(folder / STAMP, f"{version} {now:.3f} {whole_at:.3f}\n".encode())


def read_manifest(folder: Path) -> set[str]:
    """The files an earlier write left in `folder` (gzip copies included)."""
    with contextlib.suppress(OSError):
        return set((folder / MANIFEST).read_text().split("\n")) - {""}
    return set()


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


@contextlib.contextmanager
def _turn(folder: Path, locked: bool) -> Iterator[None]:
    """Hold the folder's lock unless the caller does already."""
    folder.mkdir(parents=True, exist_ok=True)
    if locked:
        yield
        return
    with _folder_lock(folder) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write_in_order(folder: Path, files: dict[str, bytes]) -> tuple[int, set[str]]:
    """Write `files`, leaves first; (files changed, names now in place with gzip copies)."""
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
    return changed, wanted


def _remove(folder: Path, names: set[str]) -> int:
    removed = 0
    for name in sorted(names):
        gone = folder / name
        if ".." in Path(name).parts:
            continue
        with contextlib.suppress(FileNotFoundError):
            gone.unlink()
            removed += 1
        with contextlib.suppress(OSError):  # an emptied incident folder
            gone.parent.rmdir()
    return removed


def _write_manifest(folder: Path, names: set[str]) -> None:
    _write_atomically(folder / MANIFEST, "\n".join(sorted(names)).encode() + b"\n")


def write_files(
    folder: Path,
    files: dict[str, bytes],
    *,
    complete: bool = True,
    locked: bool = False,
    version: int | None = None,
    kept: Iterable[str] = (),
) -> tuple[int, int]:
    """Write the copy into `folder` (under a lock, so processes take turns, unless the caller
    holds it already: `locked`); remove what an earlier write left that is no longer public;
    last, when `version` is given, stamp the copy with it. Returns (files changed, removed).
    `kept`: files of the copy written by an earlier part of the same export."""
    with _turn(folder, locked):
        changed, wanted = _write_in_order(folder, files)
        wanted.update(kept)
        wanted.update(name + ".gz" for name in wanted.copy() if has_gzip_copy(name))
        if not complete:  # a first part: nothing is removed, the manifest is kept
            return changed, 0
        removed = _remove(folder, read_manifest(folder) - wanted)
        _write_manifest(folder, wanted)
        if version is not None:
            write_stamp(folder, version, whole=True)
        return changed, removed


def update_files(
    folder: Path,
    files: dict[str, bytes],
    gone: set[str],
    *,
    locked: bool = False,
    version: int | None = None,
) -> tuple[int, int]:
    """Write some files of the copy and remove those in `gone` (no longer public), leaving
    the rest as it is; then the manifest, and last the stamp. Returns (changed, removed)."""
    with _turn(folder, locked):
        changed, wanted = _write_in_order(folder, files)
        held = read_manifest(folder)
        dropped = {n for n in held if n in gone or n.removesuffix(".gz") in gone} - wanted
        removed = _remove(folder, dropped)
        _write_manifest(folder, (held - dropped) | wanted)
        if version is not None:
            write_stamp(folder, version, whole=False)
        return changed, removed
