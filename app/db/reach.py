"""Where the database is, and whether it is ready: said in one line before a command works.

An operator's first mistakes are a database that is not running, a URL with a typo, or a
schema not yet migrated. Each is one line naming TIDINGS_DATABASE_URL and what to do, said
before a server listens (not three hundred lines of traceback after "Listening").
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db.migrate import newest_revisions
from app.db.session import lost_connection, make_engine

CONNECT_SECONDS = 10.0  # a database behind a dropped route answers nothing, not "refused"


class NotReady(Exception):
    """The database cannot be used yet; the message is one line saying what to do."""


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL (None: not SQLite, or in memory)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def where(database_url: str) -> str:
    """The database as an operator looks for it: a SQLite file's absolute path, or the URL
    of a server without its password."""
    path = sqlite_path(database_url)
    if path is not None:
        return str(path)
    return make_url(database_url).render_as_string(hide_password=True)


def _reason(exc: BaseException) -> str:
    """The driver's own words, on one line."""
    inner: BaseException = getattr(exc, "orig", None) or exc
    words = " ".join(str(inner).split()) or type(inner).__name__
    return words[:200]


async def applied_revisions(database_url: str) -> set[str]:
    """The schema revisions the database is at (empty: never migrated). NotReady when it
    cannot be reached or will not let us in."""
    engine = make_engine(database_url)
    try:
        async with asyncio.timeout(CONNECT_SECONDS):
            try:
                connection = await engine.connect()
            except Exception as exc:
                # Whatever stops a connection (refused, no such database, a password turned
                # down, a name that does not resolve) is the URL's or the server's to fix.
                raise NotReady(_unreachable(database_url, exc)) from None
            try:
                await connection.execute(text("SELECT 1"))
                has_table = await connection.run_sync(
                    lambda sync: sync.dialect.has_table(sync, "alembic_version")
                )
                if not has_table:
                    return set()
                rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
                return {str(row[0]) for row in rows}
            finally:
                await connection.close()
    except TimeoutError:
        raise NotReady(
            f"the database at {where(database_url)} did not answer within "
            f"{CONNECT_SECONDS:g} s: start it, or correct TIDINGS_DATABASE_URL"
        ) from None
    except NotReady:
        raise
    except Exception as exc:
        if not lost_connection(exc):
            raise
        raise NotReady(_unreachable(database_url, exc)) from None
    finally:
        await engine.dispose()


def _unreachable(database_url: str, exc: BaseException) -> str:
    if sqlite_path(database_url) is not None:
        return (
            f"cannot open the database file {where(database_url)} ({_reason(exc)}): check "
            "that its folder exists and may be written, or correct TIDINGS_DATABASE_URL"
        )
    return (
        f"cannot connect to the database at {where(database_url)} ({_reason(exc)}): start "
        "or create it, or correct TIDINGS_DATABASE_URL"
    )


async def check_ready(database_url: str) -> None:
    """NotReady unless the database answers and is at the newest schema."""
    path = sqlite_path(database_url)
    if path is not None and not path.is_file():
        # Connecting would create an empty file here: say where the database is expected.
        raise NotReady(
            f"there is no database at {path}: run `tidings migrate` to create it, or set "
            "TIDINGS_DATABASE_URL to the one you meant"
        )
    applied = await applied_revisions(database_url)
    if not applied:
        raise NotReady(
            f"the database at {where(database_url)} has no tables yet: run `tidings migrate`"
        )
    newest = newest_revisions()
    if not newest <= applied:
        raise NotReady(
            f"the database at {where(database_url)} is at schema {', '.join(sorted(applied))}, "
            f"this Tidings needs {', '.join(sorted(newest))}: run `tidings migrate`"
        )
