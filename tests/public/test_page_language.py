"""The outside pages speak the reader's language: a `?lang=` choice kept in a cookie, then
the customer's language, then the browser's `Accept-Language`, then the site's; each
language is cached apart, so nobody is served a page cached for a reader of another."""

from __future__ import annotations

import pytest

from tests.support import factories

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
JAPANESE = {"Accept-Language": "ja-JP,ja;q=0.9"}


@pytest.fixture
async def world(client, keys):  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    incident = await factories.incident(
        client,
        keys["responder"],
        "Slow API",
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "The API is slow.")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    client.cookies.clear()
    return {
        "incident": incident,
        "acme": "/" + acme["page_url"].split("/", 3)[3].rstrip("/"),
        "acme_id": acme["id"],
    }


async def test_a_browser_asking_for_german_gets_the_page_in_german(client, world):
    response = await client.get("/", headers=GERMAN)
    assert response.headers["content-language"] == "de"
    assert '<html lang="de"' in response.text
    assert "Teilausfall" in response.text
    assert "Dienste" in response.text
    vary = response.headers["vary"]
    assert "Accept-Language" in vary and "Cookie" in vary


async def test_a_browser_with_no_language_we_speak_gets_the_site_language(client, world):
    response = await client.get("/", headers={"Accept-Language": "pt-BR, pt;q=0.8"})
    assert response.headers["content-language"] == "en"
    assert '<html lang="en"' in response.text
    assert "Partial outage" in response.text


@pytest.mark.settings(language="fr")
async def test_the_site_language_is_the_default_when_the_browser_names_none(client, world):
    response = await client.get("/")
    assert response.headers["content-language"] == "fr"
    assert "Panne partielle" in response.text


async def test_a_german_reader_never_gets_the_english_page_cached_before(client, world):
    english = await client.get("/")
    german = await client.get("/", headers=GERMAN)
    english_again = await client.get("/")
    japanese = await client.get("/", headers=JAPANESE)
    assert "Partial outage" in english.text and "Partial outage" in english_again.text
    assert "Teilausfall" in german.text and "Partial outage" not in german.text
    assert "部分的な障害" in japanese.text
    # Each language has its own rendering, so its own ETag.
    tags = {r.headers["etag"] for r in (english, german, japanese)}
    assert len(tags) == 3
    assert english.headers["etag"] == english_again.headers["etag"]


async def test_an_english_etag_does_not_revalidate_the_german_page(client, world):
    english = await client.get("/")
    german = await client.get("/", headers={**GERMAN, "If-None-Match": english.headers["etag"]})
    assert german.status_code == 200
    assert german.headers["content-language"] == "de"


async def test_choosing_a_language_is_kept_for_the_next_pages(client, world):
    chosen = await client.get("/history?lang=ja")
    assert chosen.headers["content-language"] == "ja"
    cookie = chosen.headers["set-cookie"]
    assert "tidings_language=ja" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "max-age=31536000" in cookie.lower()
    # The cookie now chooses, over the browser's own wish.
    later = await client.get(f"/incidents/{world['incident']['id']}", headers=GERMAN)
    assert later.headers["content-language"] == "ja"
    assert "更新情報" in later.text


async def test_the_choice_beats_the_browser_and_the_customer(client, world, keys):
    await client.patch(
        f"/api/v1/customers/{world['acme_id']}", json={"language": "es"}, headers=keys["admin"]
    )
    client.cookies.clear()
    response = await client.get(world["acme"] + "/?lang=de", headers=JAPANESE)
    assert response.headers["content-language"] == "de"


async def test_an_unknown_language_choice_is_ignored_and_not_kept(client, world):
    response = await client.get("/?lang=xx", headers=GERMAN)
    assert response.status_code == 200
    assert response.headers["content-language"] == "de"
    assert "set-cookie" not in response.headers


async def test_a_customer_page_opens_in_the_customer_language(client, world, keys):
    changed = await client.patch(
        f"/api/v1/customers/{world['acme_id']}", json={"language": "ja"}, headers=keys["admin"]
    )
    assert changed.json()["language"] == "ja"
    client.cookies.clear()
    page = await client.get(world["acme"] + "/", headers=GERMAN)
    assert page.headers["content-language"] == "ja"
    assert "ご利用のサービス" in page.text
    # The public page is not the customer's: the browser decides there.
    assert (await client.get("/", headers=GERMAN)).headers["content-language"] == "de"


async def test_a_customer_page_follows_a_change_of_the_customer_language(client, world, keys):
    first = await client.get(world["acme"] + "/")
    assert first.headers["content-language"] == "en"
    await client.patch(
        f"/api/v1/customers/{world['acme_id']}", json={"language": "de"}, headers=keys["admin"]
    )
    client.cookies.clear()
    again = await client.get(world["acme"] + "/")
    assert again.headers["content-language"] == "de"


async def test_every_page_names_its_languages_for_search_engines_and_readers(client, world):
    page = (await client.get("/history?page=2", headers=GERMAN)).text
    for code in ("en", "de", "fr", "es", "ja"):
        assert (
            f'hreflang="{code}" href="http://status.example.test/history?page=2&amp;lang={code}"'
            in page
        )
    assert 'hreflang="x-default" href="http://status.example.test/history?page=2"' in page
    # The switch names each language in itself, the page's own marked current.
    assert 'lang="de" aria-current="true">Deutsch</a>' in page
    assert ">日本語</a>" in page


async def test_the_subscribe_page_and_the_error_page_speak_the_reader_language(client, world):
    subscribe = await client.get("/subscribe", headers=JAPANESE)
    assert subscribe.headers["content-language"] == "ja"
    assert "メールアドレス" in subscribe.text
    missing = await client.get("/incidents/nothing-here", headers={**GERMAN, "Accept": "text/html"})
    assert missing.status_code == 404
    assert '<html lang="de"' in missing.text
    assert "Nicht gefunden" in missing.text


async def test_feeds_and_badges_say_their_labels_in_the_reader_language(client, world):
    feed = await client.get("/feed.atom", headers=GERMAN)
    assert feed.headers["content-language"] == "de"
    assert "Störungsverlauf" in feed.text
    badge = await client.get("/badge.svg", headers=JAPANESE)
    assert badge.headers["content-language"] == "ja"
    assert "ステータス" in badge.text
    # The Statuspage JSON stays in the site's language.
    summary = await client.get("/api/v2/summary.json", headers=GERMAN)
    assert "content-language" not in summary.headers


async def test_pages_answered_before_routing_keep_each_language_apart(client, app, world):
    for headers in ({}, GERMAN, JAPANESE):
        await client.get("/", headers=headers)
    cache = app.state.page_cache
    # Each language the browsers asked for is known for this URL, answered from memory.
    for wants in (None, "de", "ja"):
        assert cache.for_url(("/", b""), wants) is not None
    assert cache.for_url(("/", b""), "fr") is None
    answers = [await client.get("/", headers=h) for h in (JAPANESE, {}, GERMAN)]
    assert [a.headers["content-language"] for a in answers] == ["ja", "en", "de"]
    assert "部分的な障害" in answers[0].text and "Teilausfall" in answers[2].text


async def test_a_reader_choice_is_never_remembered_for_other_readers(client, app, world):
    # A reader who chose Japanese (cookie) asks with no Accept-Language: the URL must not
    # be remembered as Japanese for the next reader without a choice.
    await client.get("/?lang=ja")
    assert (await client.get("/")).headers["content-language"] == "ja"
    client.cookies.clear()
    assert (await client.get("/")).headers["content-language"] == "en"
