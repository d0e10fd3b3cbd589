"""Who may let words out is checked by the verbs themselves, whatever the entry point: the
service called directly, the JSON API, the desk and the Statuspage Manage API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.actor import Actor
from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.comms.review import publishing
from app.comms.review.policy_store import set_policy
from app.incidents import service as incidents
from app.lib.errors import PermissionDenied
from app.settings import page_id_for
from tests.support import factories

RITA = Actor(name="key:test-responder", role=Role.RESPONDER, id="key:rita")
SAM = Actor(name="sam", role=Role.RESPONDER, id="user:sam")
ROOT = Actor(name="root", role=Role.ADMIN, id="user:root")


async def _draft(client, keys) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """An open public incident and a responder's draft on it, through the API."""
    incident = await factories.incident(client, keys["responder"], "Checkout errors")
    draft = await factories._post(
        client,
        f"/api/v1/incidents/{incident['id']}/drafts",
        keys["responder"],
        {"body": "Some payments fail; we're looking into it."},
    )
    return incident, draft["update"]


async def test_the_publish_verb_refuses_a_responder_whoever_calls_it(client, keys, sessionmaker):
    _incident, draft = await _draft(client, keys)
    async with sessionmaker() as session:
        update = await incidents.get_update(session, draft["id"])
        with pytest.raises(PermissionDenied, match="comms_lead"):
            await publishing.publish_update(session, actor=RITA, update=update)
        await session.rollback()
    async with sessionmaker() as session:
        assert (await incidents.get_update(session, draft["id"])).state == "draft"
        published = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "update.publish")
        )
        assert list(published) == []


async def test_a_waived_review_lets_an_author_publish_only_their_own_words(
    client, keys, sessionmaker
):
    _incident, draft = await _draft(client, keys)
    async with sessionmaker() as session:
        await set_policy(session, actor=ROOT, require_approval=False)
        update = await incidents.get_update(session, draft["id"])
        with pytest.raises(PermissionDenied):
            await publishing.publish_update(session, actor=SAM, update=update)
        # The `keys` responder, who wrote the draft: the same identity, not the same name.
        author = Actor(name=RITA.name, role=RITA.role, id=update.author_id or "")
        await publishing.publish_update(session, actor=author, update=update, waiver="test")
        assert update.state == "published"
        await session.rollback()


async def test_the_json_api_refuses_a_responder_publishing_or_approving(client, keys):
    incident, draft = await _draft(client, keys)
    direct = await client.post(
        f"/api/v1/incidents/{incident['id']}/updates",
        json={"status": "investigating", "body": "Out it goes.", "publish": True},
        headers=keys["responder"],
    )
    assert direct.status_code == 403
    submitted = await client.post(
        f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"]
    )
    assert submitted.status_code == 200
    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", headers=keys["responder"]
    )
    assert approved.status_code == 403
    timeline = await client.get(
        f"/api/v1/incidents/{incident['id']}/updates", headers=keys["responder"]
    )
    assert {u["state"] for u in timeline.json()} == {"submitted"}


async def test_the_desk_refuses_a_responder_approving(client, keys, desk_sign_in):
    _incident, draft = await _draft(client, keys)
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    csrf = await desk_sign_in("rita", Role.RESPONDER)
    response = await client.post(
        f"/admin/updates/{draft['id']}/approve", data={"_csrf": csrf}, follow_redirects=False
    )
    assert response.status_code == 403
    after = await client.get(f"/api/v1/updates/{draft['id']}", headers=keys["comms_lead"])
    assert after.json()["update"]["state"] == "submitted"


async def test_a_responder_may_not_change_who_reads_published_words(client, keys):
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    incident = await factories.incident(client, keys["responder"], "Checkout errors")
    path = f"/api/v1/incidents/{incident['id']}"
    before = await client.patch(path, json={"impact": "major"}, headers=keys["responder"])
    assert before.status_code == 200  # nothing is out yet: the facts are the team's
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    for change in ({"visibility": "internal"}, {"customers": [acme["id"]]}, {"title": "New"}):
        refused = await client.patch(path, json=change, headers=keys["responder"])
        assert refused.status_code == 403, change
        assert refused.json()["field"] == next(iter(change))
    impact = await client.patch(path, json={"impact": "minor"}, headers=keys["responder"])
    assert impact.status_code == 200  # how bad it is stays the responders' to say
    lead = await client.patch(path, json={"visibility": "internal"}, headers=keys["comms_lead"])
    assert lead.status_code == 200


async def test_the_manage_api_applies_the_same_rules_to_drafts_and_published_incidents(
    client, keys, settings
):
    base = f"/v1/pages/{page_id_for(settings)}"
    oauth = {
        role: {"Authorization": "OAuth " + h["Authorization"].split(" ", 1)[1]}
        for role, h in keys.items()
    }
    incident, draft = await _draft(client, keys)
    other = await client.patch(
        f"{base}/incidents/{incident['id']}/incident_updates/{draft['id']}",
        json={"incident_update": {"body": "Rewritten by someone else"}},
        headers=await _other_responder(client, keys),
    )
    assert other.status_code == 403
    own = await client.patch(
        f"{base}/incidents/{incident['id']}/incident_updates/{draft['id']}",
        json={"incident_update": {"body": "Rewritten by its author"}},
        headers=oauth["responder"],
    )
    assert own.status_code == 200, own.text
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    renamed = await client.patch(
        f"{base}/incidents/{incident['id']}",
        json={"incident": {"name": "Quietly renamed"}},
        headers=oauth["responder"],
    )
    assert renamed.status_code == 403


async def _other_responder(client, keys) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A second responder key, as a Statuspage client sends it."""
    created = await client.post(
        "/api/v1/api-keys", json={"name": "sam", "role": "responder"}, headers=keys["admin"]
    )
    assert created.status_code == 201, created.text
    return {"Authorization": "OAuth " + created.json()["key"]}
