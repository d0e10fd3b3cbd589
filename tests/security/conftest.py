"""Fixtures of the attack suite: signed-in desk clients per role, and a revoked API key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.http.session import COOKIE
from app.accounts.models import Role
from app.accounts.service import create_api_key, create_user, revoke_api_key
from tests.support.bomb_pages import BombPages
from tests.support.desk import PASSWORD, csrf, sign_in
from tests.support.peers import HttpReceiver

# The desk person of each role; `lead` and `rita` come from the `users` fixture.
DESK_PEOPLE = {Role.RESPONDER: "rita", Role.COMMS_LEAD: "lead", Role.ADMIN: "ada"}


@dataclass(frozen=True)
class DeskSession:
    cookie: str  # the value of the admin session cookie
    csrf: str

    def headers(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.cookie}", "X-CSRF-Token": self.csrf}


@pytest.fixture
async def revoked_key(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    """Authorization headers of an admin key that has been revoked."""
    async with sessionmaker() as session:
        key, raw = await create_api_key(session, name="revoked-admin", role=Role.ADMIN)
        await revoke_api_key(session, key_id=key.id)
        await session.commit()
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def bomb_pages() -> Iterator[BombPages]:
    """A Statuspage lookalike on loopback whose documents are compression and nesting bombs."""
    server = BombPages()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def desk(
    client: AsyncTestClient[Litestar], users: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> dict[Role, DeskSession]:
    """Per role, the session cookie of that role's person signed in through the form, and the
    CSRF token of its forms. `client`'s own cookie jar is left empty."""
    async with sessionmaker() as session:
        await create_user(session, username="ada", password=PASSWORD, role=Role.ADMIN)
        await session.commit()
    sessions = {}
    for role, name in DESK_PEOPLE.items():
        client.cookies.clear()
        await sign_in(client, name)
        token = csrf((await client.get("/admin/")).text)
        sessions[role] = DeskSession(cookie=client.cookies[COOKIE], csrf=token)
    client.cookies.clear()
    return sessions


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    """A real webhook endpoint on loopback that records what it receives."""
    server = HttpReceiver()
    server.start()
    yield server
    server.stop()
