"""Pacing sends through one provider account, shared by every process.

A provider allows so many messages a second per account (Twilio: about one a second from a
long code). Each send reserves the next free moment with one `INSERT ... ON CONFLICT DO
UPDATE ... RETURNING`: the account's next moment moves one gap further, whichever process
or lane asks, so two workers together keep the account's pace rather than each its own.
"""

from __future__ import annotations

import time

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import SendPace


async def reserve(session: AsyncSession, key: str, *, per_second: float) -> float:
    """Take the next moment `key` may send at; the seconds to wait for it (0: now)."""
    now = time.time()
    gap = 1.0 / per_second
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    later = func.greatest if dialect == "postgresql" else func.max  # SQLite's max of two
    statement = (
        insert(SendPace)
        .values(key=key, next_at=now + gap)
        .on_conflict_do_update(
            index_elements=[SendPace.key],
            set_={"next_at": later(SendPace.next_at, now) + gap},
        )
        .returning(SendPace.next_at)
    )
    next_at = float((await session.execute(statement)).scalar_one())
    return max(0.0, next_at - gap - now)
