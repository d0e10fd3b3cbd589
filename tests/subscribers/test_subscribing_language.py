"""A subscriber's language is chosen at subscribe: the page's language unless they choose
another on the form; the preferences page changes it."""

from __future__ import annotations

from sqlalchemy import select

from app.subscribers import tokens
from app.subscribers.models import Subscriber
from tests.support import factories


async def _language_of(db, address: str) -> str | None:  # type: ignore[no-untyped-def]
    return await db.scalar(select(Subscriber.language).where(Subscriber.address == address))


async def test_subscribing_on_a_german_page_records_german(client, db):
    form = await client.get("/subscribe", headers={"Accept-Language": "de"})
    assert '<option value="de" lang="de" selected>' in form.text
    response = await client.post(
        "/subscribe",
        data={"email": "leser@example.org", "language": "de"},
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 200
    assert "Bestätigungslink" in response.text
    assert await _language_of(db, "leser@example.org") == "de"


async def test_a_reader_may_choose_another_language_than_the_page(client, db):
    await client.post(
        "/subscribe",
        data={"email": "yomu@example.org", "language": "ja"},
        headers={"Accept-Language": "de"},
    )
    assert await _language_of(db, "yomu@example.org") == "ja"


async def test_a_form_without_a_choice_takes_the_page_language(client, db):
    await client.post("/subscribe?lang=fr", data={"email": "lecteur@example.org"})
    assert await _language_of(db, "lecteur@example.org") == "fr"


async def test_a_customer_page_subscriber_gets_the_customer_language(client, keys, db):
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    await client.patch(
        f"/api/v1/customers/{acme['id']}", json={"language": "es"}, headers=keys["admin"]
    )
    token = acme["page_url"].rstrip("/").rsplit("/", 1)[1]
    client.cookies.clear()
    await client.post(f"/c/{token}/subscribe", data={"email": "lector@example.org"})
    assert await _language_of(db, "lector@example.org") == "es"


async def test_the_preferences_page_changes_the_language(client, db, settings):
    await client.post("/subscribe", data={"email": "reader@example.org", "language": "en"})
    subscriber_id = await db.scalar(
        select(Subscriber.id).where(Subscriber.address == "reader@example.org")
    )
    manage = "/subscription/" + tokens.sign(settings.secret_key, tokens.MANAGE, subscriber_id)
    page = await client.get(manage, headers={"Accept-Language": "ja"})
    assert "お知らせの言語" in page.text
    assert '<option value="en" lang="en" selected>' in page.text
    saved = await client.post(manage, data={"language": "de"})
    assert saved.status_code == 200
    assert await _language_of(db, "reader@example.org") == "de"
    refused = await client.post(manage, data={"language": "xx"})
    assert refused.status_code == 422
    assert await _language_of(db, "reader@example.org") == "de"
