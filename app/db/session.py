"""Engine and session factory. SQLite runs in WAL mode so readers never wait on the writer."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError, InterfaceError, InternalError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry


def make_engine(database_url: str, **kwargs: object) -> AsyncEngine:
    if database_url.startswith("sqlite"):
        engine = create_async_engine(
            database_url,
            connect_args={"timeout": 30},
            **kwargs,  # type: ignore[arg-type]
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_async_engine(database_url, pool_pre_ping=True, **kwargs)  # type: ignore[arg-type]


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def lost_connection(exc: BaseException) -> bool:
    """Whether `exc` says the database could not be reached or dropped the connection (a
    restart, a failover, a network cut), rather than that a statement was wrong: the same
    work is worth trying again once it is back."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (OSError, TimeoutError)):
            return True
        if isinstance(current, DBAPIError) and (
            current.connection_invalidated
            or isinstance(current, (OperationalError, InterfaceError, InternalError))
        ):
            return True
        if type(current).__name__ in _DRIVER_LOST:
            return True
        current = current.__cause__ or current.__context__
    return False


# asyncpg's words for a server that is shutting down, starting up, or gone mid-query.
_DRIVER_LOST = {
    "CannotConnectNowError",
    "ConnectionDoesNotExistError",
    "AdminShutdownError",
    "CrashShutdownError",
    "InternalClientError",
    "ConnectionFailureError",
    "ClientCannotConnectError",
}
