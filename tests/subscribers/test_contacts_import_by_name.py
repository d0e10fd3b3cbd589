"""Importing contacts names components as the page does, and a refused line is named and
kept in the form to fix, while the others go in."""

from __future__ import annotations

import html
import re

from tests.support import factories
from tests.support.desk import HTML, csrf, sign_in


async def _components(client, keys):  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    web = await factories.component(client, keys["admin"], "Web dashboard")
    await factories.component(client, keys["admin"], "Search")
    return api, web


async def _chosen(client, keys, address):  # type: ignore[no-untyped-def]
    listed = (await client.get("/api/v1/subscribers", headers=keys["comms_lead"])).json()
    (found,) = [s for s in listed if s["address"] == address]
    return found


async def test_the_api_import_takes_component_names_and_ids(client, keys):
    api, web = await _components(client, keys)
    response = await client.post(
        "/api/v1/subscribers/import",
        content=(
            "email,components\n"
            "ops@example.org,api,Web dashboard\n"
            f"cto@example.org,{api['id']} {web['id']}\n"
            "nobody@example.org,Mainframe\n"
        ),
        headers={**keys["comms_lead"], "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "created": 2,
        "skipped": 0,
        "errors": ["line 4: no component named 'Mainframe'"],
    }
    for address in ("ops@example.org", "cto@example.org"):
        found = await _chosen(client, keys, address)
        assert sorted(found["components"]) == sorted([api["id"], web["id"]]), found


def _textarea(page: str) -> str:
    found = re.search(r'<textarea id="csv"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "no import form"
    return html.unescape(found.group(1))


async def test_the_desk_import_keeps_the_refused_lines_in_the_form(client, users, keys):
    await _components(client, keys)
    await sign_in(client, "lead")
    page = (await client.get("/admin/subscribers")).text
    response = await client.post(
        "/admin/subscribers/import",
        data={
            "_csrf": csrf(page),
            "csv": "ops@example.org,API\nnot-an-address,API\nsre@example.org,Mainframe\n",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 200
    said = html.unescape(response.text)
    assert "Imported 1 contact, confirmed. 2 lines not imported, kept below to fix" in said
    assert "line 3: no component named 'Mainframe'" in said
    assert "line 2" in said
    assert _textarea(response.text) == "not-an-address,API\nsre@example.org,Mainframe"
    assert (await _chosen(client, keys, "ops@example.org"))["state"] == "active"


async def test_a_clean_desk_import_goes_back_to_the_list_with_a_notice(client, users, keys):
    await _components(client, keys)
    await sign_in(client, "lead")
    page = (await client.get("/admin/subscribers")).text
    response = await client.post(
        "/admin/subscribers/import",
        data={"_csrf": csrf(page), "csv": "ops@example.org,Search"},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Imported+1+contact" in response.headers["location"]


async def test_a_customers_import_keeps_the_refused_lines_too(client, users, keys):
    api, _web = await _components(client, keys)
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    await sign_in(client, "lead")
    page = (await client.get(f"/admin/customers/{acme['id']}")).text
    response = await client.post(
        f"/admin/customers/{acme['id']}/contacts/import",
        data={"_csrf": csrf(page), "csv": "ops@acme.test,API\nit@acme.test,Mainframe"},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 200
    assert "no component named &#39;Mainframe&#39;" in response.text
    assert _textarea(response.text) == "it@acme.test,Mainframe"
