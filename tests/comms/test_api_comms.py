"""The comms desk over the API: templates, drafts, the approval queue, examples, audit."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from app.accounts.actor import Actor
from app.accounts.models import Role
from app.comms.review import service
from app.incidents.service import get_incident, get_update
from app.lib.clock import as_utc, utcnow
from app.lib.errors import Conflict
from tests.support import factories

GOOD = (
    "We're sorry: {{ components_text }} {{ 'is' if components|length < 2 else 'are' }} "
    "failing for some of you since {{ started_at }}. We're investigating and will update "
    "you by {{ next_update_at }}."
)


async def _world(client, keys, *, impact="major", visibility="public"):  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    incident = await factories.incident(
        client,
        keys["responder"],
        "Errors on the API",
        impact=impact,
        visibility=visibility,
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    return api, acme, incident


async def _template(client, keys, body=GOOD, status="investigating"):  # type: ignore[no-untyped-def]
    response = await client.post(
        "/api/v1/templates",
        json={"name": f"{status} {len(body)}", "status": status, "body": body},
        headers=keys["comms_lead"],
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _submitted(client, keys, incident_id, body=None, template_id=None):  # type: ignore[no-untyped-def]
    payload = {"template_id": template_id} if template_id else {"body": body}
    created = await client.post(
        f"/api/v1/incidents/{incident_id}/drafts", json=payload, headers=keys["responder"]
    )
    assert created.status_code == 201, created.text
    draft = created.json()["update"]
    submitted = await client.post(
        f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"]
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "submitted"
    return draft


async def test_a_template_that_fails_to_render_answers_422_naming_the_line(client, keys):
    response = await client.post(
        "/api/v1/templates",
        json={"name": "Broken", "status": "investigating", "body": "Hello\n\n{{ nope }} is down"},
        headers=keys["comms_lead"],
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "body line 3: 'nope' is undefined"
    assert response.json()["field"] == "body"


async def test_a_template_reaching_for_python_internals_is_refused(client, keys):
    response = await client.post(
        "/api/v1/templates",
        json={
            "name": "Escape",
            "status": "investigating",
            "body": "{{ title.__class__.__mro__[1].__subclasses__() }}",
        },
        headers=keys["comms_lead"],
    )
    assert response.status_code == 422
    assert "may not touch" in response.json()["detail"]


async def test_preview_renders_a_template_for_an_incident_and_a_customer(client, keys):
    _api, acme, incident = await _world(client, keys)
    response = await client.post(
        "/api/v1/templates/preview",
        json={
            "incident_id": incident["id"],
            "customer": acme["id"],
            "subject": "{{ title }} for {{ customer_name }}",
            "body": GOOD,
        },
        headers=keys["responder"],
    )
    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["subject"] == "Errors on the API for Acme"
    assert preview["body"].startswith("We're sorry: API is failing")
    promised = as_utc(datetime.fromisoformat(preview["next_update_at"]))
    assert timedelta(minutes=29) < promised - utcnow() <= timedelta(minutes=30)
    assert preview["findings"] == []
    assert (await client.get("/api/v1/templates", headers=keys["responder"])).json() == []


async def test_a_draft_from_a_template_goes_through_the_queue_and_is_published(client, keys):
    _api, acme, incident = await _world(client, keys)
    template = await _template(client, keys)
    draft = await _submitted(client, keys, incident["id"], template_id=template["id"])
    assert draft["state"] == "draft"
    assert draft["published_at"] is None

    queue = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert [item["update"]["id"] for item in queue] == [draft["id"]]
    item = queue[0]
    assert [p["audience"] for p in item["previews"]] == ["Public", "Acme"]
    assert item["previews"][1]["page_url"].startswith("http://status.example.test/c/")
    # The email preview is the message subscribers get, from the delivery templates.
    assert item["previews"][0]["email_subject"] == "[Example] Investigating: Errors on the API"
    assert item["previews"][1]["email_subject"].startswith("[Example for Acme] ")
    assert "/c/" in item["previews"][1]["email_body"]
    assert item["changes_since_template"] == []
    assert item["review"]["template_id"] == template["id"]

    edited = draft["body"] + "\n\nDownloads still work."
    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", json={"body": edited}, headers=keys["comms_lead"]
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "published"
    # The promise in the words is the one the page's header shows, set when published.
    promised = as_utc(datetime.fromisoformat(approved.json()["next_update_at"]))
    assert "{{ next_update }}" in edited
    assert approved.json()["body"] == edited.replace(
        "{{ next_update }}", promised.strftime("%H:%M UTC")
    )
    assert approved.json()["published_by"] == "key:test-comms_lead"
    page = await client.get(f"/incidents/{incident['id']}")
    assert "Downloads still work." in page.text
    page = await client.get(f"/c/{acme['page_url'].rsplit('/c/', 1)[1]}incidents/{incident['id']}")
    assert "Downloads still work." in page.text

    audit = (
        await client.get(f"/api/v1/incidents/{incident['id']}/audit", headers=keys["responder"])
    ).json()
    actions = [e["action"] for e in audit]
    for action in (
        "update.create",
        "draft.submit",
        "draft.edit",
        "draft.approve",
        "update.publish",
    ):
        assert action in actions
    approval = next(e for e in audit if e["action"] == "draft.approve")
    assert approval["actor"] == "key:test-comms_lead"
    assert approval["detail"]["body"] == edited
    assert (await client.get("/api/v1/audit", headers=keys["responder"])).status_code == 200


async def test_a_responder_cannot_approve(client, keys):
    _api, _acme, incident = await _world(client, keys)
    draft = await _submitted(
        client, keys, incident["id"], body="Sorry, the API fails. Next update 14:00."
    )
    response = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", headers=keys["responder"]
    )
    assert response.status_code == 403


async def test_approving_a_published_update_answers_409_and_publishes_nothing_again(client, keys):
    _api, _acme, incident = await _world(client, keys)
    draft = await _submitted(
        client, keys, incident["id"], body="Sorry, the API fails. Next update 14:00."
    )
    first = await client.post(f"/api/v1/updates/{draft['id']}/approve", headers=keys["comms_lead"])
    assert first.status_code == 200
    again = await client.post(f"/api/v1/updates/{draft['id']}/approve", headers=keys["admin"])
    assert again.status_code == 409
    assert "already approved" in again.json()["detail"]
    audit = (
        await client.get(f"/api/v1/incidents/{incident['id']}/audit", headers=keys["responder"])
    ).json()
    assert [e["action"] for e in audit].count("update.publish") == 1


async def test_two_comms_leads_approving_at_once_publish_once(client, keys, sessionmaker):
    _api, _acme, incident = await _world(client, keys)
    draft = await _submitted(
        client, keys, incident["id"], body="Sorry, the API fails. Next update 14:00."
    )

    async def approve(name: str) -> str:
        async with sessionmaker() as session:
            try:
                await service.approve_draft(
                    session,
                    actor=Actor(name, Role.COMMS_LEAD, f"user:{name}"),
                    update_id=draft["id"],
                )
                await session.commit()
                return "published"
            except Conflict:
                await session.rollback()
                return "conflict"

    outcomes = await asyncio.gather(approve("ana"), approve("bo"))
    assert sorted(outcomes) == ["conflict", "published"]
    audit = (
        await client.get(f"/api/v1/incidents/{incident['id']}/audit", headers=keys["responder"])
    ).json()
    assert [e["action"] for e in audit].count("update.publish") == 1


async def test_a_rejection_reaches_the_author_with_its_reason(client, keys):
    _api, _acme, incident = await _world(client, keys)
    draft = await _submitted(client, keys, incident["id"], body="db-3.internal died, see OPS-1.")
    queue = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    rules = {f["rule"] for f in queue[0]["findings"]}
    assert {"jargon", "apology", "next_update", "names_affected"} <= rules
    rejected = await client.post(
        f"/api/v1/updates/{draft['id']}/reject",
        json={"reason": "Say what customers notice, not host names."},
        headers=keys["comms_lead"],
    )
    assert rejected.status_code == 200
    seen = (await client.get(f"/api/v1/updates/{draft['id']}", headers=keys["responder"])).json()
    assert seen["update"]["state"] == "rejected"
    assert seen["review"]["rejection_reason"] == "Say what customers notice, not host names."
    assert seen["review"]["reviewed_by"] == "key:test-comms_lead"
    assert (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json() == []


async def test_rejecting_without_a_reason_answers_422(client, keys):
    _api, _acme, incident = await _world(client, keys)
    draft = await _submitted(client, keys, incident["id"], body="x")
    response = await client.post(
        f"/api/v1/updates/{draft['id']}/reject", json={"reason": " "}, headers=keys["comms_lead"]
    )
    assert response.status_code == 422
    assert response.json()["field"] == "reason"


async def test_the_author_of_a_public_major_draft_cannot_approve_it_alone(client, keys):
    _api, _acme, incident = await _world(client, keys, impact="major")
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "Sorry, the API fails. Next update 14:00."},
        headers=keys["comms_lead"],
    )
    draft = created.json()["update"]
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["comms_lead"])
    alone = await client.post(f"/api/v1/updates/{draft['id']}/approve", headers=keys["comms_lead"])
    assert alone.status_code == 403
    assert "another comms lead" in alone.json()["detail"]
    other = await client.post(f"/api/v1/updates/{draft['id']}/approve", headers=keys["admin"])
    assert other.status_code == 200


async def test_a_waiver_lets_the_author_approve_and_is_in_the_audit_log(client, keys):
    _api, _acme, incident = await _world(client, keys, impact="critical")
    policy = await client.patch(
        "/api/v1/comms-policy", json={"author_may_approve_major": True}, headers=keys["admin"]
    )
    assert policy.status_code == 200
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "Sorry, the API fails. Next update 14:00."},
        headers=keys["comms_lead"],
    )
    draft = created.json()["update"]
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["comms_lead"])
    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", headers=keys["comms_lead"]
    )
    assert approved.status_code == 200
    audit = (
        await client.get(f"/api/v1/incidents/{incident['id']}/audit", headers=keys["admin"])
    ).json()
    waiver = next(e for e in audit if e["action"] == "policy.waiver")
    assert "author approved own draft" in waiver["detail"]["waiver"]


async def test_without_required_review_submitting_publishes_with_a_recorded_waiver(client, keys):
    _api, _acme, incident = await _world(client, keys, impact="minor")
    await client.patch(
        "/api/v1/comms-policy", json={"require_approval": False}, headers=keys["admin"]
    )
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "The API is slow. Next update by 16:00 UTC."},
        headers=keys["responder"],
    )
    draft = created.json()["update"]
    submitted = await client.post(
        f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"]
    )
    assert submitted.json()["state"] == "published"
    audit = (
        await client.get(f"/api/v1/incidents/{incident['id']}/audit", headers=keys["admin"])
    ).json()
    publish = next(e for e in audit if e["action"] == "update.publish")
    assert publish["detail"]["waiver"] == "approval not required by policy"


async def test_a_blocking_tone_rule_stops_submission_and_names_the_rule(client, keys):
    _api, _acme, incident = await _world(client, keys, impact="minor")
    rule = await client.patch(
        "/api/v1/tone-rules/blame_words",
        json={"blocking": True, "words": ["their fault"]},
        headers=keys["comms_lead"],
    )
    assert rule.status_code == 200
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "The API fails; it is their fault. Next update 14:00."},
        headers=keys["responder"],
    )
    draft = created.json()["update"]
    response = await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    assert response.status_code == 422
    assert "blame_words" in response.json()["detail"]
    assert "their fault" in response.json()["detail"]
    rules = (await client.get("/api/v1/tone-rules", headers=keys["responder"])).json()
    assert next(r for r in rules if r["name"] == "blame_words")["blocking"] is True


async def test_publishing_promises_an_update_in_30_minutes_when_major_and_an_hour_when_minor(
    client, keys
):
    _api, _acme, incident = await _world(client, keys, impact="major")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Sorry, looking.")
    promised = as_utc(datetime.fromisoformat(update["next_update_at"]))
    assert timedelta(minutes=29) < promised - utcnow() <= timedelta(minutes=30)
    minor = await factories.incident(client, keys["responder"], "Slow search")
    update = await factories.publish(client, keys["comms_lead"], minor["id"], "Looking.")
    promised = as_utc(datetime.fromisoformat(update["next_update_at"]))
    assert timedelta(minutes=59) < promised - utcnow() <= timedelta(minutes=60)
    resolved = await factories.publish(
        client, keys["comms_lead"], minor["id"], "Fixed.", "resolved"
    )
    assert resolved["next_update_at"] is None


async def test_the_desk_shows_overdue_promises_first_and_paused_ones_without_alarm(
    client, keys, sessionmaker
):
    _api, _acme, late = await _world(client, keys, impact="minor")
    await factories.publish(client, keys["comms_lead"], late["id"], "Looking. Next update soon.")
    on_time = await factories.incident(client, keys["responder"], "Slow search")
    await factories.publish(client, keys["comms_lead"], on_time["id"], "Looking.")
    paused = await factories.incident(client, keys["responder"], "Old backlog")
    await factories.publish(client, keys["comms_lead"], paused["id"], "Looking.")
    async with sessionmaker() as session:
        for incident_id in (late["id"], paused["id"]):
            incident = await get_incident(session, incident_id)
            incident.next_update_at = utcnow() - timedelta(minutes=5)
        await session.commit()
    response = await client.put(
        f"/api/v1/incidents/{paused['id']}/pause",
        json={
            "reason": "Waiting for the vendor's fix overnight",
            "resume_at": (utcnow() + timedelta(hours=8)).isoformat(),
        },
        headers=keys["comms_lead"],
    )
    assert response.status_code == 200, response.text
    desk = (await client.get("/api/v1/desk", headers=keys["responder"])).json()
    assert desk[0]["incident_id"] == late["id"]
    assert desk[0]["overdue"] is True
    row = next(r for r in desk if r["incident_id"] == paused["id"])
    assert (row["overdue"], row["paused"]) == (False, True)
    assert row["pause_reason"] == "Waiting for the vendor's fix overnight"
    assert next(r for r in desk if r["incident_id"] == on_time["id"])["overdue"] is False


async def test_published_updates_become_examples_found_by_text_and_similarity(client, keys):
    api, _acme, incident = await _world(client, keys)
    old = await factories.publish(
        client, keys["comms_lead"], incident["id"], "Sorry, API requests fail with 502."
    )
    draft = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "not published"},
        headers=keys["responder"],
    )
    refused = await client.put(
        f"/api/v1/examples/{draft.json()['update']['id']}",
        json={"tags": []},
        headers=keys["comms_lead"],
    )
    assert refused.status_code == 409
    marked = await client.put(
        f"/api/v1/examples/{old['id']}", json={"tags": ["API", "502"]}, headers=keys["comms_lead"]
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["tags"] == ["502", "api"]
    other = await factories.incident(client, keys["responder"], "Slow search")
    unrelated = await factories.publish(client, keys["comms_lead"], other["id"], "Search is slow.")
    await client.put(f"/api/v1/examples/{unrelated['id']}", json={}, headers=keys["comms_lead"])

    found = (await client.get("/api/v1/examples?q=502", headers=keys["responder"])).json()
    assert [e["update_id"] for e in found] == [old["id"]]
    assert (await client.get("/api/v1/examples?q=nothing", headers=keys["responder"])).json() == []

    new = await factories.incident(
        client,
        keys["responder"],
        "API failing again",
        impact="major",
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    similar = (
        await client.get(
            f"/api/v1/incidents/{new['id']}/similar-examples", headers=keys["responder"]
        )
    ).json()
    # Only the similar ones: the same component; slow search at another impact is left out.
    assert [e["update_id"] for e in similar] == [old["id"]]


async def test_a_draft_for_all_affected_customers_of_a_public_incident_is_refused_with_why(
    client, keys
):
    _api, acme, incident = await _world(client, keys, impact="minor")
    response = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "x", "audience": "affected"},
        headers=keys["responder"],
    )
    assert response.status_code == 422
    assert response.json()["field"] == "audience"
    assert "reach everyone" in response.json()["detail"]
    own = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "Your API calls fail.", "audience": "customer", "customer": acme["id"]},
        headers=keys["responder"],
    )
    assert own.status_code == 201
    draft = own.json()["update"]
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    queue = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert queue[0]["audience"] == "only Acme"
    assert [p["audience"] for p in queue[0]["previews"]] == ["Acme"]


async def test_a_draft_that_waited_past_its_promise_is_flagged_and_promises_afresh(
    client, keys, sessionmaker
):
    _api, _acme, incident = await _world(client, keys)
    template = await _template(client, keys)
    draft = await _submitted(client, keys, incident["id"], template_id=template["id"])
    async with sessionmaker() as session:
        stored = await get_update(session, draft["id"])
        stored.next_update_at = utcnow() - timedelta(minutes=3)
        await session.commit()
    queue = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert "promise" in {f["rule"] for f in queue[0]["findings"]}
    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", headers=keys["comms_lead"]
    )
    promised = as_utc(datetime.fromisoformat(approved.json()["next_update_at"]))
    assert promised - utcnow() > timedelta(minutes=29)
