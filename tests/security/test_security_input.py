"""Hostile input answers a 422 that names what is wrong, never a 500, and stored dates never
take a page down, whatever the server's time zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from litestar.testing import AsyncTestClient

from app.asgi import create_app
from app.incidents.models import Incident, Update
from app.settings import page_id_for
from tests.support import factories

DEEP = b"[" * 100_000


@pytest.mark.parametrize(
    "path", ["/api/v1/incidents", "/api/v1/templates/preview", "/api/v1/subscribers"]
)
async def test_a_deeply_nested_json_body_is_refused_with_the_depth_limit(client, keys, path):
    response = await client.post(
        path, content=DEEP, headers={**keys["admin"], "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert "nested deeper than 64" in response.json()["detail"]


async def test_the_manage_api_refuses_a_deeply_nested_body_too(client, keys, settings):
    # The Manage API reads bodies itself (JSON whatever the Content-Type says).
    response = await client.post(
        f"/v1/pages/{page_id_for(settings)}/incidents",
        content=b'{"incident": ' + DEEP,
        headers={**keys["admin"], "Content-Type": "text/plain"},
    )
    assert response.status_code == 422, response.text
    assert "nested deeper than 64" in response.json()["detail"]


async def test_json_nested_to_a_sane_depth_still_passes(client, keys):
    # 60 levels of lists inside a string field are fine: the check counts structure only.
    body = '{"title": "[[[[' + "[" * 200 + '", "components": []}'
    response = await client.post(
        "/api/v1/incidents",
        content=body.encode(),
        headers={**keys["responder"], "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:30:00Z"])
async def test_a_maintenance_window_outside_1970_to_2100_is_refused_naming_the_field(
    client, keys, when
):
    response = await client.post(
        "/api/v1/maintenances",
        json={
            "title": "Upgrade",
            "scheduled_for": when,
            "scheduled_until": "2030-01-01T00:00:00Z",
        },
        headers=keys["comms_lead"],
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "scheduled_for"
    assert "between 1970 and 2100" in response.json()["detail"]


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:30:00Z"])
async def test_a_promised_next_update_outside_1970_to_2100_is_refused(client, keys, when):
    incident = await factories.incident(client, keys["responder"], "API errors")
    response = await client.post(
        f"/api/v1/incidents/{incident['id']}/updates",
        json={"status": "investigating", "body": "Looking.", "next_update_at": when},
        headers=keys["responder"],
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "next_update_at"
    drafted = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "Looking.", "next_update_at": when},
        headers=keys["responder"],
    )
    assert drafted.status_code == 422, drafted.text
    assert drafted.json()["field"] == "next_update_at"


async def test_the_manage_api_refuses_a_maintenance_in_the_year_9999(client, keys, settings):
    response = await client.post(
        f"/v1/pages/{page_id_for(settings)}/incidents",
        json={
            "incident": {
                "name": "Far future",
                "status": "scheduled",
                "scheduled_for": "9999-12-31T23:30:00Z",
            }
        },
        headers=keys["comms_lead"],
    )
    assert response.status_code == 422, response.text
    # The Manage API answers in Statuspage's shape.
    assert "scheduled_for" in response.json()["error"]
    assert "between 1970 and 2100" in response.json()["error"]


async def test_a_pause_until_the_year_1_is_refused_on_the_api(client, keys):
    incident = await factories.incident(client, keys["responder"], "API errors")
    response = await client.put(
        f"/api/v1/incidents/{incident['id']}/pause",
        json={"reason": "waiting", "resume_at": "0001-01-01T00:00:00+14:00"},
        headers=keys["comms_lead"],
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "resume_at"


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
async def test_a_stored_date_at_the_edge_of_time_does_not_take_the_status_page_down(
    sessionmaker, base_settings, zone
):
    # Written straight into the database, as an import or an older version could have.
    async with sessionmaker() as session:
        incident = Incident(
            title="From the dawn of time",
            status="resolved",
            impact="minor",
            visibility="public",
            started_at=datetime(1, 1, 1, tzinfo=UTC),
            resolved_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        )
        session.add(incident)
        await session.flush()
        session.add(
            Update(
                incident_id=incident.id,
                status="resolved",
                body="All good.",
                author="test",
                state="published",
                published_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
                next_update_at=datetime(1, 1, 1, tzinfo=UTC),
            )
        )
        await session.commit()
    app = create_app(replace(base_settings, time_zone=zone))
    async with AsyncTestClient(app=app, base_url="http://status.example.test") as client:
        for path in ("/", "/history", f"/incidents/{incident.id}", "/feed.rss", "/feed.atom"):
            response = await client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
        assert "From the dawn of time" in (await client.get(f"/incidents/{incident.id}")).text
