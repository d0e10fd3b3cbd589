"""Desk sessions are rows in the database, checked against their user on every request:
a copied cookie stops working when its session ends, however it ends."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from app.accounts.http.session import COOKIE
from app.accounts.models import AdminSession, Role, User
from app.accounts.service import remove_user, set_password
from tests.support.desk import HTML, sign_in


def sent_to_sign_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 303 and response.headers["location"].startswith("/admin/sign-in")


async def test_the_session_cookie_is_a_random_token_that_names_no_user_or_role(
    client, users, sessionmaker
):
    await sign_in(client, "lead")
    token = client.cookies[COOKIE]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert "lead" not in token and "comms" not in token
    async with sessionmaker() as session:
        stored = (await session.scalars(select(AdminSession))).all()
    # Only a hash of the token is kept: the table alone opens no desk.
    assert len(stored) == 1 and token not in stored[0].id


async def test_a_changed_password_ends_the_session_a_copied_cookie_was_using(
    client, users, sessionmaker
):
    await sign_in(client, "lead")
    assert (await client.get("/admin", follow_redirects=False)).status_code == 200
    async with sessionmaker() as session:
        await set_password(session, username="lead", password="a whole new password")
        await session.commit()
    assert sent_to_sign_in(await client.get("/admin", follow_redirects=False))


async def test_a_removed_users_session_opens_nothing_at_once(client, users, sessionmaker):
    await sign_in(client, "rita")
    async with sessionmaker() as session:
        await remove_user(session, username="rita")
        await session.commit()
    assert sent_to_sign_in(await client.get("/admin/queue", follow_redirects=False))
    async with sessionmaker() as session:
        assert (await session.scalars(select(AdminSession))).all() == []


async def test_a_demoted_user_loses_the_lead_pages_on_their_next_click(client, users, sessionmaker):
    await sign_in(client, "lead")
    assert (await client.get("/admin/subscribers")).status_code == 200
    async with sessionmaker() as session:
        await session.execute(
            update(User).where(User.username == "lead").values(role=Role.RESPONDER.value)
        )
        await session.commit()
    # The role is the user's as it is now, not what it was at sign-in.
    assert (await client.get("/admin/subscribers", headers=HTML)).status_code == 403
    assert "responder" in (await client.get("/admin")).text


async def test_a_session_ends_twelve_hours_after_sign_in(client, users, clock):
    await sign_in(client, "lead")
    clock.advance(hours=11, minutes=50)
    assert (await client.get("/admin", follow_redirects=False)).status_code == 200
    clock.advance(minutes=15)
    assert sent_to_sign_in(await client.get("/admin", follow_redirects=False))


async def test_signing_in_again_in_one_browser_ends_its_previous_session(
    client, users, sessionmaker
):
    await sign_in(client, "lead")
    first = client.cookies[COOKIE]
    await sign_in(client, "lead")
    assert client.cookies[COOKIE] != first
    client.cookies.clear()
    client.cookies.set(COOKIE, first, domain="status.example.test", path="/admin")
    assert sent_to_sign_in(await client.get("/admin", follow_redirects=False))
