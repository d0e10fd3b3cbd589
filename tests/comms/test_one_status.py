"""One truth for a component's status, and words that match it: the API, the desk, the page,
summary.json and the badge say the same; an update records the status readers really saw;
words drafted from a template go out under its status, and the email's subject says so."""

from __future__ import annotations

from typing import Any

from app.settings import page_id_for
from tests.support import factories
from tests.support.delivery import drain
from tests.support.desk import csrf, sign_in, text_of

FOUND = "We found the cause of the API errors and are fixing it."


async def _api_down(client, keys) -> tuple[dict[str, Any], dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A component, and a public incident whose published words put it in a major outage."""
    api = await factories.component(client, keys["admin"], "API")
    incident = await factories.incident(
        client,
        keys["responder"],
        "API errors",
        components=[{"id": api["id"], "status": "major_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "The API fails.")
    return api, incident


async def test_a_components_status_is_the_same_in_the_api_the_desk_the_page_and_the_json(
    client, keys, users, settings
):
    api, _incident = await _api_down(client, keys)

    listed = await client.get("/api/v1/components", headers=keys["responder"])
    assert [c["status"] for c in listed.json()] == ["major_outage"]
    one = await client.get(f"/api/v1/components/{api['id']}", headers=keys["responder"])
    assert one.json()["status"] == "major_outage"
    manage = f"/v1/pages/{page_id_for(settings)}/components/{api['id']}"
    assert (await client.get(manage, headers=keys["responder"])).json()["status"] == "major_outage"
    summary = (await client.get("/api/v2/summary.json")).json()
    assert [c["status"] for c in summary["components"]] == ["major_outage"]
    assert "major outage" in (await client.get(f"/components/{api['id']}/badge.svg")).text
    assert "Major outage" in text_of(await client.get("/"))
    await sign_in(client, "lead")
    assert "API (now major outage)" in text_of(await client.get("/admin"))


async def test_an_updates_component_changes_record_the_status_readers_saw_before_and_after(
    client, keys
):
    api = await factories.component(client, keys["admin"], "API")
    pushed = await client.patch(
        f"/api/v1/components/{api['id']}",
        json={"status": "degraded_performance"},
        headers=keys["responder"],
    )
    assert pushed.status_code == 200, pushed.text
    incident = await factories.incident(client, keys["responder"], "API errors")

    update = await factories.publish(
        client,
        keys["comms_lead"],
        incident["id"],
        "The API fails.",
        components=[{"id": api["id"], "status": "major_outage"}],
    )
    (change,) = update["affected_components"]
    assert (change["old_status"], change["new_status"]) == ("degraded_performance", "major_outage")


async def test_a_draft_from_a_template_goes_out_under_its_status_and_the_subject_says_it(
    client, keys, smtp, worker
):
    _api, incident = await _api_down(client, keys)
    await factories.contact(client, keys["comms_lead"], "ops@example.test")
    template = await client.post(
        "/api/v1/templates",
        json={"name": "Found it", "status": "identified", "body": FOUND},
        headers=keys["comms_lead"],
    )
    assert template.status_code == 201, template.text
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"template_id": template.json()["id"]},
        headers=keys["responder"],
    )
    assert created.status_code == 201, created.text
    draft = created.json()["update"]
    assert draft["status"] == "identified"
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", headers=keys["comms_lead"]
    )
    assert approved.status_code == 200, approved.text

    await drain(worker)
    subjects = [m["Subject"] for m in smtp.messages]
    assert subjects[-1] == "[Example] Identified: API errors"
    assert not any(
        "Investigating" in s and FOUND in m.get_body(("plain",)).get_content()
        for s, m in zip(subjects, smtp.messages, strict=True)
    )


async def test_the_desk_drafts_from_a_template_under_its_status_whatever_the_form_said(
    client, keys, users
):
    _api, incident = await _api_down(client, keys)
    template = await client.post(
        "/api/v1/templates",
        json={"name": "Found it", "status": "identified", "body": FOUND},
        headers=keys["comms_lead"],
    )
    await sign_in(client, "rita")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    response = await client.post(
        f"/admin/incidents/{incident['id']}/drafts",
        data={
            "_csrf": csrf(page.text),
            "template_id": template.json()["id"],
            "status": "investigating",  # what the status field showed, untouched
            "body": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    (draft,) = (
        await client.get(f"/api/v1/incidents/{incident['id']}/drafts", headers=keys["responder"])
    ).json()
    assert (draft["update"]["status"], draft["update"]["body"]) == ("identified", FOUND)


async def test_a_draft_may_change_only_its_status(client, keys):
    _api, incident = await _api_down(client, keys)
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": FOUND},
        headers=keys["responder"],
    )
    draft = created.json()["update"]
    assert draft["status"] == "investigating"

    edited = await client.patch(
        f"/api/v1/updates/{draft['id']}", json={"status": "identified"}, headers=keys["responder"]
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["status"], edited.json()["body"]) == ("identified", FOUND)

    wrong = await client.patch(
        f"/api/v1/updates/{draft['id']}", json={"status": "sleeping"}, headers=keys["responder"]
    )
    assert wrong.status_code in (409, 422), wrong.text
    assert "sleeping" in wrong.json()["detail"]


async def test_the_queue_shows_a_component_change_from_the_status_readers_see_now(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    incident = await factories.incident(
        client,
        keys["responder"],
        "API errors",
        components=[{"id": api["id"], "status": "degraded_performance"}],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "The API is slow.")
    # Monitoring then pushes the component itself down: the page shows a major outage.
    await client.patch(
        f"/api/v1/components/{api['id']}",
        json={"status": "major_outage"},
        headers=keys["responder"],
    )
    assert "Major outage" in text_of(await client.get("/"))

    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": FOUND, "components": [{"id": api["id"], "status": "operational"}]},
        headers=keys["responder"],
    )
    draft = created.json()["update"]
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    (item,) = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert [c["text"] for c in item["component_changes"]] == ["API: Major outage → Operational"]
