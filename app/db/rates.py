"""Counting attempts in the database, so that every process shares one count.

`hit` adds to the count of a subject (a client address, a user name, a device) in the
current window with one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`: two processes, or
two requests of one process, never both read the same count. It works the same on SQLite
and PostgreSQL. Callers compare the returned count with their limit *before* doing the
costly or risky thing, so a burst of concurrent attempts gets at most `limit` through,
however it is spread over processes.

The count is a sliding window's: this window's attempts plus the last window's, weighed by
how much of the last window still lies within `window` seconds of now. With fixed windows
alone, a guesser could spend a whole limit just before a window ends and another just
after: twice the limit in a moment.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import RateCounter
from app.lib.clock import utcnow


def _key(scope: str, subject: str, bucket: int) -> str:
    # The subject is hashed: what a client sends (a user name) may be long or odd, and the
    # table then holds no user names or addresses.
    digest = hashlib.sha256(subject.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"{scope}:{digest}:{bucket}"


async def hit(
    session: AsyncSession, scope: str, subject: str, *, window: float, amount: int = 1
) -> int:
    """Add `amount` to `subject`'s count in this window of `window` seconds; the new count.

    A negative `amount` takes back an attempt that turned out fine (a right password)."""
    now = utcnow()
    position = now.timestamp() / window
    bucket = int(position)
    key = _key(scope, subject, bucket)
    # Kept one window past its own end: the next window still weighs it.
    expires_at = datetime.fromtimestamp((bucket + 2) * window, UTC)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(RateCounter)
        .values(key=key, count=amount, expires_at=expires_at)
        .on_conflict_do_update(
            index_elements=[RateCounter.key], set_={"count": RateCounter.count + amount}
        )
        .returning(RateCounter.count)
    )
    count = (await session.execute(statement)).scalar_one()
    if count == 1:
        # A new window began for this subject: drop windows that have ended (anyone's), so
        # the table stays as small as the attempts of the last window. On PostgreSQL rows
        # another transaction is already dropping are skipped, so two never wait on each
        # other (SQLite has one writer at a time anyway).
        ended = select(RateCounter.key).where(RateCounter.expires_at < now).limit(500)
        if dialect == "postgresql":
            ended = ended.with_for_update(skip_locked=True)
        await session.execute(delete(RateCounter).where(RateCounter.key.in_(ended)))
    previous = await session.scalar(
        select(RateCounter.count).where(RateCounter.key == _key(scope, subject, bucket - 1))
    )
    still_within = 1.0 - (position - bucket)  # the share of the last window within reach
    # Rounded up: rounding down let a guesser who had spent the whole limit just before the
    # turn of a window have one more just after it.
    return int(count) + max(0, math.ceil((previous or 0) * still_within))
