"""A provider account's pace is one for every process: each send takes the next moment."""

from __future__ import annotations

import itertools
import time

from app.db.pace import reserve
from app.db.session import make_engine, make_sessionmaker


async def test_two_processes_sending_through_one_account_share_its_pace(database_url, sessionmaker):
    # A second engine stands for a second worker process: its own connections, one database.
    other_engine = make_engine(database_url)
    other = make_sessionmaker(other_engine)
    moments = []
    try:
        for maker in (sessionmaker, other, sessionmaker, other):
            asked = time.time()
            async with maker() as session:
                moments.append(asked + await reserve(session, "twilio:AC1", per_second=0.1))
                await session.commit()
    finally:
        await other_engine.dispose()
    gaps = [later - earlier for earlier, later in itertools.pairwise(moments)]
    # One send every 10 s, whichever process asks (a generous second for the asking itself).
    assert all(9 < gap < 11 for gap in gaps), gaps


async def test_each_account_keeps_its_own_pace(sessionmaker):
    async with sessionmaker() as session:
        assert await reserve(session, "twilio:AC1", per_second=0.1) == 0
        assert await reserve(session, "twilio:AC2", per_second=0.1) == 0
        assert await reserve(session, "twilio:AC1", per_second=0.1) > 9
        await session.commit()
