"""Waking the worker when the outbox gains rows, instead of at its next poll.

Whoever writes due rows calls `outbox_written(session)`. When that transaction commits:
a worker in the same process is told at once (the embedded set-up); on PostgreSQL a
`NOTIFY` goes out in the same transaction, so a worker in another process that `listening`
holds a `LISTEN` for hears of it on commit, and never before. SQLite has no such message
between processes; there a worker looks for due rows with a cheap read a few times a
second (see `app.worker`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

log = logging.getLogger("tidings.delivery")

CHANNEL = "tidings_outbox"
_FLAG = "tidings.outbox_written"
_listeners: list[Callable[[], None]] = []


def outbox_written(session: AsyncSession | Session) -> None:
    """Mark the transaction as one that queued deliveries: workers wake on its commit."""
    session.info[_FLAG] = True


def on_outbox(callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` in this process after a commit that queued deliveries; returns an
    unsubscribe."""
    _listeners.append(callback)
    return lambda: _listeners.remove(callback)


@event.listens_for(Session, "before_commit")
def _notify(session: Session) -> None:
    if session.info.get(_FLAG) and session.get_bind().dialect.name == "postgresql":
        # Transactional: listeners hear it when (and only if) the rows are committed.
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


@event.listens_for(Session, "after_commit")
def _wake(session: Session) -> None:
    if session.info.pop(_FLAG, False):
        for callback in list(_listeners):
            callback()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_FLAG, None)


@contextlib.asynccontextmanager
async def listening(
    sessionmaker: async_sessionmaker[AsyncSession],
    callback: Callable[[], None],
    on_lost: Callable[[], None] = lambda: None,
) -> AsyncIterator[bool]:
    """On PostgreSQL, call `callback` whenever any process commits deliveries, for as long
    as the block runs; yields whether it listens (False: not PostgreSQL, or no connection,
    and the caller must look for itself). Should the connection be lost later, `on_lost`
    is called: from then on the caller must look for itself too."""
    engine = sessionmaker.kw.get("bind")
    if engine is None or engine.dialect.name != "postgresql":
        yield False
        return
    try:
        conn = await engine.connect()
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection

        def heard(*_: object) -> None:
            callback()

        def lost(*_: object) -> None:
            log.warning("lost the connection that LISTENs for new deliveries; polling instead")
            on_lost()
            callback()  # rows may have come while no one listened

        await driver.add_listener(CHANNEL, heard)
        driver.add_termination_listener(lost)
    except Exception:  # the poll still finds the rows, only later
        log.warning("could not LISTEN for new deliveries; polling instead", exc_info=True)
        yield False
        return
    try:
        yield True
    finally:
        with contextlib.suppress(Exception):
            driver.remove_termination_listener(lost)
        with contextlib.suppress(Exception):
            await driver.remove_listener(CHANNEL, heard)
        with contextlib.suppress(Exception):
            await conn.close()
