"""Alerts from monitoring open triage incidents that only the team sees, once per dedup key."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.incidents.models import Incident
from app.intake.alerts import from_alertmanager
from app.intake.models import AlertThread
from app.intake.schemas import AlertmanagerPayload
from tests.support import factories
from tests.support.live_server import LiveServer


def alertmanager(status="firing", group_key='{}:{alertname="HighErrorRate"}', **labels):  # type: ignore[no-untyped-def]
    """An Alertmanager webhook body, format version 4, as Alertmanager sends it."""
    alert_labels = {"alertname": "HighErrorRate", "severity": "critical", **labels}
    return {
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "tidings",
        "groupLabels": {"alertname": "HighErrorRate"},
        "commonLabels": alert_labels,
        "commonAnnotations": {
            "summary": "API error rate above 5%",
            "description": "5xx ratio is 7.2% over 5 minutes",
        },
        "externalURL": "http://alertmanager.example:9093",
        "alerts": [
            {
                "status": status,
                "labels": alert_labels,
                "annotations": {"summary": "API error rate above 5%"},
                "startsAt": "2026-11-29T10:00:00.000Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.example:9090/graph?g0.expr=x",
                "fingerprint": "a1b2c3d4e5f60718",
            }
        ],
    }


async def _incident(client, keys, incident_id):  # type: ignore[no-untyped-def]
    response = await client.get(f"/api/v1/incidents/{incident_id}", headers=keys["admin"])
    assert response.status_code == 200
    return response.json()


async def test_a_firing_alertmanager_alert_opens_an_internal_triage_incident(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    response = await client.post(
        "/api/v1/intake/alertmanager",
        json=alertmanager(component="API", customer="Acme"),
        headers=keys["responder"],
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["action"] == "opened"
    assert result["triage_state"] == "triage"
    incident = await _incident(client, keys, result["incident_id"])
    assert incident["title"] == "API error rate above 5%"
    assert incident["visibility"] == "internal"
    assert incident["impact"] == "critical"
    assert incident["components"] == [{"id": api["id"], "name": "API", "status": "major_outage"}]
    assert incident["customers"] == [acme["id"]]
    assert incident["updates"] == []
    summary = (await client.get("/api/v2/summary.json")).json()
    assert summary["incidents"] == []
    assert summary["status"]["indicator"] == "none"
    assert "API error rate" not in (await client.get("/")).text
    acme_page = await client.get(acme["page_url"].replace("http://status.example.test", ""))
    assert "API error rate" not in acme_page.text


async def test_a_repeated_alert_joins_the_open_incident(client, keys):
    first = (
        await client.post(
            "/api/v1/intake/alertmanager", json=alertmanager(), headers=keys["responder"]
        )
    ).json()
    again = await client.post(
        "/api/v1/intake/alertmanager", json=alertmanager(), headers=keys["responder"]
    )
    assert again.status_code == 200
    assert again.json()["action"] == "joined"
    assert again.json()["incident_id"] == first["incident_id"]
    assert again.json()["fire_count"] == 2
    listed = (await client.get("/api/v1/incidents", headers=keys["admin"])).json()
    assert len(listed) == 1


async def test_a_resolved_alert_adds_a_team_note_and_nothing_public(client, keys, db):
    opened = (
        await client.post(
            "/api/v1/intake/alertmanager", json=alertmanager(), headers=keys["responder"]
        )
    ).json()
    response = await client.post(
        "/api/v1/intake/alertmanager",
        json=alertmanager(status="resolved"),
        headers=keys["responder"],
    )
    assert response.status_code == 200
    assert response.json()["action"] == "resolved"
    incident = await _incident(client, keys, opened["incident_id"])
    assert incident["updates"] == []
    assert incident["status"] == "investigating"  # a person decides, not the alert
    notes = await db.scalars(
        select(AuditEvent.action).where(AuditEvent.incident_id == opened["incident_id"])
    )
    assert "alert.resolved" in list(notes)
    assert (await client.get("/api/v2/incidents.json")).json()["incidents"] == []


async def test_a_resolved_alert_with_nothing_open_is_ignored(client, keys):
    response = await client.post(
        "/api/v1/intake/alertmanager",
        json=alertmanager(status="resolved"),
        headers=keys["responder"],
    )
    assert response.status_code == 200
    assert response.json()["action"] == "ignored"
    assert (await client.get("/api/v1/incidents", headers=keys["admin"])).json() == []


async def test_a_generic_alert_names_components_and_customers_by_id_or_name(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    search = await factories.component(client, keys["admin"], "Search")
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    globex = await factories.customer(client, keys["admin"], "Globex", [])
    response = await client.post(
        "/api/v1/intake/generic",
        json={
            "source": "sentry",
            "dedup_key": "issue-4711",
            "title": "TypeError in checkout",
            "description": "Raised 120 times in 5 minutes",
            "severity": "warning",
            "components": [api["id"], "search", "Nonexistent"],
            "customers": ["acme", globex["id"], "Initech"],
            "status": "firing",
        },
        headers=keys["responder"],
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["unmatched_components"] == ["Nonexistent"]
    assert result["unmatched_customers"] == ["Initech"]
    incident = await _incident(client, keys, result["incident_id"])
    assert incident["impact"] == "minor"
    assert {c["id"] for c in incident["components"]} == {api["id"], search["id"]}
    assert {c["status"] for c in incident["components"]} == {"degraded_performance"}
    assert set(incident["customers"]) == {acme["id"], globex["id"]}


async def test_a_repeat_naming_another_customer_links_it_too(client, keys):
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    globex = await factories.customer(client, keys["admin"], "Globex", [])
    body = {"source": "grafana", "dedup_key": "disk", "title": "Disk full", "customers": ["Acme"]}
    first = (
        await client.post("/api/v1/intake/generic", json=body, headers=keys["responder"])
    ).json()
    await client.post(
        "/api/v1/intake/generic",
        json={**body, "customers": ["Globex"]},
        headers=keys["responder"],
    )
    incident = await _incident(client, keys, first["incident_id"])
    assert set(incident["customers"]) == {acme["id"], globex["id"]}


async def test_the_same_dedup_key_from_another_source_opens_its_own_incident(client, keys):
    body = {"dedup_key": "k1", "title": "Something"}
    a = await client.post(
        "/api/v1/intake/generic", json={**body, "source": "a"}, headers=keys["responder"]
    )
    b = await client.post(
        "/api/v1/intake/generic", json={**body, "source": "b"}, headers=keys["responder"]
    )
    assert a.json()["incident_id"] != b.json()["incident_id"]


async def test_bad_generic_alerts_answer_4xx_naming_the_field(client, keys):
    response = await client.post(
        "/api/v1/intake/generic", json={"source": "x"}, headers=keys["responder"]
    )
    assert response.status_code == 422
    assert "dedup_key" in response.json()["detail"]
    response = await client.post(
        "/api/v1/intake/generic",
        json={"source": "x", "dedup_key": "k", "status": "exploded"},
        headers=keys["responder"],
    )
    assert response.status_code == 422
    assert "status" in response.json()["detail"]


async def test_intake_needs_an_api_key(client):
    response = await client.post("/api/v1/intake/alertmanager", json=alertmanager())
    assert response.status_code == 401


async def test_a_storm_of_50_concurrent_repeats_opens_exactly_one_incident(settings, keys, db):
    # Through a real server: the in-process test client handles one request at a time.
    limits = httpx.Limits(max_connections=50)
    with LiveServer(settings) as server:
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as http:
            responses = await asyncio.gather(
                *(
                    http.post(
                        "/api/v1/intake/alertmanager",
                        json=alertmanager(),
                        headers=keys["responder"],
                    )
                    for _ in range(50)
                )
            )
    assert [r.status_code for r in responses].count(201) == 1, [r.text for r in responses]
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    assert len({r.json()["incident_id"] for r in responses}) == 1
    assert await db.scalar(select(func.count()).select_from(Incident)) == 1
    thread = await db.scalar(select(AlertThread))
    assert thread.fire_count == 50


def test_an_alertmanager_group_of_several_alerts_reads_as_one_alert():
    payload = alertmanager()
    second = {
        **payload["alerts"][0],
        "labels": {"alertname": "HighLatency", "severity": "warning", "component": "Search"},
        "annotations": {"description": "p99 above 2s"},
    }
    payload["alerts"][0]["labels"] = {**payload["alerts"][0]["labels"], "component": "API, Web"}
    payload["alerts"].append(second)
    payload["commonLabels"] = {}
    payload["commonAnnotations"] = {}
    import msgspec

    alert = from_alertmanager(msgspec.convert(payload, AlertmanagerPayload))
    assert alert.dedup_key == payload["groupKey"]
    assert alert.title == "HighErrorRate (2 alerts)"
    assert alert.severity == "critical"
    assert alert.components == ["API", "Web", "Search"]
    assert alert.description == "API error rate above 5%\np99 above 2s"
