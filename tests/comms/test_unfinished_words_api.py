"""Words that cannot go out unfinished, over the API: a template's `[placeholder]` or an
empty section is refused on submit, on approval and on a direct publish, quoting the line;
a resolved incident's words cannot say "investigating"; the draft written at declare time
leaves the queue, kept with a note, once other words went out first."""

from __future__ import annotations

from app.comms.wording.defaults import TEMPLATES
from tests.support import factories

FINISHED = "API errors are back to normal. Next update within the hour, sorry."


async def _incident(client, keys):  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    incident = await factories.incident(
        client,
        keys["responder"],
        "API errors",
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    return incident


async def _draft(client, keys, incident_id, body, status="investigating"):  # type: ignore[no-untyped-def]
    created = await client.post(
        f"/api/v1/incidents/{incident_id}/drafts",
        json={"status": status, "body": body},
        headers=keys["responder"],
    )
    assert created.status_code == 201, created.text
    return created.json()["update"]


async def _queue_ids(client, keys):  # type: ignore[no-untyped-def]
    queue = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    return [item["update"]["id"] for item in queue]


async def test_submitting_words_with_a_placeholder_is_refused_naming_the_line(client, keys):
    incident = await _incident(client, keys)
    draft = await _draft(
        client, keys, incident["id"], "API errors since 14:00.\n\n[Say what people notice.]"
    )
    refused = await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    assert refused.status_code == 422, refused.text
    assert (
        "line 3 still holds a template's placeholder: “[Say what people notice.]”"
        in (refused.json()["detail"])
    )
    assert draft["id"] not in await _queue_ids(client, keys)
    again = await client.get(f"/api/v1/updates/{draft['id']}", headers=keys["responder"])
    assert again.json()["update"]["state"] == "draft"  # kept, words and all
    assert "[Say what people notice.]" in again.json()["update"]["body"]


async def test_the_customer_page_link_and_markdown_links_are_not_placeholders(client, keys):
    incident = await _incident(client, keys)
    body = (
        "API errors for some of you. Details on [our status page](https://status.example.com) "
        "and on your own page: [customer page link]. Next update within the hour, sorry."
    )
    draft = await _draft(client, keys, incident["id"], body)
    submitted = await client.post(
        f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"]
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "submitted"


async def test_approving_with_an_edit_that_leaves_an_empty_section_is_refused_and_waits(
    client, keys
):
    incident = await _incident(client, keys)
    draft = await _draft(client, keys, incident["id"], FINISHED)
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    refused = await client.post(
        f"/api/v1/updates/{draft['id']}/approve",
        json={"body": FINISHED + "\n\n### What we are changing\n"},
        headers=keys["comms_lead"],
    )
    assert refused.status_code == 422, refused.text
    assert (
        "line 3 is a heading with nothing under it: “### What we are changing”"
        in (refused.json()["detail"])
    )
    assert draft["id"] in await _queue_ids(client, keys)  # still waiting, unchanged
    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", headers=keys["comms_lead"]
    )
    assert approved.status_code == 200, approved.text


async def test_publishing_straight_from_the_api_with_a_placeholder_is_refused(client, keys):
    incident = await _incident(client, keys)
    refused = await client.post(
        f"/api/v1/incidents/{incident['id']}/updates",
        json={"status": "investigating", "body": "[Describe the impact.]", "publish": True},
        headers=keys["comms_lead"],
    )
    assert refused.status_code == 422, refused.text
    assert "“[Describe the impact.]”" in refused.json()["detail"]
    public = await client.get("/api/v2/incidents.json")
    assert incident["id"] not in public.text


async def test_the_postmortem_template_cannot_be_submitted_until_its_brackets_are_filled(
    client, keys
):
    incident = await _incident(client, keys)
    await factories.publish(client, keys["comms_lead"], incident["id"], FINISHED, "resolved")
    name, status, subject, body, notes = next(t for t in TEMPLATES if t[1] == "postmortem")
    template = await client.post(
        "/api/v1/templates",
        json={"name": name, "status": status, "subject": subject, "body": body, "notes": notes},
        headers=keys["comms_lead"],
    )
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"status": "postmortem", "template_id": template.json()["id"]},
        headers=keys["responder"],
    )
    draft = created.json()["update"]
    refused = await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    assert refused.status_code == 422, refused.text
    assert (
        "[Who was affected, what they could not do, and for how long.]"
        in (refused.json()["detail"])
    )


