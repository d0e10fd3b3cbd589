"""The next-update promise is chosen where words are written and where they are approved:
"in 15 min / 30 min / 1 h / 4 h / at a time", defaulting from the incident's impact (a
maintenance in progress: its window's end). What the approver chooses is published, counted
from publication, and the approval still binds who the words reach."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from app.incidents.models import Incident
from app.incidents.timing import Promise, default_next_update_at, default_promise
from app.lib.clock import as_utc, utcnow
from tests.support import factories
from tests.support.desk import csrf, sign_in, text_of

NOW = datetime(2026, 12, 7, 3, 23, tzinfo=UTC)


def test_the_default_promise_is_sooner_the_bigger_the_impact():
    minutes = {
        impact: default_promise(Incident(impact=impact, status="investigating"), NOW).minutes
        for impact in ("critical", "major", "minor", "none")
    }
    assert minutes == {"critical": 30, "major": 30, "minor": 60, "none": 240}


def test_a_maintenance_in_progress_promises_news_at_its_window_end_and_a_scheduled_one_none():
    end = NOW + timedelta(hours=3)
    running = Incident(
        kind="maintenance", impact="minor", status="in_progress", scheduled_until=end
    )
    assert default_promise(running, NOW) == Promise(at=end)
    assert default_next_update_at(running, NOW) == end
    overrun = Incident(
        kind="maintenance", impact="minor", status="in_progress", scheduled_until=NOW
    )
    assert default_promise(overrun, NOW) == Promise(minutes=60)
    scheduled = Incident(kind="maintenance", impact="minor", status="scheduled")
    assert default_next_update_at(scheduled, NOW) is None


def _due_in(update: dict) -> timedelta:  # type: ignore[type-arg]
    return as_utc(datetime.fromisoformat(update["next_update_at"])) - utcnow()


async def _submitted(client, keys, incident_id, **fields):  # type: ignore[no-untyped-def]
    created = await client.post(
        f"/api/v1/incidents/{incident_id}/drafts",
        json={"body": "Checkout fails for some; we are on it.", **fields},
        headers=keys["responder"],
    )
    assert created.status_code == 201, created.text
    draft_id = created.json()["update"]["id"]
    submitted = await client.post(f"/api/v1/updates/{draft_id}/submit", headers=keys["responder"])
    assert submitted.status_code == 200, submitted.text
    return created.json()["update"]


async def test_a_promise_in_minutes_counts_from_publication_not_from_the_drafting(
    client, keys, clock
):
    incident = await factories.incident(client, keys["responder"], "Checkout errors")
    draft = await _submitted(client, keys, incident["id"], next_update_in_minutes=240)
    assert draft["promise_minutes"] == 240 and draft["next_update_at"] is None
    clock.advance(minutes=50)  # a slow approval
    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", headers=keys["comms_lead"]
    )
    assert approved.status_code == 200, approved.text
    assert timedelta(minutes=239) < _due_in(approved.json()) <= timedelta(minutes=240)


async def test_a_draft_s_promise_can_be_changed_alone_over_the_api(client, keys):
    incident = await factories.incident(client, keys["responder"], "Checkout errors")
    created = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "Checkout fails for some; we are on it."},
        headers=keys["responder"],
    )
    draft_id = created.json()["update"]["id"]
    edited = await client.patch(
        f"/api/v1/updates/{draft_id}",
        json={"next_update_in_minutes": 30},
        headers=keys["responder"],
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["promise_minutes"] == 30
    assert edited.json()["body"] == "Checkout fails for some; we are on it."


async def test_what_the_approver_chooses_over_the_api_is_what_is_published(client, keys):
    incident = await factories.incident(client, keys["responder"], "Checkout errors")
    draft = await _submitted(client, keys, incident["id"], next_update_in_minutes=240)
    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve",
        json={"next_update_in_minutes": 15},
        headers=keys["comms_lead"],
    )
    assert approved.status_code == 200, approved.text
    assert timedelta(minutes=14) < _due_in(approved.json()) <= timedelta(minutes=15)
    got = (
        await client.get(f"/api/v1/incidents/{incident['id']}", headers=keys["responder"])
    ).json()
    assert got["next_update_at"] == approved.json()["next_update_at"]


async def test_a_promise_out_of_range_or_given_twice_is_refused_with_the_reason(client, keys):
    incident = await factories.incident(client, keys["responder"], "Checkout errors")
    too_soon = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "Looking.", "next_update_in_minutes": 1},
        headers=keys["responder"],
    )
    assert too_soon.status_code == 422
    assert "next_update_in_minutes must be between 5 and 1440" in too_soon.text
    draft = await _submitted(client, keys, incident["id"])
    both = await client.post(
        f"/api/v1/updates/{draft['id']}/approve",
        json={
            "next_update_in_minutes": 30,
            "next_update_at": (utcnow() + timedelta(hours=1)).isoformat(),
        },
        headers=keys["comms_lead"],
    )
    assert both.status_code == 422 and "not both" in both.text
    past = await client.post(
        f"/api/v1/updates/{draft['id']}/approve",
        json={"next_update_at": (utcnow() - timedelta(minutes=1)).isoformat()},
        headers=keys["comms_lead"],
    )
    assert past.status_code == 422 and "must be in the future" in past.text


async def test_a_chosen_promise_does_not_loosen_the_approval_binding(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    incident = await factories.incident(
        client, keys["responder"], "API errors", components=[{"id": api["id"]}]
    )
    draft = await _submitted(client, keys, incident["id"])
    moved = await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"visibility": "customers"},
        headers=keys["comms_lead"],
    )
    assert moved.status_code == 200, moved.text
    refused = await client.post(
        f"/api/v1/updates/{draft['id']}/approve",
        json={"next_update_in_minutes": 15},
        headers=keys["comms_lead"],
    )
    assert refused.status_code == 409
    assert "look again" in refused.text


def _selected(page: str, select_id: str) -> str:
    select = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select #{select_id}"
    chosen = re.search(r'<option value="([^"]*)" selected>([^<]*)<', select.group(1))
    assert chosen, "nothing selected"
    return chosen.group(2)


async def test_the_queue_card_offers_the_promise_defaulting_from_impact_and_publishes_the_choice(
    client, keys, users
):
    incident = await factories.incident(
        client, keys["responder"], "Checkout down", impact="critical"
    )
    draft = await _submitted(client, keys, incident["id"])
    await sign_in(client, "lead")
    queue = await client.get("/admin/queue")
    assert _selected(queue.text, f"promise-{draft['id']}") == ("Update in 30 min (default)")
    approved = await client.post(
        f"/admin/updates/{draft['id']}/approve",
        data={"_csrf": csrf(queue.text), "promise": "at", "promise_at": "23:59"},
        follow_redirects=False,
    )
    assert approved.status_code == 303 and "error" not in approved.headers["location"]
    got = (
        await client.get(f"/api/v1/incidents/{incident['id']}", headers=keys["responder"])
    ).json()
    due = as_utc(datetime.fromisoformat(got["next_update_at"]))
    assert (due.hour, due.minute) == (23, 59)  # the desk's zone is UTC here
    assert timedelta(0) < due - utcnow() <= timedelta(days=1)


async def test_the_draft_form_and_the_declare_form_carry_the_chosen_promise(client, keys, users):
    incident = await factories.incident(client, keys["responder"], "Search slow", impact="minor")
    await sign_in(client, "rita")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    assert _selected(page.text, "promise") == "Update in 1 h (default)"
    created = await client.post(
        f"/admin/incidents/{incident['id']}/drafts",
        data={
            "_csrf": csrf(page.text),
            "status": "investigating",
            "body": "Search is slow; we are looking.",
            "promise": "15",
            "then": "save",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    draft_page = await client.get(created.headers["location"].split("?")[0])
    assert _selected(draft_page.text, "promise") == "Update in 15 min"

    await sign_in(client, "lead")
    form = await client.get("/admin/declare")
    assert _selected(form.text, "promise").startswith("Update as the impact says")
    declared = await client.post(
        "/admin/declare",
        data={
            "_csrf": csrf(form.text),
            "title": "Logins fail",
            "impact": "major",
            "visibility": "public",
            "body": "Logins fail; we are on it.",
            "promise": "at",
            "promise_at": "",
            "then": "draft",
        },
    )
    assert declared.status_code == 422
    assert "give the time of the next update" in text_of(declared)
    assert 'value="Logins fail"' in declared.text  # everything kept on the form
    fixed = await client.post(
        "/admin/declare",
        data={
            "_csrf": csrf(declared.text),
            "title": "Logins fail",
            "impact": "major",
            "visibility": "public",
            "body": "Logins fail; we are on it.",
            "promise": "15",
            "then": "draft",
        },
        follow_redirects=False,
    )
    assert fixed.status_code == 303, fixed.text
    first_words = fixed.headers["location"].split("?")[0].rsplit("/", 1)[1]
    read = await client.get(f"/api/v1/updates/{first_words}", headers=keys["responder"])
    assert read.json()["update"]["promise_minutes"] == 15


async def test_the_previewed_email_promises_what_publishing_would_not_what_stands(
    client, keys, users
):
    incident = await factories.incident(client, keys["responder"], "Checkout fails", impact="major")
    later = (utcnow() + timedelta(hours=4)).isoformat()
    await factories.publish(
        client, keys["comms_lead"], incident["id"], "Looking into it.", next_update_at=later
    )
    standing = as_utc(
        datetime.fromisoformat(
            (
                await client.get(f"/api/v1/incidents/{incident['id']}", headers=keys["responder"])
            ).json()["next_update_at"]
        )
    )
    draft = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "We found the cause.", "status": "identified"},
        headers=keys["responder"],
    )
    await sign_in(client, "lead")

    page = text_of(await client.get(f"/admin/updates/{draft.json()['update']['id']}"))

    # A major incident's default: 30 minutes from publication, not the 4 hours standing.
    shown = re.search(r"Next update by \w+ \d+, (\d\d:\d\d) UTC", page)
    assert shown is not None
    assert shown.group(1) != f"{standing:%H:%M}"
    soon = utcnow() + timedelta(minutes=30)
    assert shown.group(1) in {f"{soon:%H:%M}", f"{soon - timedelta(minutes=1):%H:%M}"}
