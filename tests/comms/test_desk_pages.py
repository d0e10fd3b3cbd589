"""The admin pages over HTTP: signing in, CSRF on every form, the desk's pages render."""

from __future__ import annotations

import re

import pytest

from app.accounts.models import Role
from app.accounts.service import create_user
from tests import factories

PASSWORD = "correct horse battery"


@pytest.fixture
async def users(sessionmaker):  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        for name, role in (("lead", Role.COMMS_LEAD), ("rita", Role.RESPONDER)):
            await create_user(session, username=name, password=PASSWORD, role=role)
        await session.commit()


def _csrf(html: str) -> str:
    match = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def _sign_in(client, name: str) -> None:  # type: ignore[no-untyped-def]
    form = await client.get("/admin/sign-in")
    response = await client.post(
        "/admin/sign-in",
        data={"username": name, "password": PASSWORD, "_csrf": _csrf(form.text), "next": "/admin"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/admin"


async def test_a_signed_out_visitor_is_sent_to_the_sign_in_page(client):
    response = await client.get("/admin/queue", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/sign-in?next=/admin/queue"


async def test_a_wrong_password_shows_the_form_again_with_a_message(client, users):
    form = await client.get("/admin/sign-in")
    response = await client.post(
        "/admin/sign-in",
        data={"username": "lead", "password": "nope-nope", "_csrf": _csrf(form.text)},
    )
    assert response.status_code == 401
    assert "do not match" in response.text


async def test_guessing_passwords_is_stopped_after_ten_failures(client, users):
    for _ in range(10):
        form = await client.get("/admin/sign-in")
        await client.post(
            "/admin/sign-in",
            data={"username": "lead", "password": "guess-guess", "_csrf": _csrf(form.text)},
        )
    form = await client.get("/admin/sign-in")
    blocked = await client.post(
        "/admin/sign-in",
        data={"username": "lead", "password": PASSWORD, "_csrf": _csrf(form.text)},
    )
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.text


async def test_a_form_without_the_csrf_token_is_refused(client, users):
    await _sign_in(client, "lead")
    response = await client.post(
        "/admin/templates",
        data={"name": "x", "status": "investigating", "body": "hi"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 403
    assert "expired" in response.text


async def test_sign_in_then_out_and_the_old_token_no_longer_works(client, users):
    await _sign_in(client, "lead")
    desk = await client.get("/admin")
    assert desk.status_code == 200
    assert "lead" in desk.text
    token = _csrf(desk.text)
    out = await client.post("/admin/sign-out", data={"_csrf": token}, follow_redirects=False)
    assert out.status_code == 303
    again = await client.get("/admin", follow_redirects=False)
    assert again.status_code == 303
    await _sign_in(client, "lead")
    replay = await client.post(
        "/admin/sign-out", data={"_csrf": token}, headers={"Accept": "text/html"}
    )
    assert replay.status_code == 403


async def test_the_session_cookie_does_not_authenticate_the_json_api(client, users, keys):
    await _sign_in(client, "lead")
    assert (await client.get("/api/v1/queue")).status_code == 401
    assert (await client.get("/api/v1/queue", headers=keys["responder"])).status_code == 200


async def test_a_responder_signed_in_cannot_approve_from_the_queue(client, users, keys):
    api = await factories.component(client, keys["admin"], "API")
    incident = await factories.incident(
        client, keys["responder"], "API errors", components=[{"id": api["id"]}]
    )
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "The API fails. Next update 14:00."},
        headers=keys["responder"],
    )
    draft_id = created.json()["update"]["id"]
    await client.post(f"/api/v1/updates/{draft_id}/submit", headers=keys["responder"])
    await _sign_in(client, "rita")
    queue = await client.get("/admin/queue")
    assert "Approve and publish" not in queue.text
    response = await client.post(
        f"/admin/updates/{draft_id}/approve",
        data={"_csrf": _csrf(queue.text)},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 403


async def test_every_admin_page_renders_for_a_comms_lead(client, users, keys):
    api = await factories.component(client, keys["admin"], "API")
    await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    incident = await factories.incident(
        client, keys["responder"], "API errors", components=[{"id": api["id"]}]
    )
    published = await factories.publish(client, keys["comms_lead"], incident["id"], "Slow API.")
    await client.put(f"/api/v1/examples/{published['id']}", json={}, headers=keys["comms_lead"])
    template = await client.post(
        "/api/v1/templates",
        json={"name": "Looking", "status": "investigating", "body": "{{ components_text }} slow."},
        headers=keys["comms_lead"],
    )
    await _sign_in(client, "lead")
    for path in (
        "/admin",
        "/admin/queue",
        "/admin/templates",
        f"/admin/templates/{template.json()['id']}",
        "/admin/examples?q=slow",
        "/admin/tone",
        "/admin/customers",
        f"/admin/incidents/{incident['id']}",
        f"/admin/incidents/{incident['id']}?template={template.json()['id']}",
        f"/admin/updates/{published['id']}",
    ):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        assert '<main id="main"' in response.text


async def test_the_live_preview_needs_the_csrf_header_and_returns_findings(client, users, keys):
    incident = await factories.incident(client, keys["responder"], "API errors", impact="major")
    await _sign_in(client, "lead")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    url = f"/admin/incidents/{incident['id']}/preview"
    body = {"body": "**Down** <script>x()</script> see OPS-7"}
    assert (await client.post(url, json=body)).status_code == 403
    response = await client.post(url, json=body, headers={"x-csrf-token": _csrf(page.text)})
    assert response.status_code == 200
    assert response.json()["html"] == "<p><strong>Down</strong>  see OPS-7</p>"
    rules = {f["rule"] for f in response.json()["findings"]}
    assert {"jargon", "apology", "next_update"} <= rules


async def test_previewing_unsaved_template_changes_shows_the_problem_line_and_saves_nothing(
    client, users, keys
):
    await factories.incident(client, keys["responder"], "API errors")
    created = await client.post(
        "/api/v1/templates",
        json={"name": "Looking", "status": "investigating", "body": "{{ title }} is slow."},
        headers=keys["comms_lead"],
    )
    template_id = created.json()["id"]
    await _sign_in(client, "lead")
    edit = await client.get(f"/admin/templates/{template_id}")
    assert "API errors is slow." in edit.text
    form = {
        "_csrf": _csrf(edit.text),
        "name": "Looking",
        "status": "investigating",
        "subject": "{{ title }}",
        "body": "{{ title }} is slow.\n{{ oops }}",
    }
    preview = await client.post(f"/admin/templates/{template_id}/preview", data=form)
    assert preview.status_code == 200
    assert "body line 2: &#39;oops&#39; is undefined" in preview.text
    assert "unsaved changes" in preview.text
    form["body"] = "Still {{ title|lower }}."
    preview = await client.post(f"/admin/templates/{template_id}/preview", data=form)
    assert "Still api errors." in preview.text
    saved = await client.get(f"/api/v1/templates/{template_id}", headers=keys["responder"])
    assert saved.json()["body"] == "{{ title }} is slow."


async def test_a_comms_lead_makes_a_tone_rule_blocking_from_the_tone_page(client, users, keys):
    await _sign_in(client, "lead")
    page = await client.get("/admin/tone")
    assert "Only an admin changes the policy." in page.text
    saved = await client.post(
        "/admin/tone/jargon",
        data={"_csrf": _csrf(page.text), "enabled": "on", "blocking": "on", "words": "k8s, pod"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    rules = (await client.get("/api/v1/tone-rules", headers=keys["responder"])).json()
    jargon = next(r for r in rules if r["name"] == "jargon")
    assert (jargon["enabled"], jargon["blocking"], jargon["words"]) == (True, True, ["k8s", "pod"])
    refused = await client.post(
        "/admin/policy",
        data={"_csrf": _csrf(page.text)},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 403
