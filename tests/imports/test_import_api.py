"""The import over the JSON API: a comms lead pastes a URL, sees the plan, confirms."""

from __future__ import annotations

from dataclasses import replace

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from app.asgi import create_app
from app.audit.models import AuditEvent
from app.incidents.models import Incident
from tests.support.importing import count

PATH = "/api/v1/imports/statuspage"


async def test_a_comms_lead_sees_the_plan_then_imports_and_the_page_shows_it(
    client, keys, pages, db
):
    lead = keys["comms_lead"]
    url = pages.url("atlassian-docs")

    plan = await client.post(PATH, json={"url": url}, headers=lead)

    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert body["dry_run"] is True
    assert body["source"] == {"url": url, "page_id": "y2j98763l56x", "name": "Atlassian Statuspage"}
    assert body["summary"] == "2 components in 0 groups, 2 incidents, 5 updates, 2 maintenances"
    assert body["counts"]["create"] == {
        "group": 0,
        "component": 2,
        "incident": 2,
        "maintenance": 2,
    }
    assert body["counts"]["new_updates"] == 5 and body["counts"]["skipped"] == 0
    assert [s["source_id"] for s in body["steps"] if s["kind"] == "incident"] == [
        "cp306tmzcl0y",
        "2z5g29qrrxvl",
    ]
    assert await count(db, Incident) == 0

    done = await client.post(PATH, json={"url": url, "dry_run": False}, headers=lead)

    assert done.status_code == 200, done.text
    assert done.json()["dry_run"] is False
    assert await count(db, Incident) == 4
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "import.run"))
    assert event is not None and event.actor == "key:test-comms_lead"
    listed = (await client.get("/api/v2/incidents.json")).json()["incidents"]
    assert [i["id"] for i in listed] == ["cp306tmzcl0y", "2z5g29qrrxvl"]

    again = await client.post(PATH, json={"url": url, "dry_run": False}, headers=lead)
    assert again.json()["summary"] == (
        "nothing new (2 components, 2 incidents, 2 maintenances already up to date)"
    )


async def test_only_a_comms_lead_or_an_admin_may_import(client, keys, pages):
    body = {"url": pages.url("hashicorp")}

    assert (await client.post(PATH, json=body)).status_code == 401
    refused = await client.post(PATH, json=body, headers=keys["responder"])
    assert refused.status_code == 403
    assert "comms_lead" in refused.json()["detail"]
    assert (await client.post(PATH, json=body, headers=keys["admin"])).status_code == 200


async def test_bad_input_answers_422_saying_what_is_wrong(client, keys, pages):
    lead = keys["comms_lead"]

    missing = await client.post(PATH, json={"dry_run": True}, headers=lead)
    assert missing.status_code == 422 and "url" in missing.json()["detail"]
    not_a_page = await client.post(PATH, json={"url": "status.example.com"}, headers=lead)
    assert not_a_page.status_code == 422
    assert not_a_page.json()["detail"].startswith("url must be the http(s) address of a status")
    nothing_there = await client.post(PATH, json={"url": pages.url("nowhere")}, headers=lead)
    assert nothing_there.status_code == 422
    assert "does not serve a Statuspage v2 API" in nothing_there.json()["detail"]
    assert nothing_there.json()["field"] == "url"


async def test_a_page_on_a_private_address_is_refused_unless_the_setting_allows_it(
    base_settings, keys, pages
):
    strict = replace(base_settings, webhook_allow_private=False)
    async with AsyncTestClient(create_app(strict), base_url="http://status.example.test") as client:
        answer = await client.post(
            PATH, json={"url": pages.url("hashicorp")}, headers=keys["comms_lead"]
        )
    assert answer.status_code == 422
    assert "not a public internet address" in answer.json()["detail"]
    assert pages.requests == []
