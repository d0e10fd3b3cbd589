"""An update's email is rendered once for each audience, not once per reader; each reader
still gets their own subscription links."""

from __future__ import annotations

import re

from app.subscribers import tokens
from tests.support import factories
from tests.support.delivery import drain

PUBLIC_READERS = 30
ACME_READERS = 5


async def test_an_update_to_many_readers_is_rendered_once_per_audience(
    client, keys, smtp, worker, settings
):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    readers = {}
    for n in range(PUBLIC_READERS):
        made = await factories.contact(client, keys["comms_lead"], f"reader{n}@example.org")
        readers[made["address"]] = made["id"]
    for n in range(ACME_READERS):
        made = await factories.contact(
            client, keys["comms_lead"], f"ops{n}@acme.test", customer=acme["id"]
        )
        readers[made["address"]] = made["id"]
    incident = await factories.incident(
        client, keys["responder"], "Elevated API errors", components=[{"id": api["id"]}]
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking into it.")

    await drain(worker)

    assert smtp.count() == PUBLIC_READERS + ACME_READERS
    # The public's words and Acme's (its name, its page's links): two renderings in all.
    assert worker.common.renders == 2

    for message in smtp.messages:
        subscriber = readers[message["To"]]
        unsubscribe = re.fullmatch(r"<(.+)/unsubscribe/([^/>]+)>", message["List-Unsubscribe"])
        assert unsubscribe, message["List-Unsubscribe"]
        token = unsubscribe.group(2)
        assert tokens.verify(settings.secret_key, tokens.MANAGE, token) == subscriber
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert f"/subscription/{token}" in text and f"/subscription/{token}" in html
        assert "tidings-reader-" not in text + html  # no stand-in left behind
        if message["To"].endswith("@acme.test"):
            assert "Acme" in text and "/c/" in text
        else:
            assert "Acme" not in text and "/c/" not in text

    # The next update is new words: rendered afresh, once per audience again.
    await factories.publish(client, keys["comms_lead"], incident["id"], "Found it.", "identified")
    await drain(worker)
    assert smtp.count() == 2 * (PUBLIC_READERS + ACME_READERS)
    assert worker.common.renders == 4


async def test_readers_of_three_languages_each_get_theirs_from_one_rendering_per_language(
    client, keys, smtp, worker
):
    await factories.component(client, keys["admin"], "API")
    languages = {"en": "Posted ", "de": "Veröffentlicht am ", "ja": "投稿日時: "}
    for language in languages:
        for n in range(4):
            await factories.contact(
                client, keys["comms_lead"], f"{language}{n}@example.org", language=language
            )
    incident = await factories.incident(client, keys["responder"], "Elevated API errors")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking into it.")

    await drain(worker)

    assert smtp.count() == 12
    # One audience (the public) in three languages: three renderings, not one per reader.
    assert worker.common.renders == 3
    for message in smtp.messages:
        language = message["To"][:2]
        assert message["Content-Language"] == language
        text = message.get_body(("plain",)).get_content()
        assert languages[language] in text
        assert "Looking into it." in text
        others = [posted for other, posted in languages.items() if other != language]
        assert not any(posted in text for posted in others)
