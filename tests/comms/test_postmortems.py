"""Postmortems: the written follow-up of a resolved incident, drafted from the postmortem
template, approved like any update, shown to those who may see the incident, and sent to its
subscribers when the writer chooses."""

from __future__ import annotations

import re

import feedparser
import pytest

from app.comms.wording.defaults import TEMPLATES
from tests.support import factories
from tests.support.delivery import drain
from tests.support.desk import HTML, csrf, sign_in, text_of

pytestmark = pytest.mark.settings(worker_concurrency=2)

WRITTEN = (
    "### What happened\n\nA bad configuration stopped exports for the API.\n\n"
    "### Impact\n\nExports for Acme waited up to 40 minutes.\n\n"
    "### What we are changing\n\n- Configuration changes roll out to one region first."
)


async def _postmortem_template(client, keys):  # type: ignore[no-untyped-def]
    name, status, subject, body, notes = next(t for t in TEMPLATES if t[1] == "postmortem")
    response = await client.post(
        "/api/v1/templates",
        json={"name": name, "status": status, "subject": subject, "body": body, "notes": notes},
        headers=keys["comms_lead"],
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _resolved(client, keys, *, visibility="public"):  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    await factories.contact(client, keys["comms_lead"], "ops@acme.test", customer=acme["id"])
    await factories.contact(client, keys["comms_lead"], "everyone@example.org")
    incident = await factories.incident(
        client,
        keys["responder"],
        "Exports delayed",
        impact="major",
        visibility=visibility,
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Exports are slow.")
    await factories.publish(
        client, keys["comms_lead"], incident["id"], "Exports work again.", "resolved"
    )
    token = (await client.get(f"/api/v1/customers/{acme['id']}", headers=keys["admin"])).json()
    return incident, acme, token["page_url"]


async def _approved_postmortem(client, keys, incident_id, **fields):  # type: ignore[no-untyped-def]
    created = await client.post(
        f"/api/v1/incidents/{incident_id}/drafts",
        json={"status": "postmortem", "body": WRITTEN, **fields},
        headers=keys["responder"],
    )
    assert created.status_code == 201, created.text
    draft = created.json()["update"]
    submitted = await client.post(
        f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"]
    )
    assert submitted.json()["state"] == "submitted", submitted.text
    queue = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert draft["id"] in [item["update"]["id"] for item in queue]
    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", headers=keys["comms_lead"]
    )
    assert approved.status_code == 200, approved.text
    return approved.json()


async def test_the_postmortem_template_drafts_the_three_parts_from_the_incident(client, keys):
    incident, _acme, _url = await _resolved(client, keys)
    template = await _postmortem_template(client, keys)
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"template_id": template["id"]},
        headers=keys["responder"],
    )
    assert created.status_code == 201, created.text
    draft = created.json()["update"]
    assert draft["status"] == "postmortem"
    assert draft["state"] == "draft"
    for heading in ("### What happened", "### Impact", "### What we are changing"):
        assert heading in draft["body"]
    assert "API stopped working" in draft["body"]
    assert "sorry" in draft["body"]  # a major incident
    assert draft["next_update_at"] is None  # nothing more is promised after a postmortem


async def test_a_postmortem_waits_until_the_incident_is_resolved(client, keys):
    incident = await factories.incident(client, keys["responder"], "Still broken")
    response = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"status": "postmortem", "body": WRITTEN},
        headers=keys["responder"],
    )
    assert response.status_code in (409, 422), response.text
    assert "postmortem follows a resolved incident" in response.json()["detail"]


async def test_a_responder_cannot_publish_a_postmortem_without_approval(client, keys):
    incident, _acme, _url = await _resolved(client, keys)
    response = await client.post(
        f"/api/v1/incidents/{incident['id']}/updates",
        json={"status": "postmortem", "body": WRITTEN, "publish": True},
        headers=keys["responder"],
    )
    assert response.status_code == 403, response.text
    page = await client.get(f"/incidents/{incident['id']}")
    assert "What we are changing" not in page.text


async def test_an_approved_postmortem_shows_on_the_page_in_the_feeds_and_as_statuspage_postmortem(
    client, keys
):
    incident, _acme, _url = await _resolved(client, keys)
    published = await _approved_postmortem(client, keys, incident["id"])
    assert published["state"] == "published"

    page = await client.get(f"/incidents/{incident['id']}")
    assert page.status_code == 200
    seen = text_of(page)
    assert "Postmortem" in seen
    assert "Configuration changes roll out to one region first." in seen
    assert seen.index("Postmortem") < seen.index("Exports work again.")
    assert "<h3>What we are changing</h3>" in page.text  # its parts under its own heading

    listed = (await client.get("/api/v2/incidents.json")).json()["incidents"]
    shown = next(i for i in listed if i["id"] == incident["id"])
    assert shown["status"] == "postmortem"
    assert shown["postmortem_body"] == WRITTEN
    assert shown["postmortem_published_at"].endswith("Z")
    assert [u["status"] for u in shown["incident_updates"]] == ["resolved", "investigating"]

    managed = await client.get(f"/api/v1/incidents/{incident['id']}", headers=keys["comms_lead"])
    assert managed.status_code == 200

    feed = feedparser.parse((await client.get("/history.atom")).content)
    entry = next(e for e in feed.entries if e.title == "Exports delayed")
    assert "Postmortem" in entry.content[0].value
    assert "one region first" in entry.content[0].value

    # The incident stays resolved: nothing more is promised, nothing reopens.
    incident_now = (
        await client.get(f"/api/v1/incidents/{incident['id']}", headers=keys["comms_lead"])
    ).json()
    assert incident_now["status"] == "resolved"
    assert incident_now["next_update_at"] is None


