"""Per-request dependencies: the database session and the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import session_scope
from app.settings import Settings


async def provide_db(state: State) -> AsyncIterator[AsyncSession]:
    """One session per request. Handlers commit what they changed; anything else rolls back."""
    async for session in session_scope(state.sessionmaker):
        yield session


def provide_settings(state: State) -> Settings:
    return state.settings  # type: ignore[no-any-return]


# Handler parameters name their dependencies explicitly (Litestar 3 drops inferred ones).
Db = NamedDependency[AsyncSession]
AppSettings = NamedDependency[Settings]
