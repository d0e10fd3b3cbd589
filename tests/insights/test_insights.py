"""Insights: how fast the first words came, which promises were kept, the longest silence and
how long drafts waited for approval, against incidents whose times are known."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from app.insights.metrics import IncidentFacts, Word, incident_insights, summarize
from app.lib.clock import utcnow
from tests.support import factories
from tests.support.desk import sign_in, text_of

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def close(seconds: float | None, expected: timedelta) -> bool:
    """Equal to the second, give or take the few real seconds a test takes to run."""
    assert seconds is not None
    return abs(seconds - expected.total_seconds()) < 5


async def _scripted_incident(client, keys, clock):  # type: ignore[no-untyped-def]
    """Declared at t; first words drafted at t+4 and approved at t+10 promising t+40; words
    at t+35 promising t+65, at t+80 promising t+110, resolved at t+100."""
    start = utcnow()
    incident = await factories.incident(client, keys["responder"], "Checkout errors")
    clock.advance(minutes=4)
    draft = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={
            "body": "Checkout fails for some of you.",
            "next_update_at": (start + minutes(40)).isoformat(),
        },
        headers=keys["responder"],
    )
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["update"]["id"]
    assert (
        await client.post(f"/api/v1/updates/{draft_id}/submit", headers=keys["responder"])
    ).status_code == 200
    clock.advance(minutes=6)
    approved = await client.post(f"/api/v1/updates/{draft_id}/approve", headers=keys["comms_lead"])
    assert approved.status_code == 200, approved.text
    for at, status, promise in (
        (35, "investigating", 65),
        (80, "identified", 110),
        (100, "resolved", None),
    ):
        clock.advance(seconds=(start + minutes(at) - utcnow()).total_seconds())
        fields = {"next_update_at": (start + minutes(promise)).isoformat()} if promise else {}
        await factories.publish(
            client, keys["comms_lead"], incident["id"], f"Now {status}.", status, **fields
        )
    return incident


async def test_a_scripted_incident_gives_the_figures_its_times_say(client, keys, clock):
    incident = await _scripted_incident(client, keys, clock)
    response = await client.get("/api/v1/insights", headers=keys["responder"])
    assert response.status_code == 200, response.text
    (row,) = response.json()["incidents"]
    assert row["incident_id"] == incident["id"]
    assert close(row["first_word_seconds"], minutes(10))
    assert row["promises_made"] == 3
    assert row["promises_kept"] == 2
    assert row["promises_missed"] == 1
    assert row["promises_pending"] == 0
    (late,) = row["missed_by_seconds"]
    assert close(late, minutes(15))
    assert close(row["longest_silence_seconds"], minutes(45))
    (waited,) = row["draft_to_approval_seconds"]
    assert close(waited, minutes(6))

    summary = response.json()["summary"]
    assert summary["incidents"] == 1
    assert summary["promises_kept"] == 2 and summary["promises_missed"] == 1
    assert abs(summary["kept_share"] - 2 / 3) < 1e-9
    assert close(summary["first_word"]["median_seconds"], minutes(10))
    assert close(summary["longest_silence"]["worst_seconds"], minutes(45))

    one = await client.get(
        f"/api/v1/incidents/{incident['id']}/insights", headers=keys["responder"]
    )
    assert one.status_code == 200
    assert one.json()["promises_kept"] == 2


async def test_only_the_last_90_days_count_unless_asked(client, keys, clock):
    await factories.incident(client, keys["responder"], "Long ago")
    clock.advance(days=91)
    await factories.incident(client, keys["responder"], "Recent")
    recent = (await client.get("/api/v1/insights", headers=keys["responder"])).json()
    assert [r["title"] for r in recent["incidents"]] == ["Recent"]
    assert recent["summary"]["incidents"] == 1
    assert recent["summary"]["first_word"] == {
        "count": 0,
        "median_seconds": None,
        "worst_seconds": None,
    }
    year = (await client.get("/api/v1/insights?days=365", headers=keys["responder"])).json()
    assert [r["title"] for r in year["incidents"]] == ["Recent", "Long ago"]


async def test_insights_need_an_api_key_and_a_sane_period(client, keys):
    assert (await client.get("/api/v1/insights")).status_code == 401
    bad = await client.get("/api/v1/insights?days=0", headers=keys["responder"])
    assert bad.status_code == 422
    assert "days" in bad.text
    missing = await client.get("/api/v1/incidents/nope/insights", headers=keys["responder"])
    assert missing.status_code == 404


async def test_the_desk_shows_the_figures_on_its_insights_page(client, keys, clock, users):
    await _scripted_incident(client, keys, clock)
    await sign_in(client, "rita")
    dashboard = await client.get("/admin/")
    assert 'href="/admin/insights"' in dashboard.text
    page = text_of(await client.get("/admin/insights"))
    assert "Checkout errors" in page
    assert "2 of 3 kept (67%)" in page
    # The clock ticks on while the test runs: a figure may read a minute short.
    assert re.search(r"worst (44|45) min", page)  # the longest silence
    assert re.search(r"median (9|10) min", page)  # the first word


def test_the_first_alert_starts_the_clock_when_it_came_before_declaring():
    facts = IncidentFacts(
        id="a",
        title="Alerted first",
        declared_at=T0 + minutes(12),
        first_alert_at=T0,
        resolved_at=T0 + minutes(60),
        words=[Word(T0 + minutes(20)), Word(T0 + minutes(60))],
    )
    row = incident_insights(facts, now=T0 + minutes(120))
    assert row.first_word_after == minutes(20)
    assert row.longest_silence == minutes(40)
    assert row.promises_made == 0


def test_an_open_incident_counts_its_overdue_promise_and_its_silence_until_now():
    facts = IncidentFacts(
        id="b",
        title="Still open",
        declared_at=T0,
        words=[Word(T0 + minutes(5), promised_next_by=T0 + minutes(35))],
    )
    row = incident_insights(facts, now=T0 + minutes(50))
    assert row.missed_by == [minutes(15)]
    assert row.longest_silence == minutes(45)
    early = incident_insights(facts, now=T0 + minutes(20))
    assert early.promises_pending == 1 and early.missed_by == []
    assert early.longest_silence == minutes(15)


def test_an_incident_with_no_words_has_no_first_word_and_its_whole_life_is_silence():
    facts = IncidentFacts(id="c", title="Quiet", declared_at=T0, resolved_at=T0 + minutes(30))
    row = incident_insights(facts, now=T0 + minutes(90))
    assert row.first_word_after is None
    assert row.longest_silence == minutes(30)
    summary = summarize([row], since=T0 - timedelta(days=90), until=T0 + minutes(90))
    assert summary.first_word.count == 0 and summary.kept_share is None
    assert summary.longest_silence.worst == minutes(30)


async def test_an_incidents_desk_page_shows_its_own_figures(client, keys, clock, users):
    incident = await _scripted_incident(client, keys, clock)
    await sign_in(client, "rita")
    response = await client.get(f"/admin/incidents/{incident['id']}")
    assert response.status_code == 200, response.text
    page = " ".join(text_of(response).split())
    assert "How we talked" in page
    # The clock ticks on while the test runs: a figure may read a minute short.
    assert re.search(r"First word to customers (9|10) min after declaring", page)
    assert re.search(r"2 of 3 kept; missed by (14|15) min", page)
    assert re.search(r"Longest silence while open (44|45) min", page)
    assert re.search(r"Draft to approval (5|6) min", page)
    api = await client.get(
        f"/api/v1/incidents/{incident['id']}/insights", headers=keys["responder"]
    )
    assert api.json()["promises_kept"] == 2
