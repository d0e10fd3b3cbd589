"""Pages show each update's words in the page's language, with a switch to the other
languages the update carries and a note when the page's language is not among them; the feeds
and the Statuspage JSON stay in the site's language."""

from __future__ import annotations

import pytest

from app.incidents.models import Update
from app.public.words import PageWords
from tests.support import factories

ENGLISH = "Some API requests fail. We are on it."
GERMAN = "Einige API-Anfragen schlagen fehl. Wir arbeiten daran."


async def _published(client, keys, body, translations):  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    incident = await factories.incident(
        client, keys["comms_lead"], "API errors", components=[{"id": api["id"]}]
    )
    await factories.publish(
        client, keys["comms_lead"], incident["id"], body, translations=translations
    )
    return incident


async def test_the_incident_page_shows_the_sites_words_and_a_switch_to_the_german(client, keys):
    incident = await _published(client, keys, ENGLISH, {"de": GERMAN})
    page = (await client.get(f"/incidents/{incident['id']}")).text
    assert ENGLISH in page
    switch = page[page.index('<details class="other-languages">') :]
    assert "<summary" in switch and "Read this update in another language" in switch
    assert '<section lang="de" aria-label="Deutsch">' in switch and GERMAN in switch
    assert "not yet available" not in page


@pytest.mark.settings(language="de")
async def test_a_german_site_shows_the_german_words_with_the_english_a_click_away(client, keys):
    incident = await _published(client, keys, GERMAN, {"en": ENGLISH})
    page = (await client.get(f"/incidents/{incident['id']}")).text
    assert page.index(GERMAN) < page.index('<details class="other-languages">')
    assert "Dieses Update in einer anderen Sprache lesen" in page
    assert '<section lang="en" aria-label="English">' in page and ENGLISH in page
    front = (await client.get("/")).text
    assert GERMAN in front and ENGLISH not in front
    history = (await client.get("/history")).text
    assert GERMAN in history and ENGLISH not in history


async def test_the_statuspage_json_and_the_feed_keep_the_sites_language(client, keys):
    await _published(client, keys, ENGLISH, {"de": GERMAN})
    incidents = (await client.get("/api/v2/incidents.json")).json()["incidents"]
    (said,) = incidents[0]["incident_updates"]
    assert said["body"] == ENGLISH
    feed = (await client.get("/feed.atom")).text
    assert ENGLISH in feed and GERMAN not in feed


def test_a_page_in_a_language_the_update_lacks_says_so_in_that_language() -> None:
    words = PageWords(site_language="en")
    update = Update(body=ENGLISH, translations={"de": GERMAN})
    japanese = words.of(update, "ja")
    assert (japanese.words, japanese.language) == (ENGLISH, "en")
    assert japanese.note == "この更新はまだお使いの言語では提供されていません。"
    assert [code for code, _name, _words in japanese.others] == ["de"]
    german = words.of(update, "de")
    assert (german.words, german.language, german.note) == (GERMAN, "de", None)
    assert [code for code, _name, _words in german.others] == ["en"]
