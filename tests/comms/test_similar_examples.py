"""Past examples on the desk are the similar ones (same components, or the same impact at the
same status), each with "Insert", on the incident's page and on a draft's page."""

from __future__ import annotations

import html
import re

from tests.support import factories
from tests.support.desk import HTML, csrf, sign_in


async def _examples(client, keys):  # type: ignore[no-untyped-def]
    """A kept example about the API, one about Search at another impact, and an open API
    incident to write for."""
    api = await factories.component(client, keys["admin"], "API")
    search = await factories.component(client, keys["admin"], "Search")

    async def kept(title: str, component: dict, impact: str, words: str) -> dict:  # type: ignore[type-arg]
        incident = await factories.incident(
            client,
            keys["responder"],
            title,
            impact=impact,
            components=[{"id": component["id"], "status": "partial_outage"}],
        )
        update = await factories.publish(client, keys["comms_lead"], incident["id"], words)
        marked = await client.put(
            f"/api/v1/examples/{update['id']}", json={}, headers=keys["comms_lead"]
        )
        assert marked.status_code == 200, marked.text
        return update

    same = await kept("API timeouts", api, "minor", "API calls time out. Sorry, we're on it.")
    await kept("Slow search", search, "major", "Search is slow for everyone.")
    incident = await factories.incident(
        client,
        keys["responder"],
        "API errors",
        impact="minor",
        components=[{"id": api["id"], "status": "degraded_performance"}],
    )
    return incident, same


def _offered(page: str) -> list[str]:
    aside = page.split('<aside aria-labelledby="examples-h">', 1)[1].split("</aside>", 1)[0]
    return re.findall(r'<h3 id="example-[^"]+">([^<]+)</h3>', aside)


async def test_the_incident_page_offers_only_similar_examples(client, users, keys):
    incident, _same = await _examples(client, keys)
    await sign_in(client, "rita")
    page = (await client.get(f"/admin/incidents/{incident['id']}")).text
    assert _offered(page) == ["API timeouts"]


async def test_insert_adds_an_examples_words_after_the_writers_own(client, users, keys):
    incident, same = await _examples(client, keys)
    await sign_in(client, "rita")
    page = (await client.get(f"/admin/incidents/{incident['id']}")).text
    assert f'name="insert_example" value="{same["id"]}"' in page
    inserted = await client.post(
        f"/admin/incidents/{incident['id']}/compose",
        data={
            "_csrf": csrf(page),
            "status": "investigating",
            "body": "Some API calls fail.",
            "insert_example": same["id"],
        },
        headers=HTML,
    )
    assert inserted.status_code == 200, inserted.text
    area = re.search(r'<textarea id="body"[^>]*>(.*?)</textarea>', inserted.text, re.S)
    assert area and html.unescape(area.group(1)) == (
        "Some API calls fail.\n\nAPI calls time out. Sorry, we're on it."
    )


async def test_a_drafts_page_offers_the_similar_examples_and_inserts_one(client, users, keys):
    incident, same = await _examples(client, keys)
    await sign_in(client, "rita")
    page = (await client.get(f"/admin/incidents/{incident['id']}")).text
    saved = await client.post(
        f"/admin/incidents/{incident['id']}/drafts",
        data={"_csrf": csrf(page), "status": "investigating", "body": "Mine.", "then": "save"},
        headers=HTML,
        follow_redirects=False,
    )
    draft_url = saved.headers["location"].split("?", 1)[0]
    draft_page = (await client.get(draft_url)).text
    assert _offered(draft_page) == ["API timeouts"]
    assert 'form="draft-edit"' in draft_page
    draft_id = draft_url.rsplit("/", 1)[1]
    await client.post(
        f"/admin/updates/{draft_id}/edit",
        data={
            "_csrf": csrf(draft_page),
            "status": "investigating",
            "body": "Mine, edited.",
            "insert_example": same["id"],
        },
        headers=HTML,
    )
    drafts = await client.get(f"/api/v1/incidents/{incident['id']}/drafts", headers=keys["admin"])
    (draft,) = [d["update"] for d in drafts.json() if d["update"]["id"] == draft_id]
    assert draft["body"] == "Mine, edited.\n\nAPI calls time out. Sorry, we're on it."
