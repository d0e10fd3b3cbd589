"""Per-request dependencies: the database session and the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings


async def provide_db(state: State) -> AsyncIterator[AsyncSession]:
    """One session, one transaction per request: the unit of work.

    It commits once, after the handler has returned and its response has been built but
    before a byte is sent, so a client never hears "done" for a change that did not commit.
    An exception from the handler rolls everything back. Handlers and services never
    commit; a handler that recovers from a domain error to show a form rolls back first.
    """
    # Written out rather than delegating to another generator: an exception thrown in here
    # must close the session at once, not when an abandoned inner generator is collected.
    async with state.sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        # Litestar runs this after `to_response` and before sending; a failed commit raises
        # here and becomes the answer instead of a false success.
        await session.commit()


def provide_settings(state: State) -> Settings:
    return state.settings  # type: ignore[no-any-return]


# Handler parameters name their dependencies explicitly (Litestar 3 drops inferred ones).
Db = NamedDependency[AsyncSession]
AppSettings = NamedDependency[Settings]
