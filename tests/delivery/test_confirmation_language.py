"""The confirmation and "already subscribed" emails are written in the reader's language:
their own, else their customer's, else the site's."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from app.customers.models import Customer
from app.subscribers import tokens
from tests.support import factories
from tests.support.delivery import drain

HOURS = tokens.CONFIRM_SECONDS // 3600


@pytest.mark.settings(language="ja")
async def test_on_a_japanese_site_the_confirmation_email_is_japanese(client, smtp, worker):
    response = await client.post("/subscribe", data={"email": "reader@example.org"})
    assert response.status_code == 200
    await drain(worker)
    (confirmation,) = smtp.to("reader@example.org")
    assert confirmation["Content-Language"] == "ja"
    assert confirmation["Subject"] == "Example のステータス更新の登録を確認してください"
    text = confirmation.get_body(("plain",)).get_content()
    assert f"{HOURS} 時間以内に確認してください: http://status.example.test/" in text
    html = confirmation.get_body(("html",)).get_content()
    assert '<html lang="ja">' in html and "登録を確認する</a>" in html


async def test_on_a_german_customers_page_the_confirmation_email_is_german(
    client, keys, smtp, worker, sessionmaker
):
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    async with sessionmaker() as session:
        await session.execute(
            update(Customer).where(Customer.id == acme["id"]).values(language="de")
        )
        await session.commit()
    response = await client.post(f"{acme['page_url']}subscribe", data={"email": "ops@acme.test"})
    assert response.status_code == 200
    await drain(worker)
    (confirmation,) = smtp.to("ops@acme.test")
    assert confirmation["Content-Language"] == "de"
    assert confirmation["Subject"] == (
        "Bestätigen Sie Ihr Abonnement der Statusmeldungen von Example für Acme"
    )
    text = confirmation.get_body(("plain",)).get_content()
    assert f"Bitte innerhalb von {HOURS} Stunden bestätigen: " in text
    assert "Falls Sie das nicht waren, ignorieren Sie diese Nachricht" in text


async def test_a_french_subscriber_asking_again_is_told_in_french(client, keys, smtp, worker):
    await factories.contact(client, keys["comms_lead"], "lecteur@example.org", language="fr")
    response = await client.post("/subscribe", data={"email": "lecteur@example.org"})
    assert response.status_code == 200
    await drain(worker)
    (told,) = smtp.to("lecteur@example.org")
    assert told["Content-Language"] == "fr"
    assert told["Subject"] == "Vous êtes déjà abonné aux mises à jour de statut de Example"
    text = told.get_body(("plain",)).get_content()
    assert "Elle les reçoit déjà : rien n'a changé." in text
    assert "Choisissez ce dont vous êtes informé, ou désabonnez-vous : http" in text
