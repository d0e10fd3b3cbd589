"""A person accepts a triage incident (first draft to the approval queue) or declines it
(closed, and no trace of it outside the team)."""

from __future__ import annotations

from sqlalchemy import update

from app.incidents.models import Incident
from app.lib.clock import utcnow
from tests.support import factories


async def test_accepting_makes_it_public_and_queues_a_specific_first_draft(client, keys):
    await factories.component(client, keys["admin"], "API")
    await factories.component(client, keys["admin"], "Dashboard")
    incident_id = await factories.alert(
        client, keys["responder"], components=["API", "Dashboard"], severity="critical"
    )
    response = await client.post(
        f"/api/v1/incidents/{incident_id}/accept", headers=keys["responder"]
    )
    assert response.status_code == 200, response.text
    incident = response.json()
    assert incident["visibility"] == "public"
    assert incident["status"] == "investigating"
    [draft] = incident["updates"]
    assert draft["state"] == "submitted"
    assert draft["published_at"] is None
    assert draft["customer_id"] is None
    assert "API and Dashboard" in draft["body"]
    # Written from the investigating template, with its apology for a critical incident.
    assert "sorry" in draft["body"]
    assert "next update" in draft["body"]
    # Still nothing public: the words wait for approval.
    assert (await client.get("/api/v2/summary.json")).json()["incidents"] == []
    again = await client.post(f"/api/v1/incidents/{incident_id}/accept", headers=keys["responder"])
    assert again.status_code == 409


async def test_accepting_an_alert_that_named_customers_keeps_it_to_them(client, keys):
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    incident_id = await factories.alert(client, keys["responder"], customers=["Acme"])
    incident = (
        await client.post(f"/api/v1/incidents/{incident_id}/accept", headers=keys["responder"])
    ).json()
    assert incident["visibility"] == "customers"
    assert incident["customers"] == [acme["id"]]


async def test_the_visibility_chosen_on_accept_overrides_the_default(client, keys):
    await factories.customer(client, keys["admin"], "Acme", [])
    incident_id = await factories.alert(client, keys["responder"], customers=["Acme"])
    incident = (
        await client.post(
            f"/api/v1/incidents/{incident_id}/accept",
            json={"visibility": "public"},
            headers=keys["responder"],
        )
    ).json()
    assert incident["visibility"] == "public"


async def test_an_incident_not_opened_by_an_alert_has_no_triage(client, keys):
    incident = await factories.incident(client, keys["responder"], "By hand")
    response = await client.post(
        f"/api/v1/incidents/{incident['id']}/decline",
        json={"reason": "noise"},
        headers=keys["responder"],
    )
    assert response.status_code == 409
    missing = await client.post("/api/v1/incidents/nosuchthing1/accept", headers=keys["responder"])
    assert missing.status_code == 404


