"""Peers only delivery tests need: receivers that misbehave on purpose, and a PostgreSQL
server of a test's own to restart under a worker."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.accounts.models import Role
from app.accounts.service import create_api_key
from app.asgi import create_app
from app.db.migrate import upgrade
from app.db.session import make_engine, make_sessionmaker
from app.settings import Settings
from tests.support.bad_receivers import BadReceiver
from tests.support.private_postgres import PrivatePostgres


@pytest.fixture(name="bad_receivers")
def bad_receivers_fixture() -> Iterator[dict[str, BadReceiver]]:
    receivers = {mode: BadReceiver(mode) for mode in ("trickle", "hang", "huge")}
    for receiver in receivers.values():
        receiver.start()
    yield receivers
    for receiver in receivers.values():
        receiver.stop()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A migrated PostgreSQL server of this test's own (a temporary folder, a free loopback
    port), which the test may stop and restart. It runs in the SQLite half of `make test`
    only: the PostgreSQL half would run the same scenario twice."""
    if os.environ.get("TIDINGS_TEST_DATABASE", "sqlite") == "postgresql":
        pytest.skip("runs its own PostgreSQL server: already run in the SQLite half")
    try:
        server = PrivatePostgres()
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"cannot run a private PostgreSQL server here: {exc}")
    try:
        server.start()
        upgrade(server.url)
        yield server
    finally:
        server.remove()


@pytest.fixture
async def private_client(
    private_postgres: PrivatePostgres, settings: Settings
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The app on the private PostgreSQL server (with the test's settings otherwise)."""
    app = create_app(replace(settings, database_url=private_postgres.url))
    async with AsyncTestClient(app=app, base_url="http://status.example.test") as client:
        yield client


@pytest.fixture
async def private_keys(private_postgres: PrivatePostgres) -> dict[str, dict[str, str]]:
    """Authorization headers per role, for the app on the private PostgreSQL server."""
    engine = make_engine(private_postgres.url)
    headers = {}
    async with make_sessionmaker(engine)() as session:
        for role in Role:
            _key, raw = await create_api_key(session, name=f"test-{role.value}", role=role)
            headers[role.value] = {"Authorization": f"Bearer {raw}"}
        await session.commit()
    await engine.dispose()
    return headers
