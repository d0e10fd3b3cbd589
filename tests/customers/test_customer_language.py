"""A customer has a language: its page opens in it and its readers' messages use it. The API
and the desk set it; a language we do not speak is refused with a message naming ours."""

from __future__ import annotations

from app.accounts.models import Role
from tests.support import factories


async def test_a_customer_is_created_read_and_changed_with_its_language(client, keys):
    made = await client.post(
        "/api/v1/customers", json={"name": "Acme", "language": "de-AT"}, headers=keys["admin"]
    )
    assert made.status_code == 201, made.text
    assert made.json()["language"] == "de"
    customer_id = made.json()["id"]
    read = await client.get(f"/api/v1/customers/{customer_id}", headers=keys["admin"])
    assert read.json()["language"] == "de"
    # Leaving it out changes nothing; null gives the customer the site's language again.
    renamed = await client.patch(
        f"/api/v1/customers/{customer_id}", json={"name": "Acme Corp"}, headers=keys["admin"]
    )
    assert renamed.json()["language"] == "de"
    cleared = await client.patch(
        f"/api/v1/customers/{customer_id}", json={"language": None}, headers=keys["admin"]
    )
    assert cleared.json()["language"] is None


async def test_a_language_we_do_not_speak_is_refused_with_the_languages_we_do(client, keys):
    refused = await client.post(
        "/api/v1/customers", json={"name": "Acme", "language": "klingon"}, headers=keys["admin"]
    )
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert "en, de, fr, es, ja" in detail and "klingon" in detail
    made = await factories.customer(client, keys["admin"], "Globex", [])
    changed = await client.patch(
        f"/api/v1/customers/{made['id']}", json={"language": "pt"}, headers=keys["admin"]
    )
    assert changed.status_code == 422


async def test_the_desk_sets_a_customer_language_and_the_page_opens_in_it(
    client, keys, desk_sign_in
):
    token = await desk_sign_in("ada", Role.ADMIN)
    new = await client.get("/admin/customers/new")
    assert "Language of their page and messages" in new.text
    made = await client.post(
        "/admin/customers/new",
        data={"_csrf": token, "name": "Acme", "language": "ja"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    (customer,) = (await client.get("/api/v1/customers", headers=keys["admin"])).json()
    assert customer["language"] == "ja"
    # The desk itself stays in English.
    page = await client.get(made.headers["location"])
    assert '<option value="ja" selected>' in page.text
    path = "/" + customer["page_url"].split("/", 3)[3]
    client.cookies.clear()
    opened = await client.get(path, headers={"Accept-Language": "en-US"})
    assert opened.headers["content-language"] == "ja"
