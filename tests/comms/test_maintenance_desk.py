"""Maintenance from the desk: a responder schedules a window with its words, a comms lead
approves them, and the window's page says what will be published and when."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import Role
from app.lib.clock import utcnow
from app.worker import run_maintenance_schedule
from tests.support import factories
from tests.support.desk import csrf, text_of


def _field(at) -> str:  # type: ignore[no-untyped-def]
    return at.strftime("%Y-%m-%dT%H:%M")  # the test page's zone is UTC


async def test_a_window_scheduled_on_the_desk_shows_what_goes_out_when(
    client, keys, desk_sign_in, sessionmaker, clock
):
    api = await factories.component(client, keys["admin"], "API")
    token = await desk_sign_in("rita", Role.RESPONDER)
    start = (utcnow() + timedelta(hours=1)).replace(second=0, microsecond=0)
    made = await client.post(
        "/admin/maintenance",
        data={
            "_csrf": token,
            "title": "Database upgrade",
            "scheduled_for": _field(start),
            "scheduled_until": _field(start + timedelta(hours=1)),
            "components": [api["id"]],
            "visibility": "public",
            "in_progress": "The database upgrade has started.",
        },
    )
    page = text_of(made)
    assert "Scheduled. Each moment's words go out only once a comms lead approves them." in page
    assert "No words yet: nothing will be published" in page  # scheduled and completed
    assert "Waiting for a comms lead's approval: not approved by" in page
    assert "Approve in progress words" not in page  # not a responder's to approve
    here = made.url.path
    waiting = text_of(await client.get("/admin/maintenance"))
    assert "Waiting for a comms lead's approval" in waiting
    assert (
        f"Database upgrade: in progress words (due {start:%b} {start.day}, {start:%H:%M} UTC)"
        in (" ".join(waiting.split()))
    )

    await client.post("/admin/sign-out", data={"_csrf": token})
    token = await desk_sign_in("lena", Role.COMMS_LEAD)
    approved = await client.post(f"{here}/words/in_progress/approve", data={"_csrf": token})
    shown = text_of(approved)
    assert "Approved: these words go out by themselves at their time." in shown
    assert f"Goes out by itself at {start:%b} {start.day}, {start:%H:%M} UTC" in shown

    listed = text_of(await client.get("/admin/maintenance"))
    assert "Database upgrade" in listed and "Waiting for a comms lead's approval" not in listed

    clock.advance(hours=1, minutes=1)
    await run_maintenance_schedule(sessionmaker)
    after = text_of(await client.get(here))
    assert "Published" in after and "approved by lena" in after
    window = after.split("What will be published")[1]
    assert "Not published" not in window


async def test_a_missed_approval_is_said_on_the_window_page(
    client, keys, desk_sign_in, sessionmaker, clock
):
    token = await desk_sign_in("lena", Role.COMMS_LEAD)
    start = (utcnow() + timedelta(minutes=5)).replace(second=0, microsecond=0)
    made = await client.post(
        "/admin/maintenance",
        data={
            "_csrf": token,
            "title": "Cache flush",
            "scheduled_for": _field(start),
            "scheduled_until": _field(start + timedelta(hours=1)),
            "in_progress": "Flushing now.",
        },
    )
    clock.advance(minutes=6)
    await run_maintenance_schedule(sessionmaker)
    page = text_of(await client.get(made.url.path))
    assert f"Not published: not approved by {start:%b} {start.day}, {start:%H:%M} UTC." in page
    assert "Approve in progress words and publish now" in page

    cancelled = text_of(
        await client.post(f"{made.url.path}/cancel", data={"_csrf": csrf(made.text)})
    )
    assert "Maintenance cancelled; nothing more goes out for it." in cancelled
    assert "before it was announced: nothing was published about it." in cancelled
    assert "Approve in progress words" not in cancelled


async def test_saving_the_window_unchanged_keeps_approvals_and_new_times_ask_again(
    client, keys, desk_sign_in
):
    start = utcnow() + timedelta(hours=2, seconds=37)  # planned to the second, by the API
    plan = await client.post(
        "/api/v1/maintenance-plans",
        json={
            "title": "Database upgrade",
            "scheduled_for": start.isoformat(),
            "scheduled_until": (start + timedelta(hours=1)).isoformat(),
            "in_progress": "Started.",
        },
        headers=keys["responder"],
    )
    here = f"/admin/maintenance/{plan.json()['id']}"
    await client.post(
        f"/api/v1/maintenance-plans/{plan.json()['id']}/words/in_progress/approve",
        headers=keys["comms_lead"],
    )
    token = await desk_sign_in("lena", Role.COMMS_LEAD)
    shown = {
        "scheduled_for": _field(start),
        "scheduled_until": _field(start + timedelta(hours=1)),
    }
    kept = await client.post(
        f"{here}/edit", data={"_csrf": token, "title": "Database upgrade, part 1", **shown}
    )
    assert "Window saved." in text_of(kept) and "Goes out by itself at" in text_of(kept)
    later = {**shown, "scheduled_for": _field(start + timedelta(minutes=30))}
    moved = await client.post(
        f"{here}/edit", data={"_csrf": token, "title": "Database upgrade, part 1", **later}
    )
    page = text_of(moved)
    assert "Waiting for a comms lead's approval" in page
    assert "the window's times changed after approval; approve the words again" in page


async def test_a_window_announced_through_the_api_shows_its_announcement_on_the_desk(
    client, keys, desk_sign_in
):
    window = await factories.maintenance(client, keys["comms_lead"])
    await desk_sign_in("lead", Role.COMMS_LEAD)
    listing = " ".join(text_of(await client.get("/admin/maintenance")).split())
    assert "Scheduled: published · went out" in listing
    assert "Scheduled: no words yet" not in listing
    page = " ".join(text_of(await client.get(f"/admin/maintenance/{window['id']}")).split())
    assert "with the window, through the incidents API" in page
    assert "In progress" in page and "No words yet: nothing will be published at" in page


async def test_a_refused_window_keeps_everything_typed_on_its_form(client, keys, desk_sign_in):
    api = await factories.component(client, keys["admin"], "API")
    token = await desk_sign_in("rita", Role.RESPONDER)
    start = (utcnow() + timedelta(hours=1)).replace(second=0, microsecond=0)
    refused = await client.post(
        "/admin/maintenance",
        data={
            "_csrf": token,
            "title": "Database upgrade",
            "scheduled_for": _field(start),
            "scheduled_until": _field(start + timedelta(hours=1)),
            "components": [api["id"]],
            "visibility": "public",
            "scheduled": "We will upgrade the database from [start time] to [end time].",
            "in_progress": "The database upgrade has started.",
        },
    )
    assert refused.status_code == 422
    assert "[start time]" in text_of(refused)  # the line to fix, quoted
    assert 'value="Database upgrade"' in refused.text
    assert "We will upgrade the database from [start time] to [end time].</textarea>" in (
        refused.text
    )
    assert "The database upgrade has started.</textarea>" in refused.text


async def test_refused_words_for_a_window_stay_in_their_form(client, keys, desk_sign_in):
    api = await factories.component(client, keys["admin"], "API")
    token = await desk_sign_in("rita", Role.RESPONDER)
    start = (utcnow() + timedelta(hours=1)).replace(second=0, microsecond=0)
    made = await client.post(
        "/admin/maintenance",
        data={
            "_csrf": token,
            "title": "Database upgrade",
            "scheduled_for": _field(start),
            "scheduled_until": _field(start + timedelta(hours=1)),
            "components": [api["id"]],
            "visibility": "public",
        },
    )
    here = made.url.path
    typed = "The upgrade is done. [Say what changed for readers]"
    refused = await client.post(f"{here}/words/completed", data={"_csrf": token, "body": typed})
    assert refused.status_code == 422
    assert f"{typed}</textarea>" in refused.text
    assert "these words are unfinished: line 1 still holds a template's placeholder" in (
        text_of(refused)
    )
