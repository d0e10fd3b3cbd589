"""After PostgreSQL restarts, the processes that LISTEN for changes and new deliveries
listen again: they poll meanwhile and hear notifications again once it is back."""

from __future__ import annotations

import asyncio

import asyncpg

from app.db import listening as listening_module
from app.db.listening import kept_listening
from app.db.session import make_engine
from tests.support.polling import eventually
from tests.support.private_postgres import PrivatePostgres

CHANNEL = "tidings_test_channel"


async def _notify(server: PrivatePostgres, payload: str) -> None:
    conn = await asyncpg.connect(server.url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)
    finally:
        await conn.close()


async def test_a_listener_cut_off_by_a_restart_listens_again_once_postgresql_is_back(
    private_postgres: PrivatePostgres, monkeypatch
):
    monkeypatch.setattr(listening_module, "RETRY_FIRST", 0.1)
    heard: list[str] = []
    states: list[bool] = []
    engine = make_engine(private_postgres.url)
    try:
        async with kept_listening(engine, CHANNEL, heard.append, states.append) as listening:
            assert listening
            await _notify(private_postgres, "1")
            assert await eventually(lambda: heard == ["1"], 5)

            await asyncio.to_thread(private_postgres.stop)
            assert await eventually(lambda: states == [False], 10), states
            await asyncio.to_thread(private_postgres.start)
            assert await eventually(lambda: states == [False, True], 30), states

            await _notify(private_postgres, "2")
            assert await eventually(lambda: heard == ["1", "2"], 5), heard
    finally:
        await engine.dispose()
