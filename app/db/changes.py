"""The state version: one counter that every publicly visible change bumps.

Public pages are rendered once per version, so a read never touches the database. A service
that changes what an outsider could see calls `mark_changed(session)`: the counter moves in
the same transaction, and after the commit this process learns the new version at once.
Other processes notice it through `read_version`, which the page cache polls; on PostgreSQL
the same transaction also sends `NOTIFY tidings_state`, so a listening process
(`listen_for_changes`) learns of the commit as soon as it happens.

Each change also says what it changed, in `state_changes` (one row per version and subject:
an incident, a component, the customers, or everything), so the static copy rewrites only
the files that show it. A change that names nothing counts as everything. Old rows are
pruned; a copy older than the rows kept is written whole.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

from sqlalchemy import Integer, String, delete, event, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db.base import Base
from app.db.listening import kept_listening

_FLAG = "tidings.state_changed"
_SUBJECTS = "tidings.state_subjects"
EVERYTHING = "*"
CUSTOMERS = "customers"  # who a customer is or uses: nothing the public reads
KEEP_VERSIONS = 5000  # versions whose subjects are kept; older copies are written whole
CHANNEL = "tidings_state"
_listeners: list[Callable[[], None]] = []


class SiteState(Base):
    __tablename__ = "site_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class StateChange(Base):
    """What one state version changed: `incident:<id>`, `component:<id>`, `customers`, `*`."""

    __tablename__ = "state_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, index=True)
    subject: Mapped[str] = mapped_column(String(80))


def incident_subject(incident_id: str) -> str:
    return f"incident:{incident_id}"


def component_subject(component_id: str) -> str:
    return f"component:{component_id}"


async def mark_changed(
    session: AsyncSession,
    *,
    incident_id: str | None = None,
    component_id: str | None = None,
    subject: str | None = None,
) -> None:
    """Bump the state version (once per transaction) and record what changed: the incident,
    the component, or `subject`; naming nothing says anything may have changed."""
    if incident_id is not None:
        subject = incident_subject(incident_id)
    elif component_id is not None:
        subject = component_subject(component_id)
    subject = subject or EVERYTHING
    if not session.info.get(_FLAG):
        await _bump(session)
    noted: set[str] = session.info.setdefault(_SUBJECTS, set())
    if subject in noted:
        return
    noted.add(subject)
    version = await read_version(session)
    session.add(StateChange(version=version, subject=subject))
    await session.flush()


async def _bump(session: AsyncSession) -> None:
    session.info[_FLAG] = True
    result = await session.execute(
        update(SiteState).where(SiteState.id == 1).values(version=SiteState.version + 1)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(SiteState(id=1, version=1))
        await session.flush()
    version = await read_version(session)
    if version % 100 == 0:  # now and then, not on every change
        oldest = version - KEEP_VERSIONS
        await session.execute(delete(StateChange).where(StateChange.version < oldest))
    if session.get_bind().dialect.name == "postgresql":
        # Delivered to listeners when (and only if) this transaction commits; the payload is
        # the new version, so a listener need not read it back.
        await session.execute(
            text("SELECT pg_notify(:channel, CAST(version AS text)) FROM site_state WHERE id = 1"),
            {"channel": CHANNEL},
        )


async def read_version(session: AsyncSession) -> int:
    version = await session.scalar(select(SiteState.version).where(SiteState.id == 1))
    return version or 0


def on_change(callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` after any commit that changed public state; returns an unsubscribe."""
    _listeners.append(callback)
    return lambda: _listeners.remove(callback)


async def subjects_since(session: AsyncSession, since: int, until: int) -> set[str] | None:
    """What changed after version `since` up to `until`, or None when the rows kept do not
    account for every version between (pruned, or written before subjects were recorded)."""
    rows = (
        await session.execute(
            select(StateChange.version, StateChange.subject).where(
                StateChange.version > since, StateChange.version <= until
            )
        )
    ).all()
    if {v for v, _s in rows} != set(range(since + 1, until + 1)):
        return None
    return {s for _v, s in rows}


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_SUBJECTS, None)
    if session.info.pop(_FLAG, False):
        for callback in list(_listeners):
            callback()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)
    session.info.pop(_SUBJECTS, None)


@contextlib.asynccontextmanager
async def listen_for_changes(
    engine: AsyncEngine,
    callback: Callable[[int | None], None],
    on_state: Callable[[bool], None] = lambda _listening: None,
) -> AsyncIterator[bool]:
    """On PostgreSQL, call `callback(version)` whenever a transaction committed a change, for
    as long as the context is open; yields whether it listens (False on other databases, or
    when the listening connection could not be made: then only polling notices changes).
    A lost connection is made again; `on_state` hears when listening stops and starts."""

    def heard(payload: str) -> None:
        callback(int(payload) if payload.isdigit() else None)

    async with kept_listening(engine, CHANNEL, heard, on_state) as listening:
        yield listening
