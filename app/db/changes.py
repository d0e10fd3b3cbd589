"""The state version: one counter that every publicly visible change bumps.

Public pages are rendered once per version, so a read never touches the database. A service
that changes what an outsider could see calls `mark_changed(session)`: the counter moves in
the same transaction, and after the commit this process learns the new version at once.
Other processes notice it through `read_version`, which the page cache polls about once a
second.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Integer, event, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db.base import Base

_FLAG = "tidings.state_changed"
_listeners: list[Callable[[], None]] = []


class SiteState(Base):
    __tablename__ = "site_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


async def mark_changed(session: AsyncSession) -> None:
    if session.info.get(_FLAG):
        return
    session.info[_FLAG] = True
    result = await session.execute(
        update(SiteState).where(SiteState.id == 1).values(version=SiteState.version + 1)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(SiteState(id=1, version=1))
        await session.flush()


async def read_version(session: AsyncSession) -> int:
    version = await session.scalar(select(SiteState.version).where(SiteState.id == 1))
    return version or 0


def on_change(callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` after any commit that changed public state; returns an unsubscribe."""
    _listeners.append(callback)
    return lambda: _listeners.remove(callback)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_FLAG, False):
        for callback in list(_listeners):
            callback()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)
