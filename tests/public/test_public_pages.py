"""What the public and each customer read: pages and Statuspage JSON, served from memory."""

from __future__ import annotations

from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient

from app.asgi import create_app
from tests.support import factories
from tests.support.polling import eventually


@pytest.fixture
async def world(client, keys):  # type: ignore[no-untyped-def]
    """Two customers, a public incident and an incident only Acme is told about."""
    api = await factories.component(client, keys["admin"], "API", group="Platform")
    search = await factories.component(client, keys["admin"], "Search", group="Platform")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    globex = await factories.customer(client, keys["admin"], "Globex", [search["id"]])
    public = await factories.incident(
        client,
        keys["responder"],
        "Slow search for everyone",
        components=[{"id": search["id"], "status": "degraded_performance"}],
    )
    await factories.publish(client, keys["comms_lead"], public["id"], "Search is slow.")
    private = await factories.incident(
        client,
        keys["responder"],
        "Acme API outage",
        visibility="customers",
        impact="major",
        components=[{"id": api["id"], "status": "major_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], private["id"], "Your API calls fail.")
    return {
        "api": api,
        "search": search,
        "public": public,
        "private": private,
        "acme": "/" + acme["page_url"].split("/", 3)[3].rstrip("/"),
        "globex": "/" + globex["page_url"].split("/", 3)[3].rstrip("/"),
    }


async def test_customer_page_shows_its_own_incident_and_public_ones(client, world):
    page = (await client.get(world["acme"] + "/")).text
    assert "Acme API outage" in page
    assert "Slow search for everyone" in page
    assert "Acme" in page


async def test_public_page_never_shows_an_incident_for_one_customer(client, world):
    page = (await client.get("/")).text
    assert "Slow search for everyone" in page
    assert "Acme API outage" not in page
    assert (await client.get(f"/incidents/{world['private']['id']}")).status_code == 404


async def test_customer_page_hides_incidents_of_other_customers(client, world):
    page = (await client.get(world["globex"] + "/")).text
    assert "Acme API outage" not in page
    response = await client.get(f"{world['globex']}/incidents/{world['private']['id']}")
    assert response.status_code == 404


async def test_summary_json_follows_the_same_audience_rule(client, world):
    public = (await client.get("/api/v2/summary.json")).json()
    acme = (await client.get(world["acme"] + "/api/v2/summary.json")).json()
    globex = (await client.get(world["globex"] + "/api/v2/summary.json")).json()
    assert [i["name"] for i in public["incidents"]] == ["Slow search for everyone"]
    assert {i["name"] for i in acme["incidents"]} == {"Slow search for everyone", "Acme API outage"}
    assert [i["name"] for i in globex["incidents"]] == ["Slow search for everyone"]
    # The component hit by Acme's incident looks operational to everyone else.
    statuses = {c["name"]: c["status"] for c in public["components"]}
    assert statuses["API"] == "operational"
    assert {c["name"]: c["status"] for c in acme["components"]}["API"] == "major_outage"
    assert public["status"]["indicator"] == "minor"
    assert acme["status"]["indicator"] == "major"


async def test_summary_json_has_the_statuspage_shape(client, world):
    summary = (await client.get("/api/v2/summary.json")).json()
    assert list(summary) == ["page", "components", "incidents", "scheduled_maintenances", "status"]
    assert set(summary["page"]) == {"id", "name", "url", "time_zone", "updated_at"}
    group = next(c for c in summary["components"] if c["group"])
    assert group["name"] == "Platform"
    assert set(group["components"]) == {world["api"]["id"], world["search"]["id"]}
    incident = summary["incidents"][0]
    assert incident["shortlink"].endswith(f"/incidents/{incident['id']}")
    update = incident["incident_updates"][0]
    assert update["created_at"].endswith("Z") and len(update["created_at"]) == 24
    assert update["affected_components"][0]["new_status"] == "degraded_performance"
    status = (await client.get("/api/v2/status.json")).json()
    assert set(status) == {"page", "status"}


async def test_an_incident_without_published_words_is_not_shown(client, keys):
    await factories.incident(client, keys["responder"], "Still triaging")
    assert "Still triaging" not in (await client.get("/")).text
    assert (await client.get("/api/v2/summary.json")).json()["incidents"] == []


async def test_a_draft_update_does_not_reach_the_page(client, keys):
    incident = await factories.incident(client, keys["responder"], "Slow pages")
    await factories.publish(client, keys["comms_lead"], incident["id"], "We are looking.")
    await client.post(
        f"/api/v1/incidents/{incident['id']}/updates",
        json={"status": "identified", "body": "Secret root cause: db-7"},
        headers=keys["responder"],
    )
    page = (await client.get(f"/incidents/{incident['id']}")).text
    assert "We are looking." in page
    assert "db-7" not in page


async def test_a_publish_shows_up_on_the_next_request(client, keys):
    incident = await factories.incident(client, keys["responder"], "Queue delays")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Queues are slow.")
    assert "Queues are slow." in (await client.get("/")).text
    await factories.publish(
        client, keys["comms_lead"], incident["id"], "All caught up.", "resolved"
    )
    page = (await client.get("/")).text
    assert "Ongoing incidents" not in page
    assert "All caught up." in page  # resolved in the last 7 days


async def test_pages_are_served_from_memory_until_something_changes(client, app, keys):
    await factories.component(client, keys["admin"], "API")
    first = await client.get("/")
    renders = app.state.page_cache.renders
    for _ in range(20):
        again = await client.get("/")
        assert again.headers["etag"] == first.headers["etag"]
    assert app.state.page_cache.renders == renders
    not_modified = await client.get("/", headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304
    assert not_modified.content == b""


async def test_a_change_made_by_another_process_reaches_the_page(client, settings, keys):
    assert "Billing" not in (await client.get("/")).text
    other = create_app(replace(settings))  # a second web process on the same database
    async with AsyncTestClient(app=other) as other_client:
        await factories.component(other_client, keys["admin"], "Billing")

    async def noticed() -> bool:
        return "Billing" in (await client.get("/")).text

    assert await eventually(noticed), "the first process never noticed the change"


async def test_caching_headers_keep_customer_pages_out_of_shared_caches(client, world):
    public = await client.get("/")
    assert public.headers["cache-control"] == "public, no-cache"
    private = await client.get(world["acme"] + "/")
    assert private.headers["cache-control"] == "private, no-cache"


async def test_public_json_allows_any_origin_but_customer_json_does_not(client, world):
    public = await client.get("/api/v2/summary.json")
    assert public.headers["access-control-allow-origin"] == "*"
    private = await client.get(world["acme"] + "/api/v2/summary.json")
    assert "access-control-allow-origin" not in private.headers


async def test_an_unknown_customer_token_answers_404(client, world):
    response = await client.get("/c/not-a-real-token/", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "no status page" in response.text
    assert (await client.get("/c/not-a-real-token/api/v2/summary.json")).status_code == 404


async def test_history_lists_past_incidents_by_month(client, keys):
    incident = await factories.incident(client, keys["responder"], "Old outage")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Fixed.", "resolved")
    page = await client.get("/history")
    assert page.status_code == 200
    assert "Old outage" in page.text
    older = await client.get("/history?page=2")
    assert older.status_code == 200
    assert "Old outage" not in older.text
    assert (await client.get("/history?page=0")).status_code in (400, 422)


async def test_the_incident_page_shows_the_timeline_newest_first(client, keys):
    incident = await factories.incident(client, keys["responder"], "Login errors")
    await factories.publish(client, keys["comms_lead"], incident["id"], "First words.")
    await factories.publish(
        client, keys["comms_lead"], incident["id"], "Second words.", "identified"
    )
    page = (await client.get(f"/incidents/{incident['id']}")).text
    assert page.index("Second words.") < page.index("First words.")


async def test_markdown_in_updates_is_rendered_and_scripts_are_removed(client, keys):
    incident = await factories.incident(client, keys["responder"], "XSS attempt")
    await factories.publish(
        client,
        keys["comms_lead"],
        incident["id"],
        "**Bold** <script>alert(1)</script> [x](javascript:alert(1))",
    )
    page = (await client.get(f"/incidents/{incident['id']}")).text
    assert "<strong>Bold</strong>" in page
    assert "<script>alert" not in page
    assert "javascript:" not in page


async def test_upcoming_maintenance_is_listed_with_its_window(client, keys):
    await factories.maintenance(client, keys["comms_lead"])
    page = (await client.get("/")).text
    assert "Scheduled maintenance" in page
    assert "Database upgrade" in page
    summary = (await client.get("/api/v2/summary.json")).json()
    assert summary["scheduled_maintenances"][0]["scheduled_for"] == "2099-01-01T02:00:00.000Z"


async def test_health_endpoints(client):
    assert (await client.get("/livez")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ok"}
