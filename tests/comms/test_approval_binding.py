"""An approval binds who the words reach as the reviewer saw it: if an incident's visibility,
customers or components change after its words were submitted, approving them is refused
until someone looks again. Through the JSON API and the desk's queue."""

from __future__ import annotations

import re

from tests.support import factories
from tests.support.desk import csrf, sign_in, text_of

LOOK_AGAIN = "changed since it was submitted: look again"


async def _submitted(client, keys, incident_id, body="The API fails; we are on it."):  # type: ignore[no-untyped-def]
    created = await client.post(
        f"/api/v1/incidents/{incident_id}/drafts", json={"body": body}, headers=keys["responder"]
    )
    assert created.status_code == 201, created.text
    draft_id = created.json()["update"]["id"]
    submitted = await client.post(f"/api/v1/updates/{draft_id}/submit", headers=keys["responder"])
    assert submitted.status_code == 200, submitted.text
    return draft_id


async def _world(client, keys):  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    search = await factories.component(client, keys["admin"], "Search")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    initech = await factories.customer(client, keys["admin"], "Initech", [search["id"]])
    incident = await factories.incident(
        client, keys["responder"], "API errors", components=[{"id": api["id"]}]
    )
    return api, search, acme, initech, incident


async def _queued(client, keys, draft_id):  # type: ignore[no-untyped-def]
    queue = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    return next((item for item in queue if item["update"]["id"] == draft_id), None)


async def test_approving_words_whose_incident_went_customers_only_since_submission_is_refused(
    client, keys
):
    _api, _search, _acme, _initech, incident = await _world(client, keys)
    draft_id = await _submitted(client, keys, incident["id"])
    changed = await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"visibility": "customers"},
        headers=keys["comms_lead"],
    )
    assert changed.status_code == 200, changed.text

    refused = await client.post(f"/api/v1/updates/{draft_id}/approve", headers=keys["comms_lead"])
    assert refused.status_code == 409
    assert LOOK_AGAIN in refused.text and "visibility public → customers" in refused.text
    item = await _queued(client, keys, draft_id)
    assert item is not None, "the draft stays in the queue"
    assert item["changed_since_submitted"] == ["visibility public → customers"]

    # Looked at again, as the queue shows it now: approved for this audience.
    approved = await client.post(
        f"/api/v1/updates/{draft_id}/approve",
        json={"version": item["version"]},
        headers=keys["comms_lead"],
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "published"
    events = (
        await client.get(f"/api/v1/incidents/{incident['id']}/audit", headers=keys["comms_lead"])
    ).json()
    looked = [e for e in events if e["action"] == "draft.look_again"]
    assert looked and looked[0]["detail"]["changed"] == ["visibility public → customers"]


async def test_a_customer_or_component_added_after_submission_is_named_in_the_refusal(client, keys):
    api, search, _acme, initech, incident = await _world(client, keys)
    draft_id = await _submitted(client, keys, incident["id"])
    await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={
            "customers": [initech["id"]],
            "components": [{"id": api["id"]}, {"id": search["id"]}],
        },
        headers=keys["comms_lead"],
    )
    refused = await client.post(f"/api/v1/updates/{draft_id}/approve", headers=keys["comms_lead"])
    assert refused.status_code == 409
    assert "customers: Initech added" in refused.text
    assert "components: Search added" in refused.text
    read = (await client.get(f"/api/v1/updates/{draft_id}", headers=keys["comms_lead"])).json()
    assert read["update"]["state"] == "submitted"
    assert "customers: Initech added" in read["changed_since_submitted"]


