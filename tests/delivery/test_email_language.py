"""Each subscriber reads their emails in their language: the subscriber's own, else their
customer's, else the site's. The words around the update (subject, headings, the promise
line, the footer and its links), the dates, `Content-Language` and `<html lang>` follow it;
the update's own words stay as they were published."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from app.customers.models import Customer
from tests.support import factories
from tests.support.delivery import drain
from tests.support.update_email import send_update

pytestmark = pytest.mark.settings(time_zone="Europe/Paris")


async def test_a_german_subscriber_gets_the_update_email_in_german(client, keys, smtp, worker):
    html, text = await send_update(
        client, keys, smtp, worker, customer="Acme Logistics", language="de"
    )
    (message,) = smtp.to("ops@example.org")
    assert message["Content-Language"] == "de"
    assert message["Subject"].startswith("[Example für Acme Logistics] ")
    assert '<html lang="de">' in html
    for part in (html, text):
        assert "Veröffentlicht am " in part
        assert "Nächstes Update bis 15. Jan., 14:30 CET" in part  # Babel's German date
        assert "Auswirkung: " in part
        assert "Betroffene Komponenten, aktueller Stand" in part
        assert "Zeiten in CET." in part
        assert "weil Sie die Statusmeldungen von Example für Acme Logistics abonniert haben" in part
        assert "Some requests" in part  # the words as published
        assert "Posted" not in part and "Next update by" not in part
    assert "Komponenten wählen oder abbestellen</a>" in html
    assert "Diese Störung auf der Statusseite ansehen" in html
    assert "Statusseite von Acme Logistics: http" in text


async def test_a_japanese_subscriber_gets_the_update_email_in_japanese(client, keys, smtp, worker):
    html, text = await send_update(client, keys, smtp, worker, language="ja")
    (message,) = smtp.to("ops@example.org")
    assert message["Content-Language"] == "ja"
    assert '<html lang="ja">' in html
    for part in (html, text):
        assert "投稿日時: 2031年" not in part  # posted now, not at the promise
        assert "投稿日時: " in part
        assert "次回更新予定: 1月15日 14:30 CET" in part
        assert "影響を受けるコンポーネント\uff08現在の状態\uff09" in part  # full-width brackets
        assert "Example のステータス更新を購読しているため" in part
    assert "ステータスページでこの障害を見る" in html
    assert "コンポーネントの選択・配信停止" in html


async def test_an_english_subscriber_still_reads_english_dates_and_words(
    client, keys, smtp, worker
):
    html, text = await send_update(client, keys, smtp, worker, language="en")
    (message,) = smtp.to("ops@example.org")
    assert message["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "Next update by Jan 15, 14:30 CET" in text


async def _set_customer_language(sessionmaker, customer_id: str, language: str) -> None:
    # The customers API takes a language on the page side of this work; here the row is set.
    async with sessionmaker() as session:
        await session.execute(
            update(Customer).where(Customer.id == customer_id).values(language=language)
        )
        await session.commit()


async def _publish_to_everyone(client, keys, api) -> None:
    incident = await factories.incident(
        client, keys["responder"], "API errors", components=[{"id": api["id"]}]
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking into it.")


@pytest.mark.settings(language="fr")
async def test_without_a_language_of_their_own_a_subscriber_reads_their_customers_else_the_sites(
    client, keys, smtp, worker, sessionmaker
):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    globex = await factories.customer(client, keys["admin"], "Globex", [api["id"]])
    await _set_customer_language(sessionmaker, acme["id"], "es")
    lead = keys["comms_lead"]
    await factories.contact(client, lead, "ops@acme.test", customer=acme["id"])
    await factories.contact(client, lead, "de@acme.test", customer=acme["id"], language="de")
    await factories.contact(client, lead, "ops@globex.test", customer=globex["id"])
    await factories.contact(client, lead, "reader@example.org")
    await _publish_to_everyone(client, keys, api)
    await drain(worker)

    languages = {m["To"]: m["Content-Language"] for m in smtp.messages}
    assert languages == {
        "ops@acme.test": "es",  # the customer's language
        "de@acme.test": "de",  # the subscriber's own wins over it
        "ops@globex.test": "fr",  # a customer without one: the site's
        "reader@example.org": "fr",  # the public: the site's
    }
    (spanish,) = smtp.to("ops@acme.test")
    assert "Publicado el " in spanish.get_body(("plain",)).get_content()
    (french,) = smtp.to("reader@example.org")
    assert "Publié le " in french.get_body(("plain",)).get_content()
