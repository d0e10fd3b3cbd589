"""Statuspage's Manage API v1, as the tools that push incidents into Statuspage call it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.lib.clock import utcnow
from app.settings import page_id_for
from tests.support.statuspage_shapes import (
    COMPONENT_STATUSES,
    MANAGE_COMPONENT,
    MANAGE_INCIDENT,
    MANAGE_UPDATE,
    check_component,
    check_incident,
    check_update,
)


@pytest.fixture
def base(settings) -> str:  # type: ignore[no-untyped-def]
    return f"/v1/pages/{page_id_for(settings)}"


@pytest.fixture
def oauth(keys) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """The same keys, sent the way Statuspage clients send them."""
    return {
        role: {"Authorization": "OAuth " + h["Authorization"].split(" ", 1)[1]}
        for role, h in keys.items()
    }


def _check_incident(obj, maintenance=False):  # type: ignore[no-untyped-def]
    check_incident(obj, maintenance=maintenance, fields=MANAGE_INCIDENT)
    for update in obj["incident_updates"]:
        check_update(update, {update["status"]}, fields=MANAGE_UPDATE)


def _check_component(obj):  # type: ignore[no-untyped-def]
    check_component(obj, fields=MANAGE_COMPONENT)
    assert obj["status"] in COMPONENT_STATUSES


@pytest.mark.parametrize("suffix", ["", ".json"])
async def test_every_manage_action_answers_in_the_statuspage_shape(client, base, oauth, suffix):
    admin, lead = oauth["admin"], oauth["comms_lead"]
    # Components: create, list, get, patch, put.
    response = await client.post(
        f"{base}/components{suffix}",
        json={"component": {"name": "API", "description": "Public API", "status": "operational"}},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    api = response.json()
    _check_component(api)
    listed = (await client.get(f"{base}/components{suffix}", headers=lead)).json()
    assert isinstance(listed, list) and [c["id"] for c in listed] == [api["id"]]
    got = (await client.get(f"{base}/components/{api['id']}{suffix}", headers=lead)).json()
    assert got["name"] == "API"
    patched = await client.patch(
        f"{base}/components/{api['id']}{suffix}",
        json={"component": {"status": "degraded_performance"}},
        headers=oauth["responder"],
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["status"] == "degraded_performance"
    put = await client.put(
        f"{base}/components/{api['id']}{suffix}",
        json={"component": {"status": "operational", "name": "Public API"}},
        headers=admin,
    )
    assert put.json()["name"] == "Public API"
    assert put.json()["status"] == "operational"

    # Incidents: create, get, list, unresolved, patch, put, the update, delete.
    response = await client.post(
        f"{base}/incidents{suffix}",
        json={
            "incident": {
                "name": "Elevated API errors",
                "status": "investigating",
                "impact_override": "major",
                "deliver_notifications": True,
                "body": "Looking into it.",
                "components": {api["id"]: "major_outage"},
            }
        },
        headers=lead,
    )
    assert response.status_code == 201, response.text
    created = response.json()
    _check_incident(created)
    assert created["impact"] == "major"
    assert created["components"][0]["status"] == "major_outage"
    [first] = created["incident_updates"]
    assert first["affected_components"] == [
        {
            "code": api["id"],
            "name": "Public API",
            "old_status": "operational",
            "new_status": "major_outage",
        }
    ]
    incident_url = f"{base}/incidents/{created['id']}{suffix}"
    assert (await client.get(incident_url, headers=lead)).json()["id"] == created["id"]
    for path in ("incidents", "incidents/unresolved"):
        listed = (await client.get(f"{base}/{path}{suffix}", headers=lead)).json()
        assert [i["id"] for i in listed] == [created["id"]]
        for item in listed:
            _check_incident(item)
    patched = await client.patch(
        incident_url,
        json={
            "incident": {
                "status": "identified",
                "body": "Found a bad deploy.",
                "components": {api["id"]: "partial_outage"},
            }
        },
        headers=lead,
    )
    assert patched.status_code == 200, patched.text
    _check_incident(patched.json())
    assert [u["status"] for u in patched.json()["incident_updates"]] == [
        "identified",
        "investigating",
    ]
    newest = patched.json()["incident_updates"][0]
    assert newest["affected_components"][0]["old_status"] == "major_outage"
    assert newest["affected_components"][0]["new_status"] == "partial_outage"
    put = await client.put(
        incident_url,
        json={"incident": {"status": "resolved", "body": "Fixed.", "deliver_notifications": True}},
        headers=lead,
    )
    assert put.json()["status"] == "resolved"
    assert put.json()["resolved_at"] is not None
    assert (await client.get(f"{base}/incidents/unresolved{suffix}", headers=lead)).json() == []
    update_id = put.json()["incident_updates"][0]["id"]
    edited = await client.patch(
        f"{base}/incidents/{created['id']}/incident_updates/{update_id}{suffix}",
        json={
            "incident_update": {
                "body": "Fixed: the deploy was rolled back.",
                "wants_twitter_update": False,
            }
        },
        headers=lead,
    )
    assert edited.status_code == 200, edited.text
    check_update(edited.json(), {"resolved"}, fields=MANAGE_UPDATE)
    assert edited.json()["body"] == "Fixed: the deploy was rolled back."
    public = (await client.get("/api/v2/incidents.json")).json()["incidents"]
    assert public[0]["incident_updates"][0]["body"] == "Fixed: the deploy was rolled back."
    deleted = await client.delete(incident_url, headers=lead)
    assert deleted.status_code == 200
    assert deleted.json()["id"] == created["id"]
    assert (await client.get(incident_url, headers=lead)).status_code == 404
    gone = await client.delete(f"{base}/components/{api['id']}{suffix}", headers=admin)
    assert gone.status_code == 204
    assert (await client.get(f"{base}/components{suffix}", headers=lead)).json() == []


@pytest.mark.parametrize("suffix", ["", ".json"])
async def test_maintenance_lists_follow_its_lifecycle(client, base, oauth, suffix):
    lead = oauth["comms_lead"]
    starts = utcnow() + timedelta(days=1)
    response = await client.post(
        f"{base}/incidents{suffix}",
        json={
            "incident": {
                "name": "Database upgrade",
                "status": "scheduled",
                "scheduled_for": starts.isoformat(),
                "scheduled_until": (starts + timedelta(hours=2)).isoformat(),
                "body": "We will upgrade the database.",
                "scheduled_remind_prior": True,
                "auto_tweet_one_hour_before": False,
            }
        },
        headers=lead,
    )
    assert response.status_code == 201, response.text
    maintenance = response.json()
    _check_incident(maintenance, maintenance=True)
    assert maintenance["status"] == "scheduled"

    async def ids(which: str) -> list[str]:
        found = (await client.get(f"{base}/incidents/{which}{suffix}", headers=lead)).json()
        for item in found:
            _check_incident(item, maintenance=True)
        return [i["id"] for i in found]

    assert await ids("upcoming") == [maintenance["id"]]
    assert await ids("scheduled") == [maintenance["id"]]
    assert await ids("active_maintenance") == []
    # An incident status word on a maintenance maps onto the maintenance lifecycle.
    started = await client.patch(
        f"{base}/incidents/{maintenance['id']}{suffix}",
        json={"incident": {"status": "investigating"}},
        headers=lead,
    )
    assert started.json()["status"] == "in_progress"
    assert started.json()["incident_updates"][0]["body"].startswith("Scheduled maintenance is")
    assert await ids("active_maintenance") == [maintenance["id"]]
    assert await ids("upcoming") == []
    done = await client.patch(
        f"{base}/incidents/{maintenance['id']}{suffix}",
        json={"incident": {"status": "resolved"}},
        headers=lead,
    )
    assert done.json()["status"] == "completed"


async def test_rails_form_bodies_set_components_and_notifications(client, base, oauth):
    admin, lead = oauth["admin"], oauth["comms_lead"]
    api = (
        await client.post(f"{base}/components", json={"component": {"name": "API"}}, headers=admin)
    ).json()
    web = (
        await client.post(
            f"{base}/components",
            content=b"component[name]=Web",
            headers={**admin, "Content-Type": "application/x-www-form-urlencoded"},
        )
    ).json()
    assert web["name"] == "Web"
    form = (
        f"incident[name]=DB+down&incident[status]=identified&incident[body]=Database+is+down"
        f"&incident[components][{api['id']}]=major_outage&incident[component_ids][]={web['id']}"
        f"&incident[deliver_notifications]=f&incident[wants_twitter_update]=t"
    )
    response = await client.post(
        f"{base}/incidents.json",
        content=form.encode(),
        headers={**lead, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["name"] == "DB down"
    assert created["status"] == "identified"
    assert {c["id"]: c["status"] for c in created["components"]} == {
        api["id"]: "major_outage",
        web["id"]: "operational",
    }
    assert created["incident_updates"][0]["deliver_notifications"] is False
    patched = await client.patch(
        f"{base}/incidents/{created['id']}",
        content=f"incident[components][{api['id']}]=degraded_performance".encode(),
        headers={**lead, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert patched.status_code == 200, patched.text
    assert {c["id"]: c["status"] for c in patched.json()["components"]}[api["id"]] == (
        "degraded_performance"
    )


async def test_json_bodies_are_read_without_a_content_type_and_unknown_fields_ignored(
    client, base, oauth
):
    response = await client.post(
        f"{base}/incidents",
        content=b'{"incident": {"name": "DB down", "status": "investigating", '
        b'"message": "old clients send this", "wants_twitter_update": "t", '
        b'"metadata": {"jira": {"key": "OPS-1"}}, "body": "Investigating"}, "extra": 1}',
        headers=oauth["comms_lead"],
    )
    assert response.status_code == 201, response.text
    assert response.json()["incident_updates"][0]["body"] == "Investigating"


async def test_words_from_a_responder_key_become_drafts_for_approval(client, base, oauth, keys):
    response = await client.post(
        f"{base}/incidents",
        json={
            "incident": {
                "name": "Slow search",
                "status": "investigating",
                "body": "Search is slow.",
            }
        },
        headers=oauth["responder"],
    )
    assert response.status_code == 201
    incident_id = response.json()["id"]
    ours = (await client.get(f"/api/v1/incidents/{incident_id}", headers=keys["admin"])).json()
    assert [u["state"] for u in ours["updates"]] == ["draft"]
    assert (await client.get("/api/v2/summary.json")).json()["incidents"] == []
    patched = await client.patch(
        f"{base}/incidents/{incident_id}",
        json={"incident": {"status": "resolved", "body": "Fixed."}},
        headers=oauth["responder"],
    )
    assert patched.status_code == 200
    assert patched.json()["status"] == "investigating"  # nothing moves until approved
    ours = (await client.get(f"/api/v1/incidents/{incident_id}", headers=keys["admin"])).json()
    assert [u["state"] for u in ours["updates"]] == ["draft", "draft"]


async def test_a_responder_may_not_change_published_words_or_delete(client, base, oauth):
    created = (
        await client.post(
            f"{base}/incidents",
            json={"incident": {"name": "x", "status": "investigating", "body": "Published."}},
            headers=oauth["comms_lead"],
        )
    ).json()
    update_id = created["incident_updates"][0]["id"]
    response = await client.patch(
        f"{base}/incidents/{created['id']}/incident_updates/{update_id}",
        json={"incident_update": {"body": "Rewritten"}},
        headers=oauth["responder"],
    )
    assert response.status_code == 403
    assert set(response.json()) == {"error", "message"}
    deleting = await client.delete(f"{base}/incidents/{created['id']}", headers=oauth["responder"])
    assert deleting.status_code == 403


async def test_deliver_notifications_false_publishes_without_notifying(client, base, oauth, keys):
    created = (
        await client.post(
            f"{base}/incidents",
            json={
                "incident": {
                    "name": "Quiet",
                    "body": "Small thing.",
                    "deliver_notifications": False,
                }
            },
            headers=oauth["comms_lead"],
        )
    ).json()
    ours = (await client.get(f"/api/v1/incidents/{created['id']}", headers=keys["admin"])).json()
    assert ours["updates"][0]["state"] == "published"
    assert ours["updates"][0]["deliver_notifications"] is False


# request, expected status, a word the message must contain
ERRORS = [
    ("GET", "/v1/pages/nosuchpage12/incidents", None, "responder", 404, "page"),
    ("GET", "{base}/incidents", None, None, 401, "key"),
    ("GET", "{base}/incidents/nosuchthing1.json", None, "responder", 404, "nosuchthing1"),
    (
        "POST",
        "{base}/incidents",
        {"incident": {"name": "x", "status": "exploded"}},
        "comms_lead",
        422,
        "status",
    ),
    (
        "POST",
        "{base}/incidents",
        {"incident": {"status": "investigating"}},
        "comms_lead",
        422,
        "name",
    ),
    (
        "POST",
        "{base}/incidents",
        {"incident": {"name": "x", "components": {"nope": "bad"}}},
        "comms_lead",
        422,
        "components",
    ),
    (
        "POST",
        "{base}/incidents",
        {"incident": {"name": "x", "deliver_notifications": "maybe"}},
        "comms_lead",
        422,
        "deliver_notifications",
    ),
    ("POST", "{base}/components", {"component": {"name": "x"}}, "responder", 403, "admin"),
    (
        "PATCH",
        "{base}/components/nosuchthing1",
        {"component": {"status": "operational"}},
        "responder",
        404,
        "nosuchthing1",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "role", "status", "word"), ERRORS)
async def test_errors_answer_error_and_message_with_the_right_status(
    client, base, oauth, method, path, body, role, status, word
):
    response = await client.request(
        method,
        path.format(base=base),
        json=body,
        headers=oauth[role] if role else {},
    )
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "message"}
    assert word in response.json()["message"]


async def test_broken_json_answers_an_error_object_not_500(client, base, oauth):
    response = await client.post(f"{base}/incidents", content=b"{nope", headers=oauth["comms_lead"])
    assert response.status_code == 422
    assert "JSON" in response.json()["error"]


async def test_problem_json_stays_the_error_shape_of_our_own_api(client):
    response = await client.get("/api/v1/incidents")
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_requests_seen_from_real_clients_are_understood(client, base, oauth):
    """Requests as Statuspage's clients send them: a generated Swagger client, python-requests
    with a `.json` path, a GET that carries a form content type."""
    lead = oauth["comms_lead"]
    api = (
        await client.post(
            f"{base}/components", json={"component": {"name": "API"}}, headers=oauth["admin"]
        )
    ).json()
    first = await client.post(
        f"{base}/incidents",
        json={
            "incident": {
                "name": "Elevated API errors",
                "status": "investigating",
                "impact_override": "major",
                "deliver_notifications": True,
                "body": "Looking into it.",
                "component_ids": [api["id"]],
            }
        },
        headers={
            **lead,
            "Content-Type": "application/json",
            "User-Agent": "Swagger-Codegen/v1.0.0/python",
        },
    )
    assert first.status_code == 201
    second = await client.post(
        f"{base}/incidents",
        json={
            "incident": {
                "name": "x",
                "status": "investigating",
                "deliver_notifications": True,
                "components": {api["id"]: "major_outage"},
            }
        },
        headers=lead,
    )
    assert second.status_code == 201
    assert second.json()["impact"] == "critical"  # from the worst component status
    resolved = await client.patch(
        f"{base}/incidents/{first.json()['id']}",
        json={"incident": {"status": "resolved", "deliver_notifications": True, "body": "Fixed."}},
        headers=lead,
    )
    assert resolved.json()["status"] == "resolved"
    suffixed = await client.post(
        f"{base}/incidents.json",
        json={
            "incident": {
                "name": "DB down",
                "status": "investigating",
                "body": "Investigating",
                "component_ids": [api["id"]],
            }
        },
        headers={**lead, "User-Agent": "python-requests/2.32"},
    )
    assert suffixed.status_code == 201
    gets = await client.get(
        f"{base}/incidents/unresolved",
        headers={**lead, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert {i["id"] for i in gets.json()} == {second.json()["id"], suffixed.json()["id"]}


MANAGE_SUBSCRIBER = {
    "id",
    "skip_confirmation_notification",
    "mode",
    "email",
    "endpoint",
    "phone_number",
    "phone_country",
    "display_phone_number",
    "obfuscated_channel_name",
    "workspace_name",
    "quarantined_at",
    "purge_at",
    "components",
    "page_access_user_id",
    "created_at",
}


@pytest.mark.parametrize("suffix", ["", ".json"])
async def test_subscribers_are_listed_created_read_and_deleted_the_statuspage_way(
    client, base, oauth, suffix
):
    lead = oauth["comms_lead"]
    created = await client.post(
        f"{base}/subscribers{suffix}",
        json={"subscriber": {"email": "Ops@Example.com"}},
        headers=lead,
    )
    assert created.status_code == 201, created.text
    subscriber = created.json()
    assert set(subscriber) == MANAGE_SUBSCRIBER
    assert subscriber["mode"] == "email"
    assert subscriber["email"] == "Ops@example.com"  # the domain is case-insensitive
    listed = (await client.get(f"{base}/subscribers{suffix}", headers=lead)).json()
    assert [s["id"] for s in listed] == [subscriber["id"]]
    fetched = await client.get(f"{base}/subscribers/{subscriber['id']}{suffix}", headers=lead)
    assert fetched.json()["id"] == subscriber["id"]
    deleted = await client.delete(f"{base}/subscribers/{subscriber['id']}{suffix}", headers=lead)
    assert deleted.status_code == 200


async def test_a_subscriber_with_an_endpoint_is_a_webhook_and_form_bodies_work(
    client, base, oauth, settings
):
    lead = oauth["comms_lead"]
    response = await client.post(
        f"{base}/subscribers",
        content=b"subscriber[endpoint]=https%3A%2F%2Fhooks.example.com%2Fstatus"
        b"&subscriber[email]=ops%40example.com",
        headers={**lead, "Content-Type": "application/x-www-form-urlencoded"},
    )
    # example.com does not resolve here; a refusal must be a clear 4xx, never a 500.
    assert response.status_code in (201, 422), response.text
    if response.status_code == 201:
        assert response.json()["mode"] == "webhook"
    else:
        assert response.json()["error"]


async def test_subscriber_requests_without_an_address_or_with_empty_components_are_refused(
    client, base, oauth
):
    lead = oauth["comms_lead"]
    nothing = await client.post(f"{base}/subscribers", json={"subscriber": {}}, headers=lead)
    assert nothing.status_code == 422
    assert "subscriber[email]" in nothing.json()["message"]
    empty = await client.post(
        f"{base}/subscribers",
        json={"subscriber": {"email": "a@example.com", "component_ids": []}},
        headers=lead,
    )
    assert empty.status_code == 422
    responder = await client.get(f"{base}/subscribers", headers=oauth["responder"])
    assert responder.status_code == 403
