"""Once a promised update's time has passed, readers of the public and customer pages (and
of the incident's page) are told the update is late, not "Next update by" a time gone by:
even a page rendered and cached before the promise lapsed."""

from __future__ import annotations

import re

from tests.support import factories

LATE = "An update is late: it was due at"


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


async def test_the_public_and_customer_pages_say_the_update_is_late_after_the_promise_passes(
    client, keys, clock
):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    incident = await factories.incident(
        client,
        keys["responder"],
        "Checkout errors",
        impact="major",
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Checkout fails.")
    acme_page = "/" + acme["page_url"].split("/", 3)[3].rstrip("/") + "/"
    pages = ["/", f"/incidents/{incident['id']}", acme_page]
    before = {}
    for path in pages:
        response = await client.get(path)
        assert response.status_code == 200
        assert "Next update by" in _text(response) and LATE not in _text(response), path
        before[path] = response.headers["etag"]

    clock.advance(minutes=31)  # past the 30 minutes a major incident promises
    for path in pages:
        response = await client.get(path)
        text = _text(response)
        assert LATE in text and "We are still working on it." in text, path
        assert "Next update by" not in text, path
        assert response.headers["etag"] != before[path]


async def test_new_words_replace_the_late_line_with_a_new_promise(client, keys, clock):
    incident = await factories.incident(client, keys["responder"], "Slow search")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Search is slow.")
    clock.advance(hours=1, minutes=1)
    assert LATE in _text(await client.get(f"/incidents/{incident['id']}"))
    await factories.publish(client, keys["comms_lead"], incident["id"], "Still slow; a fix is out.")
    text = _text(await client.get(f"/incidents/{incident['id']}"))
    assert LATE not in text and "Next update by" in text
