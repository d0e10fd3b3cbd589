"""The customers API: who may create customers, and each customer's private page address."""

from __future__ import annotations

from tests.support import factories


async def test_a_responder_cannot_create_customers(client, keys):
    response = await client.post(
        "/api/v1/customers", json={"name": "Acme"}, headers=keys["responder"]
    )
    assert response.status_code == 403


async def test_customer_answers_carry_their_page_url_and_tokens_rotate(client, keys):
    created = await factories.customer(client, keys["admin"], "Acme", [])
    assert created["page_url"].startswith("http://status.example.test/c/")
    rotated = (
        await client.post(f"/api/v1/customers/{created['id']}/rotate-token", headers=keys["admin"])
    ).json()
    assert rotated["page_url"] != created["page_url"]
    old_token = created["page_url"].rstrip("/").rsplit("/", 1)[1]
    assert (await client.get(f"/c/{old_token}/")).status_code == 404
