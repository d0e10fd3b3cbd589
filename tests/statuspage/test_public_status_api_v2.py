"""The Statuspage-compatible status API v2, as a widget or a monitoring tool reads it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.lib.clock import utcnow
from tests.support import factories
from tests.support.statuspage_shapes import (
    check_components,
    check_incident,
    check_page,
    check_status,
)


async def _world(client, keys) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Components in a group and one loose, a customer, and incidents for every list."""
    admin, lead = keys["admin"], keys["comms_lead"]
    api = await factories.component(client, admin, "API", group="Platform")
    await factories.component(client, admin, "Dashboard", group="Platform")
    await factories.component(client, admin, "Billing")
    acme = await factories.customer(client, admin, "Acme", [])
    public = await factories.incident(
        client,
        lead,
        "Slow API",
        impact="minor",
        components=[{"id": api["id"], "status": "degraded_performance"}],
    )
    await factories.publish(client, lead, public["id"], "We are looking into slow answers.")
    await factories.publish(client, lead, public["id"], "Found a slow query.", "identified")
    old = await factories.incident(client, lead, "Login errors")
    await factories.publish(client, lead, old["id"], "Logins fail.")
    await factories.publish(client, lead, old["id"], "Fixed.", "resolved")
    private = await factories.incident(
        client, lead, "Acme exports stuck", visibility="customers", customers=[acme["id"]]
    )
    await factories.publish(client, lead, private["id"], "Exports for Acme are stuck.")
    await factories.incident(client, lead, "Internal only", visibility="internal")
    soon = utcnow() + timedelta(days=2)
    upcoming = await _maintenance(client, lead, "Database upgrade", soon)
    active = await _maintenance(client, lead, "Network work", utcnow() - timedelta(hours=1))
    await factories.publish(client, lead, active["id"], "Started.", "in_progress")
    return {
        "token": acme["page_url"].rstrip("/").rsplit("/", 1)[1],
        "public": public["id"],
        "old": old["id"],
        "private": private["id"],
        "upcoming": upcoming["id"],
        "active": active["id"],
    }


async def _maintenance(client, lead, title, starts):  # type: ignore[no-untyped-def]
    response = await client.post(
        "/api/v1/maintenances",
        json={
            "title": title,
            "scheduled_for": starts.isoformat(),
            "scheduled_until": (starts + timedelta(hours=3)).isoformat(),
            "body": f"{title} planned.",
            "publish": True,
        },
        headers=lead,
    )
    assert response.status_code == 201, response.text
    return response.json()


# path, top-level keys, the list key, whether it holds maintenances, who is in it (public view)
ENDPOINTS = [
    (
        "summary.json",
        {"page", "components", "incidents", "scheduled_maintenances", "status"},
        None,
        False,
        None,
    ),
    ("status.json", {"page", "status"}, None, False, None),
    ("components.json", {"page", "components"}, None, False, None),
    ("incidents.json", {"page", "incidents"}, "incidents", False, ["old", "public"]),
    ("incidents/unresolved.json", {"page", "incidents"}, "incidents", False, ["public"]),
    (
        "scheduled-maintenances.json",
        {"page", "scheduled_maintenances"},
        "scheduled_maintenances",
        True,
        ["upcoming", "active"],
    ),
    (
        "scheduled-maintenances/upcoming.json",
        {"page", "scheduled_maintenances"},
        "scheduled_maintenances",
        True,
        ["upcoming"],
    ),
    (
        "scheduled-maintenances/active.json",
        {"page", "scheduled_maintenances"},
        "scheduled_maintenances",
        True,
        ["active"],
    ),
]


@pytest.mark.parametrize(("path", "keys_", "list_key", "maintenance", "expected"), ENDPOINTS)
async def test_every_v2_endpoint_has_the_reference_shape_for_public_and_customer(
    client, keys, path, keys_, list_key, maintenance, expected
):
    world = await _world(client, keys)
    public = await client.get(f"/api/v2/{path}")
    customer = await client.get(f"/c/{world['token']}/api/v2/{path}")
    for response in (public, customer):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert set(body) == keys_
        check_page(body["page"])
        if "status" in body:
            check_status(body["status"])
        if "components" in body:
            check_components(body["components"])
        for key in ("incidents", "scheduled_maintenances"):
            for item in body.get(key, []):
                check_incident(item, maintenance=key == "scheduled_maintenances")
    assert public.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in customer.headers
    assert customer.headers["cache-control"].startswith("private")
    if list_key is not None:
        ids = [i["id"] for i in public.json()[list_key]]
        assert ids == [world[name] for name in expected]
        customer_ids = [i["id"] for i in customer.json()[list_key]]
        if list_key == "incidents":
            # The customer sees its own incident besides the public ones.
            assert world["private"] in customer_ids
            assert world["private"] not in ids


async def test_summary_lists_unresolved_incidents_and_open_maintenance_only(client, keys):
    world = await _world(client, keys)
    body = (await client.get("/api/v2/summary.json")).json()
    assert [i["id"] for i in body["incidents"]] == [world["public"]]
    assert {m["id"] for m in body["scheduled_maintenances"]} == {world["upcoming"], world["active"]}
    incident = body["incidents"][0]
    assert [u["status"] for u in incident["incident_updates"]] == ["identified", "investigating"]
    assert incident["incident_updates"][0]["affected_components"][0]["name"] == "API"
    assert incident["components"][0]["status"] == "degraded_performance"


async def test_components_json_lists_each_group_before_its_children(client, keys):
    await _world(client, keys)
    components = (await client.get("/api/v2/components.json")).json()["components"]
    names = [(c["name"], c["group"]) for c in components]
    assert names == [("Billing", False), ("Platform", True), ("API", False), ("Dashboard", False)]
    group = components[1]
    assert group["components"] == [components[2]["id"], components[3]["id"]]


async def test_incidents_json_reaches_past_the_snapshot_window(client, keys, db):
    from sqlalchemy import update

    from app.incidents.models import Incident

    world = await _world(client, keys)
    long_ago = utcnow() - timedelta(days=400)
    await db.execute(
        update(Incident)
        .where(Incident.id == world["old"])
        .values(started_at=long_ago, resolved_at=long_ago + timedelta(hours=1))
    )
    await db.commit()
    await client.post("/api/v1/components", json={"name": "Bump"}, headers=keys["admin"])
    ids = [i["id"] for i in (await client.get("/api/v2/incidents.json")).json()["incidents"]]
    assert ids == [world["public"], world["old"]]  # the old one is now 400 days old


async def test_the_public_v2_endpoints_answer_a_cors_preflight(client):
    for path in ("summary.json", "incidents/unresolved.json", "scheduled-maintenances.json"):
        response = await client.options(
            f"/api/v2/{path}",
            headers={
                "Origin": "https://customer.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "if-none-match",
            },
        )
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == "*"
        assert "GET" in response.headers["access-control-allow-methods"]
        assert response.headers["access-control-allow-headers"] == "if-none-match"


async def test_customer_v2_endpoints_answer_no_cors_preflight_and_unknown_tokens_404(client):
    response = await client.options(
        "/c/whatever/api/v2/summary.json",
        headers={"Origin": "https://x.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers
    assert (await client.get("/c/nosuchtoken/api/v2/incidents.json")).status_code == 404


async def test_v2_answers_are_cached_with_an_etag_until_something_changes(client, keys, app):
    await _world(client, keys)
    first = await client.get("/api/v2/incidents.json")
    again = await client.get(
        "/api/v2/incidents.json", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    renders = app.state.page_cache.renders
    await client.get("/api/v2/incidents.json")
    assert app.state.page_cache.renders == renders
