"""On the desk a refused save never loses what was typed: the page comes back with the
refusal's 4xx, its message, and the words on the form as they were sent. A draft its reader
may not change is shown read-only with "copy into my draft"."""

from __future__ import annotations

import html
import re

from tests.support import factories
from tests.support.desk import HTML, csrf, sign_in

TYPED = "API errors since 14:00, sorry. Next update within the hour.\n\n[Say who is affected.]"


def _textarea(page: str, name: str = "body") -> str:
    """The words in the first editable textarea called `name`, as the browser shows them."""
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name!r} on the page"
    return html.unescape(match.group(1))


async def _incident(client, keys):  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    return await factories.incident(
        client,
        keys["responder"],
        "API errors",
        components=[{"id": api["id"], "status": "partial_outage"}],
    )


async def _draft(client, headers, incident_id, body="API errors, sorry. Next update at 15:00."):  # type: ignore[no-untyped-def]
    created = await client.post(
        f"/api/v1/incidents/{incident_id}/drafts",
        json={"status": "investigating", "body": body},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    return created.json()["update"]


async def test_a_refused_submit_keeps_the_typed_words_and_quotes_the_line_to_fix(
    client, keys, users
):
    incident = await _incident(client, keys)
    await sign_in(client, "lead")
    draft = await _draft(client, keys["comms_lead"], incident["id"])
    page = await client.get(f"/admin/updates/{draft['id']}")
    refused = await client.post(
        f"/admin/updates/{draft['id']}/submit",
        data={"_csrf": csrf(page.text), "status": "identified", "body": TYPED},
        headers=HTML,
    )
    assert refused.status_code == 422
    assert _textarea(refused.text) == TYPED
    assert '<option value="identified" selected>' in refused.text
    shown = html.unescape(refused.text)
    assert "line 3 still holds a template's placeholder: “[Say who is affected.]”" in shown
    stored = await client.get(f"/api/v1/updates/{draft['id']}", headers=keys["comms_lead"])
    assert stored.json()["update"]["state"] == "draft"  # nothing of the refused save is kept
    assert stored.json()["update"]["body"] == draft["body"]


async def test_a_save_refused_as_a_conflict_keeps_the_typed_words(client, keys, users):
    incident = await _incident(client, keys)
    await sign_in(client, "lead")
    draft = await _draft(client, keys["comms_lead"], incident["id"])
    page = await client.get(f"/admin/updates/{draft['id']}")
    # Meanwhile the draft went into the queue from another tab.
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["comms_lead"])
    refused = await client.post(
        f"/admin/updates/{draft['id']}/edit",
        data={"_csrf": csrf(page.text), "status": "investigating", "body": "Better words."},
        headers=HTML,
    )
    assert refused.status_code == 409
    assert "Better words." in html.unescape(refused.text)
    assert "a submitted update cannot be edited" in html.unescape(refused.text)


async def test_a_new_draft_refused_on_submit_stays_on_the_incident_form(client, keys, users):
    incident = await _incident(client, keys)
    await sign_in(client, "rita")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    refused = await client.post(
        f"/admin/incidents/{incident['id']}/drafts",
        data={"_csrf": csrf(page.text), "status": "investigating", "body": TYPED, "then": "submit"},
        headers=HTML,
    )
    assert refused.status_code == 422
    assert _textarea(refused.text) == TYPED
    assert "still holds a template's placeholder" in html.unescape(refused.text)
    drafts = await client.get(
        f"/api/v1/incidents/{incident['id']}/drafts", headers=keys["comms_lead"]
    )
    assert drafts.json() == []  # refused as a whole: no half-made draft either


