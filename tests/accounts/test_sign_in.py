"""Signing in to the admin desk: passwords, the guessing limit, CSRF on every form, and a
session that is for the pages only, never the JSON API."""

from __future__ import annotations

from tests.support.desk import PASSWORD, csrf, sign_in


async def test_a_signed_out_visitor_is_sent_to_the_sign_in_page(client):
    response = await client.get("/admin/queue", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/sign-in?next=/admin/queue"


async def test_a_wrong_password_shows_the_form_again_with_a_message(client, users):
    form = await client.get("/admin/sign-in")
    response = await client.post(
        "/admin/sign-in",
        data={"username": "lead", "password": "nope-nope", "_csrf": csrf(form.text)},
    )
    assert response.status_code == 401
    assert "do not match" in response.text


async def test_guessing_passwords_is_stopped_after_ten_failures(client, users):
    for _ in range(10):
        form = await client.get("/admin/sign-in")
        await client.post(
            "/admin/sign-in",
            data={"username": "lead", "password": "guess-guess", "_csrf": csrf(form.text)},
        )
    form = await client.get("/admin/sign-in")
    blocked = await client.post(
        "/admin/sign-in",
        data={"username": "lead", "password": PASSWORD, "_csrf": csrf(form.text)},
    )
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.text


async def test_a_form_without_the_csrf_token_is_refused(client, users):
    await sign_in(client, "lead")
    response = await client.post(
        "/admin/templates",
        data={"name": "x", "status": "investigating", "body": "hi"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 403
    assert "expired" in response.text


async def test_sign_in_then_out_and_the_old_token_no_longer_works(client, users):
    await sign_in(client, "lead")
    desk = await client.get("/admin")
    assert desk.status_code == 200
    assert "lead" in desk.text
    token = csrf(desk.text)
    out = await client.post("/admin/sign-out", data={"_csrf": token}, follow_redirects=False)
    assert out.status_code == 303
    again = await client.get("/admin", follow_redirects=False)
    assert again.status_code == 303
    await sign_in(client, "lead")
    replay = await client.post(
        "/admin/sign-out", data={"_csrf": token}, headers={"Accept": "text/html"}
    )
    assert replay.status_code == 403


async def test_the_session_cookie_does_not_authenticate_the_json_api(client, users, keys):
    await sign_in(client, "lead")
    assert (await client.get("/api/v1/queue")).status_code == 401
    assert (await client.get("/api/v1/queue", headers=keys["responder"])).status_code == 200
