"""Before a promised update is due, and when it lapses, the incident's comms leads are told by
email, and the team's own Slack or Teams channel where one is set, through the outbox: once
per promise, however often (and by however many workers) the check runs."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.accounts.service import create_user
from app.delivery.jobs import DeliveryWorker
from app.delivery.models import Delivery, DeliveryState, Message
from app.lib.clock import utcnow
from app.worker import run_promise_check
from tests.support import factories
from tests.support.delivery import drain
from tests.support.peers import HttpReceiver


@pytest.fixture
async def leads(sessionmaker):  # type: ignore[no-untyped-def]
    """Two comms leads with an address, one without, and a responder with one."""
    async with sessionmaker() as session:
        for name, role, email in (
            ("lena", Role.COMMS_LEAD, "lena@team.test"),
            ("omar", Role.COMMS_LEAD, "omar@team.test"),
            ("nomail", Role.COMMS_LEAD, None),
            ("rita", Role.RESPONDER, "rita@team.test"),
        ):
            await create_user(session, username=name, password="x" * 12, role=role, email=email)
        await session.commit()


async def _promised(client, keys, minutes=15, title="Checkout errors"):  # type: ignore[no-untyped-def]
    incident = await factories.incident(client, keys["responder"], title, impact="major")
    draft = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={"body": "Checkout fails for some; we are on it.", "next_update_in_minutes": minutes},
        headers=keys["responder"],
    )
    draft_id = draft.json()["update"]["id"]
    await client.post(f"/api/v1/updates/{draft_id}/submit", headers=keys["responder"])
    approved = await client.post(f"/api/v1/updates/{draft_id}/approve", headers=keys["comms_lead"])
    assert approved.status_code == 200, approved.text
    return incident


async def _nudges(sessionmaker) -> int:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        query = select(func.count()).where(Delivery.message == Message.PROMISE_NUDGE.value)
        return await session.scalar(query) or 0


async def test_comms_leads_are_emailed_five_minutes_before_the_promise_and_when_it_lapses(
    client, keys, leads, smtp, worker, settings, sessionmaker, clock
):
    await _promised(client, keys, minutes=15)
    assert await run_promise_check(settings, sessionmaker) == 0  # not yet
    clock.advance(minutes=10, seconds=30)
    assert await run_promise_check(settings, sessionmaker) == 1
    await drain(worker)
    soon = {m["To"]: m for m in smtp.messages}
    assert sorted(soon) == ["lena@team.test", "omar@team.test"]  # comms leads, with an address
    subject = soon["lena@team.test"]["Subject"]
    assert subject.startswith("Update due by ") and subject.endswith("UTC: Checkout errors")
    text = soon["lena@team.test"].get_body(("plain",)).get_content()
    assert "Write it now, or pause updates saying why." in text
    assert "/admin/incidents/" in text

    clock.advance(minutes=5)
    assert await run_promise_check(settings, sessionmaker) == 1
    await drain(worker)
    late = [m for m in smtp.to("lena@team.test") if m["Subject"].startswith("Update late")]
    assert len(late) == 1
    assert (
        "The status page now tells them it is late." in late[0].get_body(("plain",)).get_content()
    )
    assert smtp.to("rita@team.test") == []


async def test_a_nudge_is_sent_once_even_when_the_check_runs_twice_or_in_two_workers(
    client, keys, leads, smtp, worker, settings, sessionmaker, clock
):
    await _promised(client, keys, minutes=15)
    clock.advance(minutes=11)
    assert await run_promise_check(settings, sessionmaker) == 1
    assert await run_promise_check(settings, sessionmaker) == 0
    clock.advance(minutes=5)
    # Two workers checking at the same moment: one of them nudges.
    together = await asyncio.gather(
        run_promise_check(settings, sessionmaker), run_promise_check(settings, sessionmaker)
    )
    assert sorted(together) == [0, 1]
    await drain(worker)
    assert await _nudges(sessionmaker) == 4  # two leads, due soon and lapsed
    assert len(smtp.to("lena@team.test")) == 2


async def test_a_promise_kept_or_paused_is_not_nudged(
    client, keys, leads, smtp, worker, settings, sessionmaker, clock
):
    kept = await _promised(client, keys, minutes=15, title="Kept")
    paused = await _promised(client, keys, minutes=15, title="Paused")
    await factories.publish(client, keys["comms_lead"], kept["id"], "Fixed for most.")
    pause = await client.put(
        f"/api/v1/incidents/{paused['id']}/pause",
        json={
            "reason": "waiting for the vendor",
            "resume_at": (utcnow() + timedelta(hours=2)).isoformat(),
        },
        headers=keys["comms_lead"],
    )
    assert pause.status_code == 200, pause.text
    clock.advance(minutes=11)
    assert await run_promise_check(settings, sessionmaker) == 0
    await drain(worker)
    assert smtp.messages == []


async def test_the_teams_own_slack_and_teams_channels_hear_the_nudge_not_subscribers(
    client, keys, leads, smtp, settings, sessionmaker, clock
):
    slack, teams = HttpReceiver(), HttpReceiver()
    slack.start()
    teams.start()
    try:
        team_settings = replace(
            settings,
            team_slack_webhook_url=slack.url,
            team_teams_webhook_url=teams.url,
            webhook_allow_private=True,
        )
        await factories.contact(client, keys["comms_lead"], "ops@acme.test")
        await _promised(client, keys, minutes=15)
        clock.advance(minutes=16)
        assert await run_promise_check(team_settings, sessionmaker) == 1
        worker = DeliveryWorker(team_settings, sessionmaker)
        try:
            await drain(worker)
        finally:
            await worker.close()
        [to_slack] = slack.received
        assert "Update late: Checkout errors" in to_slack.json()["text"]
        [to_teams] = teams.received
        assert "Update late: Checkout errors" in to_teams.body.decode()
        # The subscriber got the update, and nothing of the team's nudge.
        assert all("Update late" not in m["Subject"] for m in smtp.to("ops@acme.test"))
        async with sessionmaker() as session:
            states = await session.scalars(
                select(Delivery.state).where(Delivery.message == Message.PROMISE_NUDGE.value)
            )
            assert set(states) == {DeliveryState.SENT.value}
    finally:
        slack.stop()
        teams.stop()