async def test_a_plain_approve_of_unchanged_words_needs_no_version(client, keys):
    *_, incident = await _world(client, keys)
    draft_id = await _submitted(client, keys, incident["id"])
    approved = await client.post(f"/api/v1/updates/{draft_id}/approve", headers=keys["comms_lead"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "published"


async def test_an_approval_bound_to_the_version_displayed_is_refused_once_it_moved(client, keys):
    api, search, *_rest, incident = await _world(client, keys)
    draft_id = await _submitted(client, keys, incident["id"])
    shown = (await client.get(f"/api/v1/updates/{draft_id}", headers=keys["comms_lead"])).json()
    assert shown["version"] and shown["changed_since_submitted"] == []
    assert (await _queued(client, keys, draft_id))["version"] == shown["version"]

    stale = await client.post(
        f"/api/v1/updates/{draft_id}/approve",
        json={"version": "0123456789ab"},
        headers=keys["comms_lead"],
    )
    assert stale.status_code == 409 and "look again" in stale.text

    await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"components": [{"id": api["id"]}, {"id": search["id"]}]},
        headers=keys["comms_lead"],
    )
    moved = await client.post(
        f"/api/v1/updates/{draft_id}/approve",
        json={"version": shown["version"]},
        headers=keys["comms_lead"],
    )
    assert moved.status_code == 409 and "components: Search added" in moved.text

    again = (await client.get(f"/api/v1/updates/{draft_id}", headers=keys["comms_lead"])).json()
    assert again["version"] != shown["version"]
    approved = await client.post(
        f"/api/v1/updates/{draft_id}/approve",
        json={"version": again["version"]},
        headers=keys["comms_lead"],
    )
    assert approved.status_code == 200, approved.text


def _version_field(page: str, draft_id: str) -> str:
    form = page[page.index(f'action="/admin/updates/{draft_id}/approve"') :]
    match = re.search(r'name="version" value="([0-9a-f]+)"', form)
    assert match, "the approve form carries the version it shows"
    return match.group(1)


async def test_the_desk_refuses_an_approval_from_a_stale_card_and_shows_what_changed(
    client, keys, users
):
    _api, _search, _acme, initech, incident = await _world(client, keys)
    draft_id = await _submitted(client, keys, incident["id"])
    await sign_in(client, "lead")
    stale = (await client.get("/admin/queue")).text
    assert "Changed since it was submitted" not in stale
    await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"visibility": "customers", "customers": [initech["id"]]},
        headers=keys["comms_lead"],
    )

    refused = await client.post(
        f"/admin/updates/{draft_id}/approve",
        data={"_csrf": csrf(stale), "version": _version_field(stale, draft_id), "body": ""},
    )
    page = text_of(refused)
    assert LOOK_AGAIN in page and "customers: Initech added" in page
    assert "Changed since it was submitted: look again." in page  # the card, refreshed
    assert "visibility public → customers" in page
    item = await _queued(client, keys, draft_id)
    assert item is not None and item["update"]["state"] == "submitted"

    approved = await client.post(
        f"/admin/updates/{draft_id}/approve",
        data={"_csrf": csrf(refused.text), "version": _version_field(refused.text, draft_id)},
    )
    assert "Approved and published." in text_of(approved)
    assert await _queued(client, keys, draft_id) is None


async def test_a_responder_may_not_move_the_audience_of_words_waiting_for_approval(client, keys):
    *_, initech, incident = await _world(client, keys)
    quiet = await factories.incident(client, keys["responder"], "Search slow")
    fine = await client.patch(
        f"/api/v1/incidents/{quiet['id']}",
        json={"visibility": "customers", "customers": [initech["id"]]},
        headers=keys["responder"],
    )
    assert fine.status_code == 200, "nothing published or pending: the responder's to change"

    await _submitted(client, keys, incident["id"])
    for change in ({"visibility": "customers"}, {"customers": [initech["id"]]}):
        refused = await client.patch(
            f"/api/v1/incidents/{incident['id']}", json=change, headers=keys["responder"]
        )
        assert refused.status_code == 403, refused.text
        assert "words waiting to go out" in refused.text and "comms_lead role" in refused.text
    by_lead = await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"customers": [initech["id"]]},
        headers=keys["comms_lead"],
    )
    assert by_lead.status_code == 200, by_lead.text
