"""Insights count the nudges the team was sent about promises, and the promises kept after
one (the nudge came in time to help)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.insights.metrics import IncidentFacts, Word, incident_insights
from app.lib.clock import utcnow
from app.worker import run_promise_check
from tests.support import factories

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_a_promise_kept_after_its_nudge_counts_and_a_missed_one_does_not():
    facts = IncidentFacts(
        id="i1",
        title="Checkout errors",
        declared_at=T0,
        words=[
            Word(T0, promised_next_by=T0 + timedelta(minutes=30)),
            Word(T0 + timedelta(minutes=28), promised_next_by=T0 + timedelta(minutes=60)),
            Word(T0 + timedelta(minutes=70)),
        ],
        nudged=[T0 + timedelta(minutes=30), T0 + timedelta(minutes=60), T0 + timedelta(minutes=60)],
    )
    figures = incident_insights(facts, now=T0 + timedelta(hours=2))
    assert figures.nudges_sent == 3
    assert figures.promises_kept == 1 and figures.promises_kept_after_nudge == 1


async def test_the_insights_api_reports_nudges_sent_and_promises_kept_after_a_nudge(
    client, keys, settings, sessionmaker, clock
):
    incident = await factories.incident(client, keys["responder"], "Checkout errors")
    later = (utcnow() + timedelta(minutes=15)).isoformat()
    await factories.publish(
        client, keys["comms_lead"], incident["id"], "Failing.", next_update_at=later
    )
    clock.advance(minutes=11)
    assert await run_promise_check(settings, sessionmaker) == 1  # due soon
    later = (utcnow() + timedelta(minutes=15)).isoformat()
    await factories.publish(
        client, keys["comms_lead"], incident["id"], "A fix is out.", next_update_at=later
    )  # kept after the nudge
    clock.advance(minutes=16)
    assert await run_promise_check(settings, sessionmaker) == 1  # lapsed
    await factories.publish(client, keys["comms_lead"], incident["id"], "Fixed.", "resolved")

    answer = (await client.get("/api/v1/insights", headers=keys["responder"])).json()
    (row,) = answer["incidents"]
    assert row["nudges_sent"] == 2
    assert row["promises_kept_after_nudge"] == 1
    assert row["promises_kept"] == 1 and row["promises_missed"] == 1
    assert answer["summary"]["nudges_sent"] == 2
    assert answer["summary"]["promises_kept_after_nudge"] == 1
