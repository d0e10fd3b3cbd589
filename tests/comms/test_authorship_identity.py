"""Authorship is an identity: two API keys may share a name, and neither may act as the
other, in changing a draft as its own or in passing the four-eyes rule."""

from __future__ import annotations

from typing import Any

from tests.support import factories


async def _key(client, keys, name: str, role: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/api/v1/api-keys", json={"name": name, "role": role}, headers=keys["admin"]
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['key']}"}


async def _draft(client, headers: dict[str, str], **incident: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    opened = await factories.incident(client, headers, "Checkout errors", **incident)
    created = await factories._post(
        client,
        f"/api/v1/incidents/{opened['id']}/drafts",
        headers,
        {"body": "Some payments fail; we are looking into it."},
    )
    return created["update"]  # type: ignore[no-any-return]


async def test_a_responder_key_may_not_change_a_draft_of_another_key_with_the_same_name(
    client, keys
):
    first = await _key(client, keys, "pagerduty", "responder")
    second = await _key(client, keys, "pagerduty", "responder")
    draft = await _draft(client, first)

    edit = await client.patch(
        f"/api/v1/updates/{draft['id']}", json={"body": "Not my words."}, headers=second
    )
    assert edit.status_code == 403, edit.text
    assert "only its author or a comms lead" in edit.json()["detail"]
    submit = await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=second)
    assert submit.status_code == 403, submit.text

    own = await client.patch(
        f"/api/v1/updates/{draft['id']}", json={"body": "My own words."}, headers=first
    )
    assert own.status_code == 200, own.text
    assert own.json()["author"] == "key:pagerduty"  # the name stays, for display


async def test_my_drafts_lists_only_the_callers_own_not_those_of_a_namesake(client, keys):
    first = await _key(client, keys, "pagerduty", "responder")
    second = await _key(client, keys, "pagerduty", "responder")
    draft = await _draft(client, first)

    theirs = await client.get("/api/v1/drafts/mine", headers=second)
    assert theirs.status_code == 200
    assert [d["update"]["id"] for d in theirs.json()] == []
    mine = await client.get("/api/v1/drafts/mine", headers=first)
    assert [d["update"]["id"] for d in mine.json()] == [draft["id"]]


async def test_a_comms_lead_key_approves_a_namesakes_public_major_draft_as_a_second_pair_of_eyes(
    client, keys
):
    writer = await _key(client, keys, "comms-bot", "comms_lead")
    reviewer = await _key(client, keys, "comms-bot", "comms_lead")
    draft = await _draft(client, writer, impact="major", visibility="public")
    submitted = await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=writer)
    assert submitted.status_code == 200, submitted.text

    alone = await client.post(f"/api/v1/updates/{draft['id']}/approve", headers=writer)
    assert alone.status_code == 403, alone.text
    assert "another comms lead must approve it" in alone.json()["detail"]

    approved = await client.post(f"/api/v1/updates/{draft['id']}/approve", headers=reviewer)
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "published"
