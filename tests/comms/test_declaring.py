"""Declaring from the desk and the API; component statuses that travel with the words; the
promise filled in at publish; what the reviewer reads before approving."""

from __future__ import annotations

from datetime import datetime

from app.lib.clock import as_utc
from tests.support import factories
from tests.support.desk import HTML, csrf, sign_in, text_of


async def _world(client, keys):  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    hooks = await factories.component(client, keys["admin"], "Webhooks")
    await factories.component(client, keys["admin"], "Dashboard")
    acme = await factories.customer(client, keys["admin"], "Acme Logistics", [api["id"]])
    globex = await factories.customer(client, keys["admin"], "Globex Retail", [])
    return api, hooks, acme, globex


def _components(json):  # type: ignore[no-untyped-def]
    return {c["name"]: c["status"] for c in json["components"]}


async def _statuses(client, acme=None):  # type: ignore[no-untyped-def]
    prefix = "/c/" + acme["page_url"].rsplit("/c/", 1)[1].rstrip("/") if acme else ""
    response = await client.get(f"{prefix}/api/v2/components.json")
    assert response.status_code == 200, response.text
    return _components(response.json())


async def _declare(client, headers, **fields):  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/declarations", json=fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_declared_customer_incident_shows_only_to_its_customers_and_only_once_approved(
    client, keys
):
    api, hooks, acme, globex = await _world(client, keys)
    await factories.contact(client, keys["comms_lead"], "ops@acme.test", customer=acme["id"])
    await factories.contact(client, keys["comms_lead"], "it@globex.test", customer=globex["id"])
    await factories.contact(client, keys["comms_lead"], "public@example.test")
    declared = await _declare(
        client,
        keys["responder"],
        title="Delayed webhooks",
        impact="minor",
        visibility="customers",
        components=[
            {"id": api["id"], "status": "degraded_performance"},
            {"id": hooks["id"], "status": "partial_outage"},
        ],
        customers=[globex["id"]],
        submit=True,
    )
    draft = declared["draft"]["update"]
    assert draft["state"] == "submitted" and draft["status"] == "investigating"
    # First words from the default "investigating" template, the promise left for publish.
    assert "{{ next_update }}" in draft["body"] and "API and Webhooks" in draft["body"]
    assert await _statuses(client, acme) == {
        "API": "operational",
        "Webhooks": "operational",
        "Dashboard": "operational",
    }

    [item] = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert [c["text"] for c in item["component_changes"]] == [
        "API: Operational → Degraded performance",
        "Webhooks: Operational → Partial outage",
    ]
    # Globex is named, so Globex alone is told, though Acme uses the API.
    assert item["customers"] == ["Globex Retail"]
    assert item["recipients"]["channels"] == {"email": 1}
    assert item["recipients"]["customers"] == ["Globex Retail"]
    assert item["recipients"]["text"] == "1 email"
    assert item["email_subject"] == item["previews"][0]["email_subject"]
    assert [p["email_subject"] for p in item["previews"]] == [
        "[Example for Globex Retail] Investigating: Delayed webhooks",
    ]
    assert item["changes_since_template"] == []

    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", json={}, headers=keys["comms_lead"]
    )
    assert approved.status_code == 200, approved.text
    # What the card counted is what was sent: the outbox's own condition.
    report = await client.get(f"/api/v1/updates/{draft['id']}/deliveries", headers=keys["admin"])
    assert sum(report.json()["counts"].values()) == 1
    assert (await _statuses(client, globex))["API"] == "degraded_performance"
    assert (await _statuses(client, globex))["Webhooks"] == "partial_outage"
    assert (await _statuses(client, acme))["API"] == "operational"
    assert (await _statuses(client))["API"] == "operational"
    assert "Delayed webhooks" not in (await client.get(acme["page_url"])).text
    public = await client.get(f"/incidents/{declared['incident_id']}")
    assert public.status_code == 404
    audit = (
        await client.get(
            f"/api/v1/incidents/{declared['incident_id']}/audit", headers=keys["responder"]
        )
    ).json()
    assert {"incident.declare", "draft.submit", "draft.approve", "update.publish"} <= {
        e["action"] for e in audit
    }


async def test_the_promise_in_the_words_is_the_header_s_time_however_slow_the_approval(
    client, keys, clock
):
    api, _hooks, _acme, _globex = await _world(client, keys)
    declared = await _declare(
        client,
        keys["responder"],
        title="API errors",
        impact="major",
        components=[{"id": api["id"], "status": "major_outage"}],
        submit=True,
    )
    draft = declared["draft"]["update"]
    clock.advance(minutes=47)
    [item] = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert item["changes_since_template"] == []  # no fake "-16:38 / +16:37" edit
    approved = (
        await client.post(
            f"/api/v1/updates/{draft['id']}/approve", json={}, headers=keys["comms_lead"]
        )
    ).json()
    incident = (
        await client.get(f"/api/v1/incidents/{declared['incident_id']}", headers=keys["admin"])
    ).json()
    header = as_utc(datetime.fromisoformat(incident["next_update_at"]))
    assert header == as_utc(datetime.fromisoformat(approved["next_update_at"]))
    assert f"next update by {header:%H:%M} UTC" in approved["body"]
    assert "{{" not in approved["body"]


