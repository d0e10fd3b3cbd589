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
from collections.abc import AsyncIterator, Callable

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from app.db.listening import kept_listening

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
    on_state: Callable[[bool], None] = lambda _listening: None,
) -> AsyncIterator[bool]:
    """On PostgreSQL, call `callback` whenever any process commits deliveries, for as long
    as the block runs; yields whether it listens (False: not PostgreSQL, or no connection,
    and the caller must look for itself). Should the connection be lost later, `on_state`
    hears False (the caller looks for itself meanwhile) and, once it listens again, True;
    `callback` is called both times, for rows that may have come while no one listened."""
    engine = sessionmaker.kw.get("bind")
    if engine is None:
        yield False
        return

    def state(now_listening: bool) -> None:
        on_state(now_listening)
        callback()

    async with kept_listening(engine, CHANNEL, lambda _payload: callback(), state) as told:
        yield told
