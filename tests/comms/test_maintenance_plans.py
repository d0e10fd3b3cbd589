"""Maintenance planned with its words approved in advance: the words go out by themselves at
the window's start and end, approved words only; unapproved words go nowhere and the plan
says so. Through the JSON API, with the worker's schedule job and a travelling clock."""

from __future__ import annotations

from datetime import timedelta

from app.lib.clock import utcnow
from app.worker import run_maintenance_schedule
from tests.support import factories
from tests.support.delivery import drain

PLANS = "/api/v1/maintenance-plans"


async def _plan(client, headers, *, starts_in=10, lasts=60, **words):  # type: ignore[no-untyped-def]
    start = utcnow() + timedelta(minutes=starts_in)
    body = {
        "title": "Database upgrade",
        "scheduled_for": start.isoformat(),
        "scheduled_until": (start + timedelta(minutes=lasts)).isoformat(),
        **words,
    }
    response = await client.post(PLANS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _words(plan, phase):  # type: ignore[no-untyped-def]
    return next(w for w in plan["words"] if w["phase"] == phase)


async def _approve(client, keys, plan_id, phase, role="comms_lead"):  # type: ignore[no-untyped-def]
    return await client.post(f"{PLANS}/{plan_id}/words/{phase}/approve", headers=keys[role])


async def test_approved_words_go_out_by_themselves_at_the_start_and_the_end(
    client, keys, sessionmaker, clock, smtp, worker
):
    api = await factories.component(client, keys["admin"], "API")
    await factories.contact(client, keys["comms_lead"], "reader@example.org")
    plan = await _plan(
        client,
        keys["responder"],
        components=[api["id"]],
        scheduled="We will upgrade the database on Sunday.",
        in_progress="The database upgrade has started.",
        completed="The database upgrade is done.",
    )
    assert {w["state"] for w in plan["words"]} == {"waiting"}
    for phase in ("scheduled", "in_progress", "completed"):
        approved = await _approve(client, keys, plan["id"], phase)
        assert approved.status_code == 200, approved.text
    plan = approved.json()
    assert _words(plan, "scheduled")["state"] == "published"  # the announcement: at once
    starts = _words(plan, "in_progress")
    assert (starts["state"], starts["publishes_at"]) == ("approved", plan["scheduled_for"])
    await drain(worker)  # each moment's email goes out before the next moment comes

    assert await run_maintenance_schedule(sessionmaker) == 0  # not yet
    page = (await client.get(f"/incidents/{plan['id']}")).text
    assert "upgrade the database on Sunday" in page and "has started" not in page

    clock.advance(minutes=11)
    assert await run_maintenance_schedule(sessionmaker) == 1
    await drain(worker)
    assert (
        "The database upgrade has started." in (await client.get(f"/incidents/{plan['id']}")).text
    )
    plan = (await client.get(f"{PLANS}/{plan['id']}", headers=keys["responder"])).json()
    assert (plan["status"], _words(plan, "in_progress")["state"]) == ("in_progress", "published")
    assert _words(plan, "completed")["state"] == "approved"

    clock.advance(minutes=60)
    assert await run_maintenance_schedule(sessionmaker) == 1
    assert await run_maintenance_schedule(sessionmaker) == 0  # once only
    plan = (await client.get(f"{PLANS}/{plan['id']}", headers=keys["responder"])).json()
    assert plan["status"] == "completed"
    assert "The database upgrade is done." in (await client.get(f"/incidents/{plan['id']}")).text

    await drain(worker)
    assert [m["Subject"] for m in smtp.to("reader@example.org")] == [
        "[Example] Scheduled: Database upgrade",
        "[Example] In progress: Database upgrade",
        "[Example] Completed: Database upgrade",
    ]
    audit = (
        await client.get(f"/api/v1/incidents/{plan['id']}/audit", headers=keys["admin"])
    ).json()
    actions = [e["action"] for e in audit]
    assert actions.count("maintenance.approve") == 3 and actions.count("maintenance.publish") == 3


async def test_words_not_approved_by_the_start_are_not_published_and_the_plan_says_so(
    client, keys, sessionmaker, clock
):
    plan = await _plan(client, keys["responder"], in_progress="Work has started.")
    clock.advance(minutes=11)
    assert await run_maintenance_schedule(sessionmaker) == 1
    plan = (await client.get(f"{PLANS}/{plan['id']}", headers=keys["responder"])).json()
    missed = _words(plan, "in_progress")
    assert missed["state"] == "missed"
    assert missed["note"] == "not approved by the time it was due: nothing was published"
    assert plan["status"] == "scheduled"
    assert "Work has started." not in (await client.get(f"/incidents/{plan['id']}")).text

    # Approving late publishes then, as approving a draft in the queue does.
    late = await _approve(client, keys, plan["id"], "in_progress")
    assert _words(late.json(), "in_progress")["state"] == "published"
    assert "Work has started." in (await client.get(f"/incidents/{plan['id']}")).text


async def test_only_a_comms_lead_approves_and_changed_words_need_approval_again(client, keys):
    plan = await _plan(client, keys["responder"], in_progress="Started.")
    refused = await _approve(client, keys, plan["id"], "in_progress", role="responder")
    assert refused.status_code == 403
    assert (await _approve(client, keys, plan["id"], "in_progress")).status_code == 200
    again = await client.put(
        f"{PLANS}/{plan['id']}/words/in_progress",
        json={"body": "Started, with a twist."},
        headers=keys["responder"],
    )
    assert again.status_code == 200, again.text
    changed = _words(again.json(), "in_progress")
    assert (changed["state"], changed["approved_by"]) == ("waiting", None)


async def test_new_times_ask_for_approval_again(client, keys):
    plan = await _plan(client, keys["responder"], in_progress="Started.", completed="Done.")
    await _approve(client, keys, plan["id"], "in_progress")
    later = (utcnow() + timedelta(hours=2)).isoformat()
    moved = await client.patch(
        f"{PLANS}/{plan['id']}",
        json={
            "scheduled_for": later,
            "scheduled_until": (utcnow() + timedelta(hours=3)).isoformat(),
        },
        headers=keys["responder"],
    )
    assert moved.status_code == 200, moved.text
    words = _words(moved.json(), "in_progress")
    assert words["state"] == "waiting"
    assert "times changed" in words["note"]
    assert moved.json()["scheduled_for"].startswith(later[:16])


async def test_cancelling_an_unannounced_window_closes_it_quietly(
    client, keys, sessionmaker, clock
):
    plan = await _plan(client, keys["responder"], in_progress="Started.")
    await _approve(client, keys, plan["id"], "in_progress")
    cancelled = await client.post(
        f"{PLANS}/{plan['id']}/cancel", json={}, headers=keys["responder"]
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancelled"] is True
    assert _words(cancelled.json(), "in_progress")["state"] == "cancelled"
    clock.advance(minutes=11)
    assert await run_maintenance_schedule(sessionmaker) == 0  # nothing goes out for it
    assert (await client.get(f"/incidents/{plan['id']}")).status_code == 404


async def test_cancelling_an_announced_window_tells_its_readers_and_needs_a_lead(client, keys):
    plan = await _plan(client, keys["responder"], scheduled="Upgrade on Sunday.")
    await _approve(client, keys, plan["id"], "scheduled")
    path = f"{PLANS}/{plan['id']}/cancel"
    assert (
        await client.post(path, json={"body": "Off."}, headers=keys["responder"])
    ).status_code == 403
    blank = await client.post(path, json={}, headers=keys["comms_lead"])
    assert blank.status_code == 422
    assert "say what its readers should know" in blank.text
    done = await client.post(
        path, json={"body": "Cancelled: nothing changes."}, headers=keys["comms_lead"]
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["cancelled"]) == ("completed", True)
    told = _words(done.json(), "cancelled")
    assert (told["state"], told["body"]) == ("published", "Cancelled: nothing changes.")
    assert "Cancelled: nothing changes." in (await client.get(f"/incidents/{plan['id']}")).text


async def test_a_plan_with_bad_times_or_an_unknown_moment_is_refused_clearly(client, keys):
    start = utcnow() + timedelta(hours=1)
    backwards = await client.post(
        PLANS,
        json={
            "title": "Backwards",
            "scheduled_for": start.isoformat(),
            "scheduled_until": (start - timedelta(minutes=5)).isoformat(),
        },
        headers=keys["responder"],
    )
    assert backwards.status_code == 422
    assert "scheduled_until must be after scheduled_for" in backwards.text
    plan = await _plan(client, keys["responder"])
    unknown = await client.put(
        f"{PLANS}/{plan['id']}/words/halfway", json={"body": "x"}, headers=keys["responder"]
    )
    assert unknown.status_code == 422
    assert "phase must be one of" in unknown.text


async def test_a_moved_window_may_be_announced_again_once_approved(client, keys):
    plan = await _plan(client, keys["responder"], scheduled="Upgrade at 02:00.")
    await _approve(client, keys, plan["id"], "scheduled")
    path = f"{PLANS}/{plan['id']}/words/scheduled"
    again = await client.put(
        path, json={"body": "Moved: upgrade at 04:00."}, headers=keys["responder"]
    )
    assert _words(again.json(), "scheduled")["state"] == "waiting"
    assert "Moved" not in (await client.get(f"/incidents/{plan['id']}")).text  # not yet approved
    await _approve(client, keys, plan["id"], "scheduled")
    page = (await client.get(f"/incidents/{plan['id']}")).text
    assert "Upgrade at 02:00." in page and "Moved: upgrade at 04:00." in page


async def test_words_for_a_public_major_window_need_someone_other_than_their_writer(client, keys):
    plan = await _plan(
        client, keys["comms_lead"], impact="major", in_progress="The migration has started."
    )
    own = await _approve(client, keys, plan["id"], "in_progress")
    assert own.status_code == 403
    assert "another comms lead must approve it" in own.text
    other = await _approve(client, keys, plan["id"], "in_progress", role="admin")
    assert other.status_code == 200, other.text
    assert _words(other.json(), "in_progress")["approved_by"] == "key:test-admin"
