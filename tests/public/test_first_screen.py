"""The first screen of the public and customer pages answers "is my service OK?": the banner
names what is affected, a customer reads about its own services before the rest, and the
bars and the uptime figure under them only tell what the reader can see."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.components.models import Component
from app.components.status import ComponentStatus
from app.incidents.models import Incident
from app.public.days import RECENT_DAYS, WINDOW_DAYS, day_bars, segments, uptime
from app.public.views import IncidentView
from tests.support import factories

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


async def _world(client, keys):  # type: ignore[no-untyped-def]
    """Acme uses the API; Search is slow for everyone; the API is down for Acme alone."""
    api = await factories.component(client, keys["admin"], "API", group="Platform")
    search = await factories.component(client, keys["admin"], "Search", group="Data")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    slow = await factories.incident(
        client,
        keys["responder"],
        "Slow search for everyone",
        components=[{"id": search["id"], "status": "degraded_performance"}],
    )
    await factories.publish(client, keys["comms_lead"], slow["id"], "Search is slow.")
    down = await factories.incident(
        client,
        keys["responder"],
        "Acme API outage",
        visibility="customers",
        customers=[acme["id"]],
        impact="major",
        components=[{"id": api["id"], "status": "major_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], down["id"], "Your API calls fail.")
    return "/" + acme["page_url"].split("/", 3)[3].rstrip("/")


def _banner(html: str) -> str:
    return html.split('class="banner', 1)[1].split("</section>", 1)[0]


async def test_the_public_banner_names_the_affected_services(client, keys):
    await _world(client, keys)
    banner = _banner((await client.get("/")).text)
    assert "<strong>Search</strong> degraded performance" in banner
    assert "API" not in banner  # Acme's outage is not the public's


async def test_a_customers_banner_names_its_own_services_only(client, keys):
    acme = await _world(client, keys)
    banner = _banner((await client.get(acme + "/")).text)
    assert "<strong>API</strong> major outage" in banner
    assert "Search" not in banner


async def test_a_customer_reads_what_affects_its_services_before_what_does_not(client, keys):
    acme = await _world(client, keys)
    page = (await client.get(acme + "/")).text
    order = [
        page.index("Acme API outage"),
        page.index(">Your services<"),
        page.index(">Other ongoing incidents<"),
        page.index("Slow search for everyone"),
        page.index(">Other services<"),
    ]
    assert order == sorted(order)


async def test_a_component_added_today_has_no_history_of_green(client, keys):
    await factories.component(client, keys["admin"], "Brand new")
    page = (await client.get("/")).text
    row = page.split('<h3 class="component-name">Brand new</h3>', 1)[1].split("</li>", 1)[0]
    # The days before it existed are empty slots; one green day: today.
    empty = sum(int(n) for n in re.findall(r'class="no-data g(\d+)', row))
    green = [int(n) for n in re.findall(r'class="quiet-days g(\d+)', row)]
    assert (empty, green) == (WINDOW_DAYS - 1, [1])
    assert "100.00% uptime since added today" in row
    assert "since it was added today" in page  # what a screen reader hears


def _outage(days_ago: int, hours: int) -> IncidentView:
    api = Component(id="api", name="API")
    start = NOW - timedelta(days=days_ago)
    incident = Incident(
        id=f"i{days_ago}",
        kind="incident",
        title="Outage",
        status="resolved",
        started_at=start,
        resolved_at=start + timedelta(hours=hours),
    )
    return IncidentView(incident, [], [(api, ComponentStatus.MAJOR_OUTAGE)], now=NOW)


def test_the_uptime_figure_is_for_the_days_shown():
    days, over_90 = day_bars("api", [_outage(60, 24)], today=NOW.date(), zone=UTC_ZONE, now=NOW)
    assert over_90 < 99.0  # a whole day down in 90
    assert uptime(days[-RECENT_DAYS:]) == 100.0  # the 30 days a phone shows were all fine


def test_a_component_is_counted_only_since_it_was_added():
    added = NOW - timedelta(days=10)
    days, percent = day_bars(
        "api", [_outage(5, 24)], today=NOW.date(), zone=UTC_ZONE, now=NOW, since=added
    )
    existing = [d for d in days if d.existed]
    assert len(existing) == 11  # ten days ago to today
    assert 88.0 < percent < 92.0  # a day down out of ten and a half, not out of ninety
    drawn = segments(days)
    assert sum(s.span for s in drawn) == WINDOW_DAYS
    assert sum(s.span for s in drawn if s.unknown) == WINDOW_DAYS - 11


def test_an_incident_before_the_recorded_creation_still_shows():
    """An imported component may carry a later creation date than its history."""
    days, _ = day_bars("api", [_outage(20, 2)], today=NOW.date(), zone=UTC_ZONE, now=NOW, since=NOW)
    assert sum(1 for d in days if d.existed) == 21
    assert not days[-21].quiet
