"""The maintenance calendar: what a calendar application reads back from /maintenance.ics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from tests.support import factories

AWKWARD = "Réseau: upgrade, phase 2; \\ backslash — and a title long enough to need folding here"


async def _schedule(client, keys, title, start, **fields):  # type: ignore[no-untyped-def]
    response = await client.post(
        "/api/v1/maintenances",
        json={
            "title": title,
            "scheduled_for": start.isoformat(),
            "scheduled_until": (start + timedelta(hours=2)).isoformat(),
            "body": "Line one, with a comma;\nline two.",
            "publish": True,
            **fields,
        },
        headers=keys["comms_lead"],
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_calendar_application_reads_back_the_window_exactly(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    window = await _schedule(
        client,
        keys,
        AWKWARD,
        start,
        components=[{"id": api["id"], "status": "under_maintenance"}],
    )
    response = await client.get("/maintenance.ics")
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    raw = response.content
    assert all(len(line) <= 75 for line in raw.split(b"\r\n")), "lines are folded at 75 octets"
    calendar = Calendar.from_ical(raw)
    assert str(calendar["X-WR-CALNAME"]) == "Example maintenance"
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == AWKWARD
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == start + timedelta(hours=2)
    assert "Line one, with a comma;" in str(event["DESCRIPTION"])
    assert str(event["URL"]).endswith(f"/incidents/{window['id']}")
    assert str(event["UID"]).startswith(f"maintenance-{window['id']}@")


async def test_a_maintenance_window_does_not_make_the_reader_look_busy(client, keys):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    await _schedule(client, keys, "Database upgrade", start)
    calendar = Calendar.from_ical((await client.get("/maintenance.ics")).content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["TRANSP"]) == "TRANSPARENT"


async def test_a_customers_calendar_adds_its_own_windows_and_names_it(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    await _schedule(client, keys, "Everyone's window", start)
    await _schedule(
        client,
        keys,
        "Acme's window",
        start,
        visibility="customers",
        customers=[acme["id"]],
    )
    public = Calendar.from_ical((await client.get("/maintenance.ics")).content)
    assert [str(e["SUMMARY"]) for e in public.walk("VEVENT")] == ["Everyone's window"]
    path = acme["page_url"].split("://", 1)[1].split("/", 1)[1].rstrip("/")
    mine = Calendar.from_ical((await client.get(f"/{path}/maintenance.ics")).content)
    assert str(mine["X-WR-CALNAME"]) == "Example for Acme maintenance"
    assert sorted(str(e["SUMMARY"]) for e in mine.walk("VEVENT")) == [
        "Acme's window",
        "Everyone's window",
    ]
