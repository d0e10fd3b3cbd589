"""Per-request dependencies: the database session and the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings


async def provide_db(state: State) -> AsyncIterator[AsyncSession]:
    """One session per request. Handlers commit what they changed; anything else rolls back."""
    # Written out rather than delegating to another generator: an exception thrown in here
    # must close the session at once, not when an abandoned inner generator is collected.
    async with state.sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise


def provide_settings(state: State) -> Settings:
    return state.settings  # type: ignore[no-any-return]


# Handler parameters name their dependencies explicitly (Litestar 3 drops inferred ones).
Db = NamedDependency[AsyncSession]
AppSettings = NamedDependency[Settings]
