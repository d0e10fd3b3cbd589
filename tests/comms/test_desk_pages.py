"""The comms desk's pages over HTTP: every page renders, the queue, previews, tone rules."""

from __future__ import annotations

from app.settings import page_id_for
from tests.support import factories
from tests.support.desk import csrf, sign_in


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
    await sign_in(client, "rita")
    queue = await client.get("/admin/queue")
    assert "Approve and publish" not in queue.text
    response = await client.post(
        f"/admin/updates/{draft_id}/approve",
        data={"_csrf": csrf(queue.text)},
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
    await sign_in(client, "lead")
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
        "/admin/settings",
    ):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        assert '<main id="main"' in response.text


async def test_the_live_preview_needs_the_csrf_header_and_returns_findings(client, users, keys):
    incident = await factories.incident(client, keys["responder"], "API errors", impact="major")
    await sign_in(client, "lead")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    url = f"/admin/incidents/{incident['id']}/preview"
    body = {"body": "**Down** <script>x()</script> see OPS-7"}
    assert (await client.post(url, json=body)).status_code == 403
    response = await client.post(url, json=body, headers={"x-csrf-token": csrf(page.text)})
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
    await sign_in(client, "lead")
    edit = await client.get(f"/admin/templates/{template_id}")
    assert "API errors is slow." in edit.text
    form = {
        "_csrf": csrf(edit.text),
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
    await sign_in(client, "lead")
    page = await client.get("/admin/tone")
    assert "Only an admin changes the policy." in page.text
    saved = await client.post(
        "/admin/tone/jargon",
        data={"_csrf": csrf(page.text), "enabled": "on", "blocking": "on", "words": "k8s, pod"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    rules = (await client.get("/api/v1/tone-rules", headers=keys["responder"])).json()
    jargon = next(r for r in rules if r["name"] == "jargon")
    assert (jargon["enabled"], jargon["blocking"], jargon["words"]) == (True, True, ["k8s", "pod"])
    refused = await client.post(
        "/admin/policy",
        data={"_csrf": csrf(page.text)},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 403


async def test_the_desk_shows_the_page_id_and_the_manage_api_address(client, users, settings):
    await sign_in(client, "rita")
    desk = await client.get("/admin")
    page_id = page_id_for(settings)
    assert f"<code>{page_id}</code>" in desk.text
    assert f"{settings.base_url}/v1/pages/{page_id}/" in desk.text
