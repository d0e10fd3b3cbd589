"""The incidents API as scripts and tools use it."""

from __future__ import annotations

from tests.support import factories


async def test_creating_an_incident_answers_201_with_its_id_and_components(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    created = await factories.incident(
        client,
        keys["responder"],
        "Errors on API",
        impact="major",
        visibility="customers",
        components=[{"id": api["id"], "status": "partial_outage"}],
        customers=[acme["id"]],
    )
    assert len(created["id"]) == 12
    assert created["status"] == "investigating"
    assert created["components"] == [{"id": api["id"], "name": "API", "status": "partial_outage"}]
    assert created["customers"] == [acme["id"]]
    fetched = (
        await client.get(f"/api/v1/incidents/{created['id']}", headers=keys["responder"])
    ).json()
    assert fetched["title"] == "Errors on API"


async def test_a_comms_lead_update_with_publish_is_published_at_once(client, keys):
    incident = await factories.incident(client, keys["responder"], "Slow pages")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "We are looking.")
    assert update["state"] == "published"
    assert update["published_at"] is not None


async def test_a_responder_update_is_stored_as_a_draft(client, keys):
    incident = await factories.incident(client, keys["responder"], "Slow pages")
    response = await client.post(
        f"/api/v1/incidents/{incident['id']}/updates",
        json={"status": "identified", "body": "Found it."},
        headers=keys["responder"],
    )
    assert response.status_code == 201
    assert response.json()["published_at"] is None
    assert response.json()["state"] == "draft"


async def test_a_responder_asking_to_publish_is_refused_with_403(client, keys):
    incident = await factories.incident(client, keys["responder"], "Slow pages")
    response = await client.post(
        f"/api/v1/incidents/{incident['id']}/updates",
        json={"status": "identified", "body": "x", "publish": True},
        headers=keys["responder"],
    )
    assert response.status_code == 403
    assert "publish" in response.json()["detail"]


async def test_publishing_moves_the_incident_through_its_lifecycle(client, keys):
    incident = await factories.incident(client, keys["responder"], "Queue backlog")
    for status in ("identified", "monitoring", "resolved"):
        await factories.publish(
            client, keys["comms_lead"], incident["id"], f"Now {status}.", status
        )
    fetched = (
        await client.get(f"/api/v1/incidents/{incident['id']}", headers=keys["admin"])
    ).json()
    assert fetched["status"] == "resolved"
    assert fetched["resolved_at"] is not None
    assert [u["status"] for u in fetched["updates"]] == ["resolved", "monitoring", "identified"]


async def test_a_resolved_incident_cannot_go_back_to_identified(client, keys):
    incident = await factories.incident(client, keys["responder"], "Queue backlog")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Fixed.", "resolved")
    response = await client.post(
        f"/api/v1/incidents/{incident['id']}/updates",
        json={"status": "identified", "body": "Back"},
        headers=keys["comms_lead"],
    )
    assert response.status_code == 422
    assert "resolved to identified" in response.json()["detail"]


async def test_bad_input_answers_422_naming_the_field(client, keys):
    response = await client.post(
        "/api/v1/incidents", json={"title": "x", "impact": "huge"}, headers=keys["responder"]
    )
    assert response.status_code == 422
    assert "impact" in response.json()["detail"]
    response = await client.post(
        "/api/v1/incidents", json={"impact": "minor"}, headers=keys["responder"]
    )
    assert response.status_code == 422
    assert "title" in response.json()["detail"]


async def test_malformed_json_answers_4xx_not_500(client, keys):
    response = await client.post(
        "/api/v1/incidents",
        content=b"{not json",
        headers={**keys["responder"], "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500


async def test_unknown_component_in_an_incident_answers_422(client, keys):
    response = await client.post(
        "/api/v1/incidents",
        json={"title": "x", "components": [{"id": "nosuchthing1", "status": "major_outage"}]},
        headers=keys["responder"],
    )
    assert response.status_code == 422
    assert "nosuchthing1" in response.json()["detail"]


async def test_unknown_incident_answers_404(client, keys):
    response = await client.get("/api/v1/incidents/doesnotexist", headers=keys["responder"])
    assert response.status_code == 404


async def test_an_idempotency_key_returns_the_first_result_on_a_retry(client, keys):
    headers = {**keys["responder"], "Idempotency-Key": "retry-1"}
    first = await client.post("/api/v1/incidents", json={"title": "Once"}, headers=headers)
    second = await client.post("/api/v1/incidents", json={"title": "Once"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    listed = (await client.get("/api/v1/incidents", headers=keys["responder"])).json()
    assert [i["title"] for i in listed] == ["Once"]


async def test_maintenance_is_scheduled_with_a_window(client, keys):
    response = await client.post(
        "/api/v1/maintenances",
        json={
            "title": "Database upgrade",
            "scheduled_for": "2030-01-01T02:00:00Z",
            "scheduled_until": "2030-01-01T04:00:00Z",
            "body": "Read-only for 5 minutes.",
            "publish": True,
        },
        headers=keys["comms_lead"],
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "scheduled"
    bad = await client.post(
        "/api/v1/maintenances",
        json={
            "title": "Backwards",
            "scheduled_for": "2030-01-01T04:00:00Z",
            "scheduled_until": "2030-01-01T02:00:00Z",
        },
        headers=keys["comms_lead"],
    )
    assert bad.status_code == 422
    assert "scheduled_until" in bad.json()["detail"]


async def test_a_direct_publish_is_recorded_as_a_review_waiver_in_the_audit_log(client, keys):
    incident = await factories.incident(client, keys["responder"], "Slow pages")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    events = (
        await client.get(f"/api/v1/incidents/{incident['id']}/audit", headers=keys["comms_lead"])
    ).json()
    publish = next(e for e in events if e["action"] == "update.publish")
    assert publish["subject_id"] == update["id"]
    assert "without the review queue" in publish["detail"]["waiver"]


async def test_maintenance_windows_are_listed_apart_from_incidents(client, keys):
    await factories.incident(client, keys["responder"], "An outage")
    await client.post(
        "/api/v1/maintenances",
        json={
            "title": "Planned work",
            "scheduled_for": "2099-01-01T02:00:00Z",
            "scheduled_until": "2099-01-01T03:00:00Z",
        },
        headers=keys["responder"],
    )
    incidents = (await client.get("/api/v1/incidents", headers=keys["responder"])).json()
    windows = (await client.get("/api/v1/maintenances", headers=keys["responder"])).json()
    assert [i["title"] for i in incidents] == ["An outage"]
    assert [w["title"] for w in windows] == ["Planned work"]
    edited = await client.patch(
        f"/api/v1/maintenances/{windows[0]['id']}",
        json={"title": "Planned database work"},
        headers=keys["responder"],
    )
    assert edited.json()["title"] == "Planned database work"