async def test_words_saying_investigating_cannot_be_submitted_once_the_incident_is_resolved(
    client, keys
):
    incident = await _incident(client, keys)
    early = await _draft(client, keys, incident["id"], FINISHED)
    await factories.publish(client, keys["comms_lead"], incident["id"], FINISHED, "resolved")
    refused = await client.post(f"/api/v1/updates/{early['id']}/submit", headers=keys["responder"])
    assert refused.status_code == 422, refused.text
    detail = refused.json()["detail"]
    assert "already resolved" in detail and "“Investigating”" in detail
    assert "set these words to resolved or postmortem" in detail
    # Said as resolved, the same words may go.
    changed = await client.patch(
        f"/api/v1/updates/{early['id']}", json={"status": "resolved"}, headers=keys["responder"]
    )
    assert changed.status_code == 200, changed.text
    submitted = await client.post(
        f"/api/v1/updates/{early['id']}/submit", headers=keys["responder"]
    )
    assert submitted.status_code == 200, submitted.text


async def test_a_queued_investigating_draft_cannot_be_approved_after_the_incident_resolved(
    client, keys
):
    incident = await _incident(client, keys)
    early = await _draft(client, keys, incident["id"], FINISHED)
    await client.post(f"/api/v1/updates/{early['id']}/submit", headers=keys["responder"])
    await factories.publish(client, keys["comms_lead"], incident["id"], FINISHED, "resolved")
    refused = await client.post(
        f"/api/v1/updates/{early['id']}/approve", headers=keys["comms_lead"]
    )
    assert refused.status_code == 422, refused.text
    assert "already resolved" in refused.json()["detail"]


async def test_the_declared_draft_is_retired_with_a_note_when_other_words_go_out_first(
    client, keys
):
    api = await factories.component(client, keys["admin"], "API")
    declared = await client.post(
        "/api/v1/declarations",
        json={
            "title": "API errors",
            "components": [{"id": api["id"], "status": "partial_outage"}],
            "submit": True,
        },
        headers=keys["responder"],
    )
    assert declared.status_code == 201, declared.text
    first = declared.json()["draft"]["update"]
    incident_id = declared.json()["incident_id"]
    assert first["id"] in await _queue_ids(client, keys)

    await factories.publish(client, keys["comms_lead"], incident_id, FINISHED)

    assert first["id"] not in await _queue_ids(client, keys)
    kept = (await client.get(f"/api/v1/updates/{first['id']}", headers=keys["comms_lead"])).json()
    assert kept["update"]["state"] == "retired"
    assert kept["review"]["retired_note"].startswith(
        "Retired: other words for this moment were published first"
    )
    mine = (await client.get("/api/v1/drafts/mine", headers=keys["responder"])).json()
    assert first["id"] not in [d["update"]["id"] for d in mine]
    approve = await client.post(
        f"/api/v1/updates/{first['id']}/approve", headers=keys["comms_lead"]
    )
    assert approve.status_code == 409, approve.text
    assert "retired" in approve.json()["detail"]
    audit = (
        await client.get(f"/api/v1/incidents/{incident_id}/audit", headers=keys["comms_lead"])
    ).json()
    assert "draft.retire" in [e["action"] for e in audit]


async def test_a_draft_written_by_hand_is_not_retired_when_other_words_go_out(client, keys):
    incident = await _incident(client, keys)
    mine = await _draft(client, keys, incident["id"], FINISHED)
    await factories.publish(client, keys["comms_lead"], incident["id"], FINISHED)
    kept = (await client.get(f"/api/v1/updates/{mine['id']}", headers=keys["responder"])).json()
    assert kept["update"]["state"] == "draft"
