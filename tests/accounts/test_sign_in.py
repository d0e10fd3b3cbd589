"""Signing in to the admin desk: passwords, the guessing limit, CSRF on every form, and a
session that is for the pages only, never the JSON API."""

from __future__ import annotations

import asyncio

import httpx

from app.accounts.http.session import DEVICE_COOKIE
from tests.support.desk import PASSWORD, csrf, sign_in, text_of


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


async def _wrong_passwords(client, name: str, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    """`count` wrong passwords for `name`, sent at once (all with one form's CSRF token)."""
    token = csrf((await client.get("/admin/sign-in")).text)
    answers = await asyncio.gather(
        *(
            client.post(
                "/admin/sign-in",
                data={"username": name, "password": f"guess-{n:03d}", "_csrf": token},
            )
            for n in range(count)
        )
    )
    return [a.status_code for a in answers]


async def _sign_in_over_http(http: httpx.AsyncClient, name: str) -> int:
    token = csrf((await http.get("/admin/sign-in")).text)
    response = await http.post(
        "/admin/sign-in",
        data={"username": name, "password": PASSWORD, "_csrf": token, "next": "/admin"},
    )
    return response.status_code


async def test_sixty_concurrent_guesses_get_ten_checked_and_the_real_user_still_signs_in(
    app_process, users
):
    # A real server: the in-process test client would run the guesses one at a time.
    async with httpx.AsyncClient(base_url=app_process, timeout=120) as person:
        # The real person signed in from their browser before.
        assert await _sign_in_over_http(person, "lead") == 303
        device = person.cookies[DEVICE_COOKIE]

        # An attacker who knows the user name fires 60 guesses at once.
        async with httpx.AsyncClient(base_url=app_process, timeout=120) as attacker:
            answers = await _wrong_passwords(attacker, "lead", 60)
            assert answers.count(401) == 10, answers  # checked: the limit, and no more
            assert answers.count(429) == 50, answers  # refused before any check
            # From the attacker's browser even the right password is refused for now...
            assert await _sign_in_over_http(attacker, "lead") == 429

        # ...while the person, at the browser that proves a past sign-in, gets in.
        person.cookies.clear()
        person.cookies.set(DEVICE_COOKIE, device, path="/admin")
        assert await _sign_in_over_http(person, "lead") == 303
        assert (await person.get("/admin")).status_code == 200


async def test_a_refusal_says_that_a_known_browser_can_still_sign_in(client, users):
    answers = await _wrong_passwords(client, "lead", 11)
    assert answers.count(429) == 1
    token = csrf((await client.get("/admin/sign-in")).text)
    refused = await client.post(
        "/admin/sign-in", data={"username": "lead", "password": PASSWORD, "_csrf": token}
    )
    assert refused.status_code == 429
    assert "a browser you have signed in with before can still sign in" in text_of(refused)


async def test_a_made_up_device_cookie_buys_no_more_guesses(client, users):
    client.cookies.set(
        DEVICE_COOKIE, "made-up-token." + "0" * 40, domain="status.example.test", path="/admin"
    )
    answers = await _wrong_passwords(client, "lead", 12)
    assert answers.count(401) == 10 and answers.count(429) == 2


async def test_the_guess_count_is_shared_by_every_process(app_process, client, users):
    async with httpx.AsyncClient(base_url=app_process, timeout=120) as other:
        assert sorted(await _wrong_passwords(other, "rita", 6)) == [401] * 6
    # This process counts on from what the other one counted.
    assert sorted(await _wrong_passwords(client, "rita", 6)) == [401] * 4 + [429] * 2


async def test_eight_wrong_passwords_at_once_are_each_refused_while_the_server_answers(
    app_process, users
):
    # How promptly /livez answers during the checks (argon2 runs in worker threads, off the
    # event loop) is a duration: bench/responsiveness.py measures it.
    async with httpx.AsyncClient(base_url=app_process, timeout=120) as http:
        answers, livez = await asyncio.gather(_wrong_passwords(http, "lead", 8), http.get("/livez"))
    assert answers.count(401) == 8
    assert livez.status_code == 200
