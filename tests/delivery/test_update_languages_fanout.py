"""Each subscriber reads an update in their language: English, German and Japanese readers of
one update each get their own words by email (a real SMTP server on loopback), and a reader
whose language the update does not carry gets the site's words with a line, in their
language, saying the update is not yet available in it."""

from __future__ import annotations

from sqlalchemy import update

from app.subscribers.models import Subscriber
from tests.support import factories
from tests.support.delivery import drain

ENGLISH = "Some API requests fail. We are on it."
GERMAN = "Einige API-Anfragen schlagen fehl. Wir arbeiten daran."
JAPANESE = "一部のAPIリクエストが失敗しています。対応中です。"
NOT_YET_JA = "この更新はまだお使いの言語では提供されていません。"
NOT_YET_DE = "Dieses Update ist in Ihrer Sprache noch nicht verfügbar."


def _words(message) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


async def _readers(client, keys, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    for address, language in (
        ("en@example.org", "en"),
        ("de@example.org", "de"),
        ("ja@example.org", "ja"),
    ):
        made = await factories.contact(client, keys["comms_lead"], address)
        async with sessionmaker() as session:
            await session.execute(
                update(Subscriber).where(Subscriber.id == made["id"]).values(language=language)
            )
            await session.commit()


async def test_english_german_and_japanese_subscribers_each_get_their_own_words(
    client, keys, smtp, worker, sessionmaker
):
    await factories.component(client, keys["admin"], "API")
    await _readers(client, keys, sessionmaker)
    incident = await factories.incident(client, keys["comms_lead"], "API errors")
    await factories.publish(
        client,
        keys["comms_lead"],
        incident["id"],
        ENGLISH,
        translations={"de": GERMAN, "ja": JAPANESE},
    )
    await drain(worker)

    (en,) = smtp.to("en@example.org")
    (de,) = smtp.to("de@example.org")
    (ja,) = smtp.to("ja@example.org")
    for message, own, others in (
        (en, ENGLISH, (GERMAN, JAPANESE)),
        (de, GERMAN, (ENGLISH, JAPANESE)),
        (ja, JAPANESE, (ENGLISH, GERMAN)),
    ):
        text, html = _words(message)
        assert own in text and own in html
        assert not any(other in text for other in others)
        assert NOT_YET_JA not in text and NOT_YET_DE not in text


async def test_a_japanese_reader_of_an_update_without_japanese_words_gets_english_and_a_note(
    client, keys, smtp, worker, sessionmaker
):
    await factories.component(client, keys["admin"], "API")
    await _readers(client, keys, sessionmaker)
    incident = await factories.incident(client, keys["comms_lead"], "API errors")
    await factories.publish(
        client, keys["comms_lead"], incident["id"], ENGLISH, translations={"de": GERMAN}
    )
    await drain(worker)

    text, html = _words(smtp.to("ja@example.org")[0])
    assert ENGLISH in text and ENGLISH in html
    assert NOT_YET_JA in text and NOT_YET_JA in html
    assert text.index(NOT_YET_JA) < text.index(ENGLISH), "the note comes before the words"
    german_text, _ = _words(smtp.to("de@example.org")[0])
    assert GERMAN in german_text and NOT_YET_DE not in german_text
    english_text, _ = _words(smtp.to("en@example.org")[0])
    assert ENGLISH in english_text and NOT_YET_JA not in english_text