async def test_a_responder_may_not_publish_a_declaration_at_once(client, keys):
    await _world(client, keys)
    response = await client.post(
        "/api/v1/declarations",
        json={"title": "API errors", "publish": True},
        headers=keys["responder"],
    )
    assert response.status_code == 403
    assert "publishing without the review queue" in response.text
    listed = await client.get("/api/v1/incidents", headers=keys["admin"])
    assert all(i["title"] != "API errors" for i in listed.json())


async def test_a_comms_lead_publishes_at_once_without_notifying_and_the_audit_says_so(client, keys):
    api, _hooks, acme, _globex = await _world(client, keys)
    await factories.contact(client, keys["comms_lead"], "ops@acme.test", customer=acme["id"])
    declared = await _declare(
        client,
        keys["comms_lead"],
        title="Slow API",
        components=[{"id": api["id"], "status": "degraded_performance"}],
        publish=True,
        notify=False,
    )
    draft = declared["draft"]["update"]
    assert draft["state"] == "published" and draft["deliver_notifications"] is False
    report = await client.get(f"/api/v1/updates/{draft['id']}/deliveries", headers=keys["admin"])
    assert report.status_code == 200 and sum(report.json()["counts"].values()) == 0
    audit = (
        await client.get(
            f"/api/v1/incidents/{declared['incident_id']}/audit", headers=keys["responder"]
        )
    ).json()
    waivers = [e["detail"]["waiver"] for e in audit if e["action"] == "policy.waiver"]
    assert waivers == ["published directly by its author, without the review queue"]
    assert "draft.publish_quietly" in {e["action"] for e in audit}
    [mine] = (await client.get("/api/v1/drafts/mine", headers=keys["comms_lead"])).json()
    assert mine["update"]["id"] == draft["id"] and mine["update"]["state"] == "published"
    assert mine["review"]["reviewed_by"] == "key:test-comms_lead"
    assert (await client.get("/api/v1/drafts/mine", headers=keys["responder"])).json() == []
    assert (await _statuses(client))["API"] == "degraded_performance"


async def test_a_draft_s_component_statuses_apply_when_published_not_before(client, keys):
    _api, hooks, _acme, _globex = await _world(client, keys)
    declared = await _declare(
        client,
        keys["comms_lead"],
        title="Delayed webhooks",
        components=[{"id": hooks["id"], "status": "degraded_performance"}],
        body="Webhooks arrive late. Next update by 16:00.",
        publish=True,
    )
    assert (await _statuses(client))["Webhooks"] == "degraded_performance"
    created = await client.post(
        f"/api/v1/incidents/{declared['incident_id']}/drafts",
        json={
            "status": "monitoring",
            "body": "Webhooks delivery is working again. Next update by 17:00.",
            "components": [{"id": hooks["id"], "status": "operational"}],
        },
        headers=keys["responder"],
    )
    assert created.status_code == 201, created.text
    draft = created.json()["update"]
    unknown = await client.patch(
        f"/api/v1/updates/{draft['id']}",
        json={"components": [{"id": "nope", "status": "operational"}]},
        headers=keys["responder"],
    )
    assert unknown.status_code == 422 and "nope" in unknown.text
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    assert (await _statuses(client))["Webhooks"] == "degraded_performance"
    [item] = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert [c["text"] for c in item["component_changes"]] == [
        "Webhooks: Degraded performance → Operational"
    ]
    await client.post(f"/api/v1/updates/{draft['id']}/approve", headers=keys["comms_lead"])
    assert (await _statuses(client))["Webhooks"] == "operational"


