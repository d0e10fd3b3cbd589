"""A subscriber's language, through the subscribers API and the desk's subscriber page: set
at creation, changed, cleared (back to the customer's, else the site's) and read; a language
Tidings does not write in is refused with the list of those it does."""

from __future__ import annotations

import html
import re

from tests.support import factories
from tests.support.desk import csrf, sign_in


def text_of(response) -> str:
    """The page's words, each tag read as a space."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


async def test_a_subscriber_added_with_a_language_reads_it_back_and_can_change_it(client, keys):
    lead = keys["comms_lead"]
    made = await factories.contact(client, lead, "ops@example.org", language="de-AT")
    assert made["language"] == "de"  # a regional tag is kept as the language we write
    url = f"/api/v1/subscribers/{made['id']}"

    changed = await client.patch(url, json={"language": "ja"}, headers=lead)
    assert changed.status_code == 200, changed.text
    assert changed.json()["language"] == "ja"
    assert changed.json()["components"] is None  # a PATCH changes only what it names

    cleared = await client.patch(url, json={"language": None}, headers=lead)
    assert cleared.json()["language"] is None  # the customer's, else the site's
    assert (await client.get(url, headers=lead)).json()["language"] is None

    plain = await factories.contact(client, lead, "reader@example.org")
    assert plain["language"] is None


async def test_a_language_tidings_does_not_write_in_is_refused_naming_those_it_does(client, keys):
    lead = keys["comms_lead"]
    refused = await client.post(
        "/api/v1/subscribers",
        json={"kind": "email", "address": "ops@example.org", "language": "klingon"},
        headers=lead,
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert "en, de, fr, es, ja" in problem["detail"] and "klingon" in problem["detail"]
    assert (await client.get("/api/v1/subscribers", headers=lead)).json() == []

    made = await factories.contact(client, lead, "ops@example.org", language="fr")
    url = f"/api/v1/subscribers/{made['id']}"
    refused = await client.patch(url, json={"language": "xx"}, headers=lead)
    assert refused.status_code == 422
    assert "en, de, fr, es, ja" in refused.json()["detail"]
    assert (await client.get(url, headers=lead)).json()["language"] == "fr"


async def test_the_desk_shows_and_changes_the_language_a_subscribers_messages_are_in(
    client, keys, users
):
    made = await factories.contact(client, keys["comms_lead"], "ops@example.org")
    page_url = f"/admin/subscribers/{made['id']}"
    await sign_in(client, "lead")
    page = await client.get(page_url)
    assert "Language English (none of its own: the site's)" in text_of(page)

    saved = await client.post(
        f"{page_url}/language", data={"_csrf": csrf(page.text), "language": "ja"}
    )
    assert saved.status_code == 200  # followed to the page
    assert "Language saved" in text_of(saved)
    assert "Language 日本語" in text_of(saved)
    read = await client.get(f"/api/v1/subscribers/{made['id']}", headers=keys["comms_lead"])
    assert read.json()["language"] == "ja"

    refused = await client.post(
        f"{page_url}/language", data={"_csrf": csrf(saved.text), "language": "xx"}
    )
    assert "language must be one of en, de, fr, es, ja" in text_of(refused)
