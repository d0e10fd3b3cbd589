"""Words approved in advance for a maintenance window are approved for the readers the plan
had then: changing its visibility, customers or components voids the approvals, and nothing
goes out at the window's start or end until a comms lead approves again. Through the plans
API, the incidents API, the desk and the worker's schedule job."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import Role
from app.lib.clock import utcnow
from app.worker import run_maintenance_schedule
from tests.support import factories
from tests.support.desk import text_of

PLANS = "/api/v1/maintenance-plans"
VOIDED = "the plan's readers changed after approval"


async def _approved_plan(client, keys):  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    start = (utcnow() + timedelta(minutes=10)).replace(microsecond=0)
    made = await client.post(
        PLANS,
        json={
            "title": "Database upgrade",
            "scheduled_for": start.isoformat(),
            "scheduled_until": (start + timedelta(minutes=60)).isoformat(),
            "components": [api["id"]],
            "in_progress": "The database upgrade has started.",
            "completed": "The database upgrade is done.",
        },
        headers=keys["responder"],
    )
    assert made.status_code == 201, made.text
    plan_id = made.json()["id"]
    for phase in ("in_progress", "completed"):
        approved = await client.post(
            f"{PLANS}/{plan_id}/words/{phase}/approve", headers=keys["comms_lead"]
        )
        assert approved.status_code == 200, approved.text
    return api, plan_id


def _words(plan, phase):  # type: ignore[no-untyped-def]
    return next(w for w in plan["words"] if w["phase"] == phase)


async def _published_statuses(client, keys, plan_id):  # type: ignore[no-untyped-def]
    window = await client.get(f"/api/v1/maintenances/{plan_id}", headers=keys["comms_lead"])
    return [u["status"] for u in window.json()["updates"] if u["state"] == "published"]


async def test_changing_a_plans_customers_voids_its_approvals_and_nothing_goes_out_at_the_start(
    client, keys, sessionmaker, clock
):
    api, plan_id = await _approved_plan(client, keys)
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    changed = await client.patch(
        f"{PLANS}/{plan_id}",
        json={"visibility": "customers", "customers": [acme["id"]]},
        headers=keys["comms_lead"],
    )
    assert changed.status_code == 200, changed.text
    for phase in ("in_progress", "completed"):
        words = _words(changed.json(), phase)
        assert (words["state"], words["approved_by"]) == ("waiting", None)
        assert VOIDED in words["note"] and "customers: Acme added" in words["note"]
    events = await client.get(f"/api/v1/incidents/{plan_id}/audit", headers=keys["comms_lead"])
    voids = [e for e in events.json() if e["action"] == "maintenance.void"]
    assert {e["detail"]["phase"] for e in voids} == {"in_progress", "completed"}

    clock.advance(minutes=11)
    assert await run_maintenance_schedule(sessionmaker) == 1
    assert "in_progress" not in await _published_statuses(client, keys, plan_id)
    plan = (await client.get(f"{PLANS}/{plan_id}", headers=keys["comms_lead"])).json()
    assert _words(plan, "in_progress")["state"] == "missed"

    # A comms lead approves them again, for the readers the plan has now: out at once.
    again = await client.post(
        f"{PLANS}/{plan_id}/words/in_progress/approve", headers=keys["comms_lead"]
    )
    assert again.status_code == 200, again.text
    assert _words(again.json(), "in_progress")["state"] == "published"


async def test_the_worker_publishes_no_words_whose_window_gained_a_component_since_approval(
    client, keys, sessionmaker, clock, desk_sign_in
):
    _api, plan_id = await _approved_plan(client, keys)
    search = await factories.component(client, keys["admin"], "Search")
    # Words published on the window that set a new component's status: no plan verb runs.
    await factories.publish(
        client,
        keys["comms_lead"],
        plan_id,
        "Search is part of this maintenance too.",
        status="scheduled",
        components=[{"id": search["id"], "status": "under_maintenance"}],
    )
    plan = (await client.get(f"{PLANS}/{plan_id}", headers=keys["comms_lead"])).json()
    assert _words(plan, "in_progress")["state"] == "waiting"
    assert VOIDED in _words(plan, "in_progress")["note"]
    await desk_sign_in("lena", Role.COMMS_LEAD)
    window = " ".join(text_of(await client.get(f"/admin/maintenance/{plan_id}")).split())
    assert "Waiting for a comms lead's approval again: the plan's readers changed" in window

    clock.advance(minutes=11)
    assert await run_maintenance_schedule(sessionmaker) == 1
    assert "in_progress" not in await _published_statuses(client, keys, plan_id)
    plan = (await client.get(f"{PLANS}/{plan_id}", headers=keys["comms_lead"])).json()
    starts = _words(plan, "in_progress")
    assert starts["state"] == "missed" and "components: Search added" in starts["note"]
    events = await client.get(f"/api/v1/incidents/{plan_id}/audit", headers=keys["comms_lead"])
    voided = [e for e in events.json() if e["action"] == "maintenance.void"]
    assert voided and voided[0]["actor"] == "maintenance schedule"

    clock.advance(minutes=60)
    await run_maintenance_schedule(sessionmaker)
    assert "completed" not in await _published_statuses(client, keys, plan_id)


async def test_editing_a_window_through_the_maintenances_api_voids_approvals_too(client, keys):
    api, plan_id = await _approved_plan(client, keys)
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    refused = await client.patch(
        f"/api/v1/maintenances/{plan_id}",
        json={"visibility": "customers", "customers": [acme["id"]]},
        headers=keys["responder"],
    )
    assert refused.status_code == 403, refused.text
    changed = await client.patch(
        f"/api/v1/maintenances/{plan_id}",
        json={"visibility": "customers", "customers": [acme["id"]]},
        headers=keys["comms_lead"],
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["visibility"] == "customers"
    plan = (await client.get(f"{PLANS}/{plan_id}", headers=keys["comms_lead"])).json()
    assert {_words(plan, p)["state"] for p in ("in_progress", "completed")} == {"waiting"}
    events = await client.get(f"/api/v1/incidents/{plan_id}/audit", headers=keys["comms_lead"])
    voided = [e for e in events.json() if e["action"] == "maintenance.void"]
    assert len(voided) == 2 and voided[0]["actor"] != "maintenance schedule"
    assert "visibility public → customers" in voided[0]["detail"]["changed"]


async def test_a_responder_may_not_change_who_reads_words_approved_in_advance(client, keys):
    api, plan_id = await _approved_plan(client, keys)
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    refused = await client.patch(
        f"{PLANS}/{plan_id}", json={"customers": [acme["id"]]}, headers=keys["responder"]
    )
    assert refused.status_code == 403, refused.text
    assert "words waiting to go out" in refused.text
    plan = (await client.get(f"{PLANS}/{plan_id}", headers=keys["responder"])).json()
    assert _words(plan, "in_progress")["state"] == "approved"


async def test_a_window_whose_components_change_on_the_desk_asks_for_approval_again(
    client, keys, desk_sign_in
):
    api, plan_id = await _approved_plan(client, keys)
    search = await factories.component(client, keys["admin"], "Search")
    token = await desk_sign_in("lena", Role.COMMS_LEAD)
    page = await client.get(f"/admin/maintenance/{plan_id}")
    starts = page.text.split('name="scheduled_for"')[1].split('value="')[1].split('"')[0]
    ends = page.text.split('name="scheduled_until"')[1].split('value="')[1].split('"')[0]
    saved = await client.post(
        f"/admin/maintenance/{plan_id}/edit",
        data={
            "_csrf": token,
            "title": "Database upgrade",
            "scheduled_for": starts,
            "scheduled_until": ends,
            "components": [api["id"], search["id"]],
        },
    )
    shown = text_of(saved)
    assert "Window saved." in shown
    assert VOIDED in shown and "components: Search added" in shown
    assert "Waiting for a comms lead's approval" in shown
