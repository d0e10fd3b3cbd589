"""Fixtures every folder uses: a real database built by Alembic, settings, the app, an HTTP
client, API keys, the desk's users, a real SMTP server, the delivery worker, a settable clock.

The suite runs on SQLite by default and on PostgreSQL when TIDINGS_TEST_DATABASE=postgresql
(`make test` runs both). Tables are emptied after each test that used the database, so tests
never see each other; a test of a pure rule touches no database at all.
Fixtures that only one folder needs live in that folder's conftest.py.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from time_machine import TimeMachineFixture

from app.accounts.models import Role
from app.accounts.service import create_api_key, create_user
from app.asgi import create_app
from app.db.migrate import upgrade
from app.db.session import make_engine, make_sessionmaker
from app.delivery.jobs import DeliveryWorker
from app.models import Base
from app.settings import Settings
from tests.support.clock import Clock
from tests.support.desk import PASSWORD, csrf, sign_in
from tests.support.peers import HttpReceiver, SmtpServer
from tests.support.process_server import serving_in_a_process
from tests.support.twilio import FakeTwilio

POSTGRES_URL = os.environ.get(
    "TIDINGS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def _backend() -> str:
    return os.environ.get("TIDINGS_TEST_DATABASE", "sqlite")


def _reset_postgres(url: str) -> None:
    async def reset() -> None:
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(reset())


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    if _backend() == "postgresql":
        _reset_postgres(POSTGRES_URL)
        upgrade(POSTGRES_URL)
        yield POSTGRES_URL
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'test.db'}"
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def base_settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        base_url="http://status.example.test",
        secret_key="test-secret-key-0123456789",
        page_name="Example",
        time_zone="Etc/UTC",
        run_worker=False,
        state_poll_seconds=0.2,
    )


@pytest.fixture
def settings(base_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The settings the app under test runs with: the base ones, with what the test asks for
    by `@pytest.mark.settings(name=value, ...)` (on the test, or `pytestmark` for a module).
    A test that uses the `smtp` fixture has its email sent there."""
    overrides: dict[str, object] = {}
    for mark in reversed(list(request.node.iter_markers("settings"))):  # the test's mark wins
        overrides.update(mark.kwargs)
    if "smtp" in request.fixturenames:
        overrides.setdefault("smtp_port", request.getfixturevalue("smtp").port)
    return replace(base_settings, **overrides)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
async def sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture(autouse=True)
async def _empty_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Empty every table after a test that used the database, whichever fixture brought it
    in (`db`, `sessionmaker`, `settings`, `app`, `client`, `keys`, `worker`, ...: all of them
    rest on `database_url`). A test of a pure rule uses none of them and touches no database.
    Being autouse, this is torn down last, after the app, the worker and the servers stop."""
    if "database_url" not in request.fixturenames:
        yield
        return
    database_url: str = request.getfixturevalue("database_url")
    yield
    engine = make_engine(database_url)
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                await conn.execute(table.delete())
    await engine.dispose()


@pytest.fixture
async def db(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


# Building the app registers some 430 routes, about 0.2 s of CPU: most tests run with the
# same settings, so they share the app built for those settings (each test still runs its own
# lifespan, through its own client). The last few are kept; a test that swaps the settings in
# the app's state has them put back.
_BUILT_APPS: OrderedDict[str, Litestar] = OrderedDict()
_KEEP_APPS = 4


@pytest.fixture
def app(settings: Settings) -> Iterator[Litestar]:
    key = repr(settings)
    app = _BUILT_APPS.pop(key, None) or create_app(settings)
    _BUILT_APPS[key] = app
    while len(_BUILT_APPS) > _KEEP_APPS:
        _BUILT_APPS.popitem(last=False)
    yield app
    app.state.settings = settings


@pytest.fixture(scope="session", autouse=True)
def _cheapest_password_hashing() -> Iterator[None]:
    """Real argon2 with argon2-cffi's profile for tests (`CHEAPEST`), in place of the
    production cost of about 0.1 s of CPU per hash or check that the desk's sign-ins would
    otherwise spend hundreds of times over. Servers started in their own process keep the
    production cost, and a hash records its parameters, so each checks the other's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "app.accounts.service._hasher", PasswordHasher.from_parameters(profiles.CHEAPEST)
        )
        yield


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url="http://status.example.test") as client:
        yield client


@pytest.fixture
async def keys(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, dict[str, str]]:
    """Authorization headers per role: keys["admin"], keys["comms_lead"], keys["responder"]."""
    headers = {}
    async with sessionmaker() as session:
        for role in Role:
            _key, raw = await create_api_key(session, name=f"test-{role.value}", role=role)
            headers[role.value] = {"Authorization": f"Bearer {raw}"}
        await session.commit()
    return headers


@pytest.fixture
async def users(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """The desk's people: `lead` (comms lead) and `rita` (responder), both with PASSWORD from
    tests.support.desk, whose `sign_in(client, name)` signs one of them in."""
    async with sessionmaker() as session:
        for name, role in (("lead", Role.COMMS_LEAD), ("rita", Role.RESPONDER)):
            await create_user(session, username=name, password=PASSWORD, role=role)
        await session.commit()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on loopback; `settings` points the app at it."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    """A real webhook endpoint on loopback that records what it receives."""
    server = HttpReceiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    """A stand-in for Twilio's Messages API on loopback (`twilio.settings()` points the app
    at it), checking each request as Twilio reads it."""
    peer = FakeTwilio()
    peer.start()
    yield peer
    peer.stop()


@pytest.fixture
async def worker(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[DeliveryWorker]:
    """The delivery worker, with production's back-off; run it with tests.support.delivery's
    `drain(worker)`, and move the `clock` past a back-off to see a retry."""
    worker = DeliveryWorker(settings, sessionmaker)
    yield worker
    await worker.close()


@pytest.fixture
def clock(time_machine: TimeMachineFixture) -> Clock:
    """A clock the test moves forward (`clock.advance(minutes=5)`) to let time pass."""
    return Clock(time_machine)


def pytest_report_header() -> str:
    return f"tidings database backend: {_backend()}"


@pytest.fixture
def desk_sign_in(
    client: AsyncTestClient[Litestar], sessionmaker: async_sessionmaker[AsyncSession]
) -> Callable[[str, Role], Awaitable[str]]:
    """`await desk_sign_in(name, role)`: a new desk user with that role, signed in on
    `client`; returns a CSRF token for its forms."""

    async def sign_in_as(name: str, role: Role) -> str:
        async with sessionmaker() as session:
            await create_user(session, username=name, password=PASSWORD, role=role)
            await session.commit()
        await sign_in(client, name)
        return csrf((await client.get("/admin/")).text)

    return sign_in_as


@pytest.fixture
def app_process(settings: Settings) -> Iterator[str]:
    """The app with these settings, served by uvicorn in a process of its own on a loopback
    port, for tests that need real concurrency or a real server. Yields the base URL."""
    with serving_in_a_process(settings) as url:
        yield url
