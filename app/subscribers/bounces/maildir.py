"""`tidings bounces`: delivery status notifications read from a Maildir folder or stdin.

A self-run mail server delivers bounces to a mailbox (say bounces@) kept as a Maildir; each
run reads the messages not yet seen, applies them, commits, then marks each one seen by
moving it to `cur/` with the `S` flag (or deletes it), so a second run does not count it
again. A DSN's Message-ID is also remembered for a while, so the same notification piped in
twice, or read again after a crash between the commit and the move, counts once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

# The tables subscribers point at, so that the mapper knows them in a process that loaded no
# other part of the app (the command line).
from app.components import models as _components  # noqa: F401
from app.customers import models as _customers  # noqa: F401
from app.db.session import make_engine, make_sessionmaker
from app.incidents import models as _incidents  # noqa: F401
from app.lib.clock import utcnow
from app.lib.errors import InvalidInput
from app.settings import Settings
from app.subscribers.bounces import dsn
from app.subscribers.bounces.reports import Malformed
from app.subscribers.bounces.service import apply, first_time

REMEMBERED = timedelta(days=30)


def unseen(folder: Path) -> Iterator[Path]:
    """The messages of a Maildir not marked seen: all of new/, and cur/ without `S`."""
    for sub in ("new", "cur", "tmp"):
        if not (folder / sub).is_dir():
            raise InvalidInput(f"{folder} is not a Maildir folder (it has no {sub}/)")
    yield from sorted(p for p in (folder / "new").iterdir() if p.is_file())
    for path in sorted((folder / "cur").iterdir()):
        _base, _, info = path.name.partition(":2,")
        if path.is_file() and "S" not in info:
            yield path


def mark_seen(path: Path, *, delete: bool) -> None:
    if delete:
        path.unlink()
        return
    base, _, flags = path.name.partition(":2,")
    target = path.parent.parent / "cur" / f"{base}:2,{''.join(sorted(set(flags + 'S')))}"
    os.replace(path, target)


async def take(session: AsyncSession, raw: bytes, *, soft_limit: int) -> str:
    """Apply one message; what it did, in one line. Flushes; the caller commits."""
    try:
        message_id, reports = dsn.read(raw)
    except Malformed as exc:
        return f"{exc.message}: ignored"
    if message_id and not await first_time(
        session, source="dsn", token=message_id, until=utcnow() + REMEMBERED
    ):
        return f"already counted ({message_id})"
    if not reports:
        return "a delivery status notification with no failed or delivered recipient"
    return "; ".join(await apply(session, reports, source="dsn", soft_limit=soft_limit))


async def read_bounces(
    settings: Settings,
    *,
    folder: str | None,
    stdin: BinaryIO | None,
    delete: bool,
    say: Callable[[str], object],
) -> None:
    """Take the message on `stdin` (if given), then every unseen one of `folder` (if given),
    each in its own transaction; `say` one line per message."""
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    limit = settings.bounce_soft_limit
    try:
        if stdin is not None:
            raw = stdin.read(dsn.MAX_MESSAGE + 1)
            async with sessions() as session:
                done = await take(session, raw, soft_limit=limit)
                await session.commit()
            say(f"stdin: {done}")
        for path in unseen(Path(folder)) if folder else ():
            with path.open("rb") as file:
                raw = file.read(dsn.MAX_MESSAGE + 1)
            async with sessions() as session:
                done = await take(session, raw, soft_limit=limit)
                await session.commit()
            # Marked only once its effect is committed: a crash in between reads it again,
            # and its remembered Message-ID keeps it from counting twice.
            mark_seen(path, delete=delete)
            say(f"{path.name.partition(':')[0]}: {done}")
    finally:
        await engine.dispose()