async def test_an_approval_refused_keeps_the_reviewers_edit_on_the_queue_card(client, keys, users):
    incident = await _incident(client, keys)
    draft = await _draft(client, keys["responder"], incident["id"])
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    await sign_in(client, "lead")
    queue = await client.get("/admin/queue")
    edited = draft["body"] + "\n\n### What we are changing\n"
    refused = await client.post(
        f"/admin/updates/{draft['id']}/approve",
        data={"_csrf": csrf(queue.text), "body": edited},
        headers=HTML,
    )
    assert refused.status_code == 422
    assert _textarea(refused.text).strip() == edited.strip()
    assert "a heading with nothing under it: “### What we are changing”" in html.unescape(
        refused.text
    )


async def test_another_writers_draft_is_read_only_with_copy_into_my_draft(client, keys, users):
    incident = await _incident(client, keys)
    theirs = await _draft(client, keys["responder"], incident["id"])
    await sign_in(client, "rita")
    page = await client.get(f"/admin/updates/{theirs['id']}")
    assert page.status_code == 200
    assert f'action="/admin/updates/{theirs["id"]}/edit"' not in page.text
    assert re.search(r"<textarea[^>]*readonly[^>]*>", page.text)
    assert "only they or a comms lead may change these words" in html.unescape(page.text)
    assert ">Copy into my draft</button>" in page.text

    copied = await client.post(
        f"/admin/updates/{theirs['id']}/copy",
        data={"_csrf": csrf(page.text)},
        follow_redirects=False,
    )
    assert copied.status_code == 303
    mine_url = copied.headers["location"].split("?")[0]
    mine = await client.get(mine_url)
    assert _textarea(mine.text) == theirs["body"]
    mine_id = mine_url.rsplit("/", 1)[1]
    assert mine_id != theirs["id"]
    saved = await client.post(
        f"/admin/updates/{mine_id}/edit",
        data={"_csrf": csrf(mine.text), "status": "investigating", "body": "My own words now."},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and "error" not in saved.headers["location"]
    original = await client.get(f"/api/v1/updates/{theirs['id']}", headers=keys["responder"])
    assert original.json()["update"]["body"] == theirs["body"]  # theirs is untouched


async def test_a_comms_lead_may_change_anyones_draft_so_sees_the_form(client, keys, users):
    incident = await _incident(client, keys)
    theirs = await _draft(client, keys["responder"], incident["id"])
    await sign_in(client, "lead")
    page = await client.get(f"/admin/updates/{theirs['id']}")
    assert f'action="/admin/updates/{theirs["id"]}/edit"' in page.text
    assert "Copy into my draft" not in page.text


async def test_a_retired_draft_shows_why_read_only_and_can_be_copied(client, keys, users):
    api = await factories.component(client, keys["admin"], "API")
    declared = await client.post(
        "/api/v1/declarations",
        json={"title": "API errors", "components": [{"id": api["id"], "status": "major_outage"}]},
        headers=keys["responder"],
    )
    first = declared.json()["draft"]["update"]
    await factories.publish(
        client, keys["comms_lead"], declared.json()["incident_id"], "API is down, sorry."
    )
    await sign_in(client, "lead")
    page = await client.get(f"/admin/updates/{first['id']}")
    shown = html.unescape(page.text)
    assert "Retired: other words for this moment were published first" in shown
    assert f'action="/admin/updates/{first["id"]}/edit"' not in page.text
    assert ">Copy into my draft</button>" in page.text
    incident_page = await client.get(f"/admin/incidents/{declared.json()['incident_id']}")
    assert "Retired: other words for this moment" in html.unescape(incident_page.text)


async def test_the_live_check_names_an_unfinished_line_while_it_is_typed(client, keys, users):
    incident = await _incident(client, keys)
    await sign_in(client, "rita")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    checked = await client.post(
        f"/admin/incidents/{incident['id']}/preview",
        json={"body": TYPED, "status": "investigating"},
        headers={"X-CSRF-Token": csrf(page.text)},
    )
    assert checked.status_code == 200, checked.text
    first = checked.json()["findings"][0]
    assert first["rule"] == "unfinished" and first["blocking"] is True
    assert "line 3 still holds a template's placeholder" in first["message"]
