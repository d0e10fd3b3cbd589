"""Drafting on the desk never loses work: one form carries the template, the reader, the
status and the words, so every button sends what is on the screen."""

from __future__ import annotations

import re

from app.delivery.messages import update_email_preview
from app.incidents.models import Incident, Update
from tests.support import factories
from tests.support.desk import HTML, csrf, sign_in, text_of


async def _incident_with_acme(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme Logistics", [api["id"]])
    incident = await factories.incident(
        client,
        keys["responder"],
        "API errors",
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    return incident, acme


async def _template(client, keys, body="We are looking into API errors. Sorry."):
    created = await client.post(
        "/api/v1/templates",
        json={
            "name": "Investigating",
            "status": "investigating",
            "body": body,
            "subject": "Template subject, never sent",
        },
        headers=keys["comms_lead"],
    )
    assert created.status_code == 201, created.text
    return created.json()


async def _draft_ids(client, keys, incident_id):
    drafts = await client.get(f"/api/v1/incidents/{incident_id}/drafts", headers=keys["admin"])
    return [d["update"] for d in drafts.json()]


async def test_only_acme_logistics_gives_a_draft_for_acme_only(client, users, keys):
    incident, acme = await _incident_with_acme(client, keys)
    await sign_in(client, "rita")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    form = re.search(r'<form[^>]*action="[^"]*/drafts".*?</form>', page.text, re.S).group(0)
    assert '<select id="for-customer" name="customer">' in form  # chosen where it is sent
    saved = await client.post(
        f"/admin/incidents/{incident['id']}/drafts",
        data={
            "_csrf": csrf(page.text),
            "customer": acme["id"],
            "status": "investigating",
            "body": "Acme's deliveries are delayed. Sorry. Next update within the hour.",
            "then": "save",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code in (302, 303), saved.text
    [draft] = await _draft_ids(client, keys, incident["id"])
    assert draft["customer_id"] == acme["id"]


async def test_words_typed_and_submitted_without_saving_reach_the_queue(client, users, keys):
    incident, _acme = await _incident_with_acme(client, keys)
    await sign_in(client, "rita")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    await client.post(
        f"/admin/incidents/{incident['id']}/drafts",
        data={
            "_csrf": csrf(page.text),
            "status": "investigating",
            "body": "Old words. Sorry.",
            "then": "save",
        },
        headers=HTML,
    )
    [draft] = await _draft_ids(client, keys, incident["id"])
    draft_page = await client.get(f"/admin/updates/{draft['id']}")
    typed = "New words typed after saving: the API fails for some. Sorry, next update 15:00."
    submitted = await client.post(
        f"/admin/updates/{draft['id']}/submit",
        data={"_csrf": csrf(draft_page.text), "body": typed},
        headers=HTML,
    )
    assert submitted.status_code == 200, submitted.text
    queue = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert [item["update"]["body"] for item in queue] == [typed]


async def test_submitting_from_the_incident_page_sends_what_was_typed(client, users, keys):
    incident, _acme = await _incident_with_acme(client, keys)
    await sign_in(client, "rita")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    typed = "The API fails for some. Sorry, next update 15:00."
    await client.post(
        f"/admin/incidents/{incident['id']}/drafts",
        data={"_csrf": csrf(page.text), "status": "investigating", "body": typed, "then": "submit"},
        headers=HTML,
    )
    queue = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert [item["update"]["body"] for item in queue] == [typed]


async def test_choosing_a_template_keeps_typed_words_until_asked_to_replace_them(
    client, users, keys
):
    incident, _acme = await _incident_with_acme(client, keys)
    template = await _template(client, keys)
    await sign_in(client, "rita")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    form = {
        "_csrf": csrf(page.text),
        "template_id": template["id"],
        "status": "investigating",
        "body": "My own careful words.",
    }
    kept = await client.post(f"/admin/incidents/{incident['id']}/compose", data=form)
    assert kept.status_code == 200, kept.text
    assert "My own careful words.</textarea>" in kept.text
    assert "Your words are kept" in text_of(kept)
    replaced = await client.post(
        f"/admin/incidents/{incident['id']}/compose", data={**form, "replace": "1"}
    )
    assert "We are looking into API errors. Sorry.</textarea>" in replaced.text
    assert "My own careful words." not in replaced.text


async def test_the_subject_preview_is_the_subject_the_email_is_sent_with(
    client, app, settings, users, keys, sessionmaker
):
    incident, _acme = await _incident_with_acme(client, keys)
    template = await _template(client, keys)
    await sign_in(client, "rita")
    page = await client.get(
        f"/admin/incidents/{incident['id']}", params={"template": template["id"]}
    )
    shown = re.search(r'<span id="email-subject">([^<]*)</span>', page.text)
    assert shown, page.text
    async with sessionmaker() as session:
        row = await session.get(Incident, incident["id"])
        sample = Update(incident_id=row.id, status="investigating", body="x")
        sent_subject, _ = update_email_preview(app.state.renderer, settings)(row, sample, None)
    assert shown.group(1) == sent_subject.replace("&", "&amp;")
    assert "Template subject, never sent" not in page.text


async def test_the_desk_tab_title_is_plain_words(client, users):
    await sign_in(client, "lead")
    page = await client.get("/admin/")
    title = re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)
    assert "<" not in title and title.startswith("Desk ·")