async def test_declining_closes_it_and_the_next_alert_opens_a_new_one(client, keys):
    incident_id = await factories.alert(client, keys["responder"])
    response = await client.post(
        f"/api/v1/incidents/{incident_id}/decline",
        json={"reason": "Load test, not a real problem"},
        headers=keys["responder"],
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "resolved"
    assert response.json()["resolved_at"] is not None
    blank = await client.post(
        f"/api/v1/incidents/{incident_id}/decline", json={"reason": " "}, headers=keys["admin"]
    )
    assert blank.status_code == 409  # already declined
    assert await factories.alert(client, keys["responder"]) != incident_id


async def test_a_decline_needs_a_reason(client, keys):
    incident_id = await factories.alert(client, keys["responder"])
    response = await client.post(
        f"/api/v1/incidents/{incident_id}/decline", json={"reason": "  "}, headers=keys["admin"]
    )
    assert response.status_code == 422
    assert "reason" in response.json()["detail"]


async def test_a_resolved_incident_releases_its_dedup_key(client, keys):
    incident_id = await factories.alert(client, keys["responder"])
    await client.post(f"/api/v1/incidents/{incident_id}/accept", headers=keys["responder"])
    await factories.publish(client, keys["comms_lead"], incident_id, "Fixed.", "resolved")
    assert await factories.alert(client, keys["responder"]) != incident_id


async def test_declined_incidents_leave_no_trace_on_public_pages_and_json(client, keys, db):
    """Even words that were once published (set up directly here, since declining refuses
    them) vanish from every page, list, history and uptime bar once an incident is declined."""
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    incident_id = await factories.alert(
        client, keys["responder"], components=[api["id"]], severity="critical"
    )
    await client.post(f"/api/v1/incidents/{incident_id}/accept", headers=keys["responder"])
    await factories.publish(
        client, keys["comms_lead"], incident_id, "Zebra outage words.", "investigating"
    )
    await factories.publish(client, keys["comms_lead"], incident_id, "Zebra over.", "resolved")
    token = acme["page_url"].rstrip("/").rsplit("/", 1)[1]
    paths = [
        "/",
        "/history",
        "/api/v2/summary.json",
        "/api/v2/incidents.json",
        "/api/v2/components.json",
        f"/c/{token}/",
        f"/c/{token}/history",
        f"/c/{token}/api/v2/incidents.json",
        "/feed.atom",
        "/history.rss",
        f"/components/{api['id']}/feed.atom",
        f"/c/{token}/feed.rss",
    ]
    before = {p: (await client.get(p)).text for p in paths}
    assert "Zebra" in before["/api/v2/incidents.json"]
    assert "API 5xx spike" in before["/history"]
    assert "Zebra" in before[f"/c/{token}/api/v2/incidents.json"]
    assert "Zebra" in before["/feed.atom"]
    assert "Zebra" in before[f"/c/{token}/feed.rss"]
    # Declined after the fact, as only the database can do.
    now = utcnow()
    await db.execute(update(Incident).where(Incident.id == incident_id).values(declined_at=now))
    await db.commit()
    await client.post("/api/v1/components", json={"name": "Bump"}, headers=keys["admin"])
    for path in paths:
        text = (await client.get(path)).text
        assert "Zebra" not in text, path
        assert "API 5xx spike" not in text, path  # on "/", the uptime bars' tooltips too
        assert incident_id not in text, path
    assert (await client.get(f"/incidents/{incident_id}")).status_code == 404
    components = (await client.get("/api/v2/components.json")).json()["components"]
    assert {c["status"] for c in components} == {"operational"}


async def test_the_triage_queue_lists_alert_threads_waiting_for_a_person(client, keys):
    waiting = await factories.alert(client, keys["responder"], dedup_key="a", title="Queue lag")
    await factories.alert(client, keys["responder"], dedup_key="a", title="Queue lag")
    declined = await factories.alert(client, keys["responder"], dedup_key="b", title="Flappy check")
    await client.post(
        f"/api/v1/incidents/{declined}/decline", json={"reason": "flapping"}, headers=keys["admin"]
    )
    queue = (
        await client.get("/api/v1/intake/threads?state=triage", headers=keys["responder"])
    ).json()
    assert [(t["incident_id"], t["incident_title"], t["fire_count"]) for t in queue] == [
        (waiting, "Queue lag", 2)
    ]
    everything = (await client.get("/api/v1/intake/threads", headers=keys["responder"])).json()
    assert {t["state"] for t in everything} == {"triage", "declined"}
    assert next(t for t in everything if t["state"] == "declined")["decline_reason"] == "flapping"


async def test_nothing_can_be_published_on_a_declined_incident(client, keys):
    incident_id = await factories.alert(client, keys["responder"])
    await client.post(
        f"/api/v1/incidents/{incident_id}/decline", json={"reason": "noise"}, headers=keys["admin"]
    )
    await client.patch(
        f"/api/v1/incidents/{incident_id}", json={"visibility": "public"}, headers=keys["admin"]
    )
    response = await client.post(
        f"/api/v1/incidents/{incident_id}/updates",
        json={"status": "resolved", "body": "All good.", "publish": True},
        headers=keys["comms_lead"],
    )
    assert response.status_code == 409
    assert "declined" in response.json()["detail"]
