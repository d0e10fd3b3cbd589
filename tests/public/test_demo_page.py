"""The demo's page agrees with itself: what its words say matches what the page shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.demo.load import load_demo
from app.incidents.models import Incident
from app.lib.clock import as_utc


@pytest.mark.settings(time_zone="Europe/Paris")
async def test_the_demo_page_agrees_with_itself(sessionmaker, settings, client):
    async with sessionmaker() as session:
        await load_demo(session, settings=settings)
        await session.commit()
        incidents = list(
            await session.scalars(select(Incident).options(selectinload(Incident.updates)))
        )
    page = (await client.get("/")).text
    # Every service was on the page before its 90 days of history: no empty slots.
    assert "no-data" not in page
    (open_,) = [i for i in incidents if i.resolved_at is None and i.kind == "incident"]
    (first,) = open_.updates
    # Its words promise the next update within 2 hours of when they went out, and the page
    # says the same time; they went out after it began.
    assert "within 2 hours" in first.body
    assert as_utc(open_.next_update_at) - as_utc(first.published_at) == timedelta(hours=2)
    assert as_utc(open_.started_at) < as_utc(first.published_at)
    # Its title speaks of what it affects.
    assert "webhook" in open_.title.lower() and "webhook" in first.body.lower()
    # Times inside past words are said in the page's zone, as the page around them.
    bodies = " ".join(u.body for i in incidents for u in i.updates)
    assert " CET" in bodies and " UTC" not in bodies
