"""Feeds: RSS and Atom read by a real feed parser, iCalendar of maintenance, cache headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser

from tests.support import factories


async def _world(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    web = await factories.component(client, keys["admin"], "Web")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    older = await factories.incident(
        client, keys["responder"], "Web is slow", components=[{"id": web["id"]}]
    )
    await factories.publish(client, keys["comms_lead"], older["id"], "Looking into **slow** pages.")
    await factories.publish(client, keys["comms_lead"], older["id"], "Fixed.", "resolved")
    private = await factories.incident(
        client,
        keys["responder"],
        "Acme exports delayed",
        visibility="customers",
        components=[{"id": api["id"]}],
    )
    await factories.publish(client, keys["comms_lead"], private["id"], "Exports are late.")
    newer = await factories.incident(
        client, keys["responder"], "API errors", components=[{"id": api["id"]}]
    )
    await factories.publish(client, keys["comms_lead"], newer["id"], "Errors on the API.")
    token = acme["page_url"].rstrip("/").rsplit("/", 1)[1]
    return api, web, token, older, private, newer


async def test_the_atom_feed_lists_public_incidents_newest_first_with_their_updates(client, keys):
    _api, _web, _token, older, _private, newer = await _world(client, keys)
    for path in ("/feed.atom", "/history.atom"):
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/atom+xml")
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == "atom10"
        assert feed.feed.title == "Example - Incident History"
        assert [e.title for e in feed.entries] == ["API errors", "Web is slow"]
        entry = feed.entries[1]
        assert entry.id == f"tag:status.example.test,2005:Incident/{older['id']}"
        assert entry.link == f"http://status.example.test/incidents/{older['id']}"
        content = entry.content[0].value
        assert content.index("<strong>Resolved</strong>") < content.index(
            "<strong>Investigating</strong>"
        )
        assert "<strong>slow</strong>" in content
        assert feed.entries[0].id.endswith(newer["id"])


async def test_the_rss_feed_parses_and_hides_customer_only_incidents(client, keys):
    await _world(client, keys)
    for path in ("/feed.rss", "/history.rss"):
        feed = feedparser.parse((await client.get(path)).content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == "rss20"
        assert [e.title for e in feed.entries] == ["API errors", "Web is slow"]


async def test_a_customer_feed_adds_that_customers_incidents(client, keys):
    _api, _web, token, *_ = await _world(client, keys)
    feed = feedparser.parse((await client.get(f"/c/{token}/feed.atom")).content)
    assert not feed.bozo
    assert feed.feed.title == "Example for Acme - Incident History"
    assert [e.title for e in feed.entries] == ["API errors", "Acme exports delayed", "Web is slow"]
    assert feed.entries[0].link.startswith(f"http://status.example.test/c/{token}/incidents/")
    assert (await client.get("/c/not-a-token/feed.atom")).status_code == 404


async def test_a_component_feed_lists_only_that_components_incidents(client, keys):
    api, web, token, *_ = await _world(client, keys)
    feed = feedparser.parse((await client.get(f"/components/{web['id']}/feed.rss")).content)
    assert [e.title for e in feed.entries] == ["Web is slow"]
    feed = feedparser.parse(
        (await client.get(f"/c/{token}/components/{api['id']}/feed.atom")).content
    )
    assert [e.title for e in feed.entries] == ["API errors", "Acme exports delayed"]
    assert (await client.get("/components/nosuchthing1/feed.atom")).status_code == 404


async def test_feeds_answer_304_to_etag_and_last_modified(client, keys):
    await _world(client, keys)
    first = await client.get("/feed.atom")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert (await client.get("/feed.atom", headers={"If-None-Match": etag})).status_code == 304
    response = await client.get("/feed.atom", headers={"If-Modified-Since": modified})
    assert response.status_code == 304
    long_ago = "Mon, 01 Jan 2001 00:00:00 GMT"
    response = await client.get("/feed.atom", headers={"If-Modified-Since": long_ago})
    assert response.status_code == 200


async def test_the_maintenance_calendar_lists_windows_for_each_audience(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    token = acme["page_url"].rstrip("/").rsplit("/", 1)[1]
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    for title, visibility in (("Database upgrade", "public"), ("Acme migration", "customers")):
        response = await client.post(
            "/api/v1/maintenances",
            json={
                "title": title,
                "scheduled_for": start.isoformat(),
                "scheduled_until": (start + timedelta(hours=2)).isoformat(),
                "visibility": visibility,
                "components": [{"id": api["id"], "status": "under_maintenance"}],
                "body": "We will upgrade, with a comma; and a semicolon.",
                "publish": True,
            },
            headers=keys["comms_lead"],
        )
        assert response.status_code == 201, response.text
    public = await client.get("/maintenance.ics")
    assert public.headers["content-type"].startswith("text/calendar")
    text = public.text
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:Database upgrade" in text
    assert f"DTSTART:{start:%Y%m%dT%H%M%SZ}" in text
    assert "with a comma\\; and a semicolon." in text.replace("\r\n ", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    customer = (await client.get(f"/c/{token}/maintenance.ics")).text
    assert customer.count("BEGIN:VEVENT") == 2
    assert "Acme migration" in customer


async def test_the_status_page_links_to_subscribe_and_to_its_feeds(client, keys):
    page = await client.get("/")
    assert 'href="/subscribe"' in page.text
    assert 'type="application/atom+xml"' in page.text