async def test_a_second_postmortem_for_the_same_readers_is_refused(client, keys):
    incident, _acme, _url = await _resolved(client, keys)
    await _approved_postmortem(client, keys, incident["id"])
    again = await client.post(
        f"/api/v1/incidents/{incident['id']}/updates",
        json={"status": "postmortem", "body": "Another one.", "publish": True},
        headers=keys["comms_lead"],
    )
    assert again.status_code == 409, again.text
    assert "already has a published postmortem" in again.json()["detail"]


async def test_a_customer_only_postmortem_is_seen_and_received_only_by_that_customer(
    client, keys, smtp, worker
):
    incident, _acme, customer_url = await _resolved(client, keys, visibility="customers")
    await drain(worker)
    before = len(smtp.messages)
    await _approved_postmortem(client, keys, incident["id"])
    await drain(worker)

    sent = smtp.messages[before:]
    assert [m["To"] for m in sent] == ["ops@acme.test"]
    assert "Postmortem" in sent[0]["Subject"]
    assert "one region first" in sent[0].get_body(("plain",)).get_content()

    assert (await client.get(f"/incidents/{incident['id']}")).status_code == 404
    listed = (await client.get("/api/v2/incidents.json")).json()["incidents"]
    assert incident["id"] not in [i["id"] for i in listed]
    public_feed = (await client.get("/history.atom")).text
    assert "one region first" not in public_feed

    prefix = customer_url.rstrip("/")
    theirs = await client.get(f"{prefix}/incidents/{incident['id']}")
    assert theirs.status_code == 200
    assert "one region first" in text_of(theirs)
    their_api = (await client.get(f"{prefix}/api/v2/incidents.json")).json()["incidents"]
    assert next(i for i in their_api if i["id"] == incident["id"])["status"] == "postmortem"


async def test_a_postmortem_reaches_page_subscribers_but_not_those_who_followed_until_resolved(
    client, keys, smtp, worker
):
    incident = await factories.incident(
        client, keys["comms_lead"], "Slow API", body="Looking.", publish=True
    )
    await factories.contact(client, keys["comms_lead"], "page@example.org")
    await client.post(f"/incidents/{incident['id']}/follow", data={"email": "watcher@example.org"})
    await drain(worker)
    (confirmation,) = smtp.to("watcher@example.org")
    link = re.search(
        r"http://status\.example\.test/\S+", confirmation.get_body(("plain",)).get_content()
    )
    assert link and (await client.post(link.group(0))).status_code == 200
    await factories.publish(client, keys["comms_lead"], incident["id"], "Fixed.", "resolved")
    await drain(worker)
    await _approved_postmortem(client, keys, incident["id"])
    await drain(worker)
    # The follower was told "until it is resolved, then stop".
    assert [m["Subject"] for m in smtp.to("watcher@example.org")][1:] == [
        "[Example] Resolved: Slow API"
    ]
    assert [m["Subject"] for m in smtp.to("page@example.org")][
        -1
    ] == "[Example] Postmortem: Slow API"


async def test_a_postmortem_published_without_notifying_sends_nothing(client, keys, smtp, worker):
    incident, _acme, _url = await _resolved(client, keys)
    await drain(worker)
    before = len(smtp.messages)
    await _approved_postmortem(client, keys, incident["id"], deliver_notifications=False)
    await drain(worker)
    assert smtp.messages[before:] == []
    page = await client.get(f"/incidents/{incident['id']}")
    assert "one region first" in text_of(page)


async def test_the_desk_offers_the_postmortem_once_an_incident_is_resolved(client, keys, users):
    incident, _acme, _url = await _resolved(client, keys)
    template = await _postmortem_template(client, keys)
    await sign_in(client, "rita")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    assert "write the postmortem" in text_of(page)
    drafting = await client.get(
        f"/admin/incidents/{incident['id']}?template={template['id']}&status=postmortem"
    )
    assert "### What happened" in drafting.text
    assert "Also send it to the incident's subscribers" in text_of(drafting)
    saved = await client.post(
        f"/admin/incidents/{incident['id']}/drafts",
        data={
            "_csrf": csrf(drafting.text),
            "template_id": template["id"],
            "status": "postmortem",
            "body": WRITTEN,
            "notify_shown": "1",
            "then": "submit",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    queue = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    (item,) = queue
    assert item["update"]["status"] == "postmortem"
    assert item["update"]["deliver_notifications"] is False