async def test_a_responder_declares_from_the_desk_and_sees_the_outcome_on_their_desk(
    client, users, keys
):
    api, hooks, _acme, globex = await _world(client, keys)
    await sign_in(client, "rita")
    form = await client.get("/admin/declare")
    assert form.status_code == 200
    assert "Comms lead: publish at once" not in form.text
    # A refusal keeps everything that was on the screen.
    refused = await client.post(
        "/admin/declare",
        data={
            "_csrf": csrf(form.text),
            "title": "",
            "visibility": "customers",
            f"cs:{api['id']}": "partial_outage",
            "customers": globex["id"],
            "body": "Words I typed.",
        },
        headers=HTML,
    )
    assert refused.status_code == 422
    assert "Words I typed." in refused.text and "title" in text_of(refused)
    assert f'value="{globex["id"]}" checked' in refused.text
    response = await client.post(
        "/admin/declare",
        data={
            "_csrf": csrf(form.text),
            "title": "Delayed webhooks",
            "impact": "minor",
            "visibility": "customers",
            f"cs:{api['id']}": "degraded_performance",
            f"cs:{hooks['id']}": "partial_outage",
            "customers": globex["id"],
            "body": "",
            "then": "submit",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    draft_page = await client.get(response.headers["location"])
    seen = text_of(draft_page)
    assert "Declared. Its first words wait in the approval queue." in seen
    assert "API: Operational → Degraded performance" in seen
    # Named, Globex alone is its customer: Acme, using the API, is not told.
    assert "Globex Retail" in seen and "Acme Logistics" not in seen

    await client.post("/admin/sign-out", data={"_csrf": csrf(draft_page.text)})
    await sign_in(client, "lead")
    queue = await client.get("/admin/queue")
    assert "Webhooks: Operational → Partial outage" in text_of(queue)
    draft_id = response.headers["location"].split("/admin/updates/", 1)[1].split("?")[0]
    approved = await client.post(
        f"/admin/updates/{draft_id}/approve",
        data={"_csrf": csrf(queue.text), "notify": "off"},
        follow_redirects=False,
    )
    assert "without+notifying" in approved.headers["location"]

    await client.post("/admin/sign-out", data={"_csrf": csrf(queue.text)})
    await sign_in(client, "rita")
    desk = text_of(await client.get("/admin"))
    assert "Your words published lately" in desk
    assert "by lead, without notifying anyone" in desk


async def test_a_component_status_set_from_the_desk_shows_at_once_and_is_audited(
    client, users, keys
):
    api, _hooks, _acme, _globex = await _world(client, keys)
    await sign_in(client, "rita")
    desk = await client.get("/admin")
    response = await client.post(
        "/admin/components/status",
        data={"_csrf": csrf(desk.text), "component": api["id"], "status": "under_maintenance"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and "Component+status+set" in response.headers["location"]
    assert (await _statuses(client))["API"] == "under_maintenance"
    bad = await client.post(
        "/admin/components/status",
        data={"_csrf": csrf(desk.text), "component": api["id"], "status": "on_fire"},
        follow_redirects=False,
    )
    assert "error=" in bad.headers["location"]
    events = (await client.get("/api/v1/audit", headers=keys["admin"])).json()
    changes = [e for e in events if e["action"] == "component.update"]
    assert changes and changes[0]["actor"] == "rita"


async def test_statuses_chosen_on_the_draft_form_survive_use_template_and_reach_the_queue(
    client, users, keys
):
    _api, hooks, _acme, _globex = await _world(client, keys)
    declared = await _declare(
        client,
        keys["comms_lead"],
        title="Delayed webhooks",
        components=[{"id": hooks["id"], "status": "degraded_performance"}],
        body="Webhooks arrive late. Next update by 16:00.",
        publish=True,
    )
    incident_id = declared["incident_id"]
    await sign_in(client, "rita")
    page = await client.get(f"/admin/incidents/{incident_id}")
    form = {
        "_csrf": csrf(page.text),
        "status": "monitoring",
        "body": "Webhooks delivery is working again. Next update by 17:00.",
        f"cs:{hooks['id']}": "operational",
    }
    composed = await client.post(
        f"/admin/incidents/{incident_id}/compose", data={**form, "template_id": ""}
    )
    assert '<option value="operational" selected>' in composed.text
    saved = await client.post(
        f"/admin/incidents/{incident_id}/drafts",
        data={**form, "then": "submit"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert (await _statuses(client))["Webhooks"] == "degraded_performance"
    queue = text_of(await client.get("/admin/queue"))
    assert "Webhooks: Degraded performance → Operational" in queue


async def test_declared_first_words_wait_as_a_draft_and_submit_sends_the_statuses_on_screen(
    client, users, keys
):
    api, hooks, _acme, _globex = await _world(client, keys)
    await sign_in(client, "rita")
    form = await client.get("/admin/declare")
    response = await client.post(
        "/admin/declare",
        data={
            "_csrf": csrf(form.text),
            "title": "API errors",
            "impact": "major",
            "visibility": "public",
            f"cs:{api['id']}": "major_outage",
            "then": "draft",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    draft_url = response.headers["location"].split("?")[0]
    page = await client.get(response.headers["location"])
    assert "Check its first words below" in text_of(page)
    assert "{{ next_update }}" in page.text and "We're sorry" in text_of(page)
    assert '<option value="major_outage" selected>' in page.text
    submitted = await client.post(
        draft_url + "/submit",
        data={
            "_csrf": csrf(page.text),
            "body": "We're sorry: the API fails for everyone. Next update by {{ next_update }}.",
            f"cs:{api['id']}": "partial_outage",
            f"cs:{hooks['id']}": "degraded_performance",
        },
        follow_redirects=False,
    )
    assert "Submitted+for+approval" in submitted.headers["location"]
    [item] = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert item["update"]["body"].startswith("We're sorry: the API fails for everyone.")
    assert [c["text"] for c in item["component_changes"]] == [
        "API: Operational → Partial outage",
        "Webhooks: Operational → Degraded performance",
    ]
