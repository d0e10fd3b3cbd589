"""Badges and the banner script other sites embed."""

from __future__ import annotations

from tests.support import factories


async def test_the_overall_badge_says_operational_then_the_public_status(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    await factories.component(client, keys["admin"], "Web")
    calm = await client.get("/badge.svg")
    assert calm.status_code == 200
    assert calm.headers["content-type"].startswith("image/svg+xml")
    assert "status: operational" in calm.text
    incident = await factories.incident(
        client,
        keys["comms_lead"],
        "API down",
        components=[{"id": api["id"], "status": "major_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "API is down.")
    assert "status: partial outage" in (await client.get("/badge.svg")).text
    component = await client.get(f"/components/{api['id']}/badge.svg")
    assert "API: major outage" in component.text
    assert component.headers["etag"]
    assert (
        await client.get(
            f"/components/{api['id']}/badge.svg",
            headers={"If-None-Match": component.headers["etag"]},
        )
    ).status_code == 304


async def test_badges_show_the_public_view_only(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    incident = await factories.incident(
        client,
        keys["comms_lead"],
        "Acme only",
        visibility="customers",
        customers=[acme["id"]],
        components=[{"id": api["id"], "status": "major_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Acme is affected.")
    assert "status: operational" in (await client.get("/badge.svg")).text
    assert "API: operational" in (await client.get(f"/components/{api['id']}/badge.svg")).text


async def test_a_badge_escapes_the_component_name_and_unknown_ids_answer_404(client, keys):
    odd = await factories.component(client, keys["admin"], "R&D <lab>")
    text = (await client.get(f"/components/{odd['id']}/badge.svg")).text
    assert "R&amp;D &lt;lab&gt;" in text
    assert "<lab>" not in text
    assert (await client.get("/components/nosuchthing1/badge.svg")).status_code == 404


async def test_embed_js_is_served_as_a_script_that_reads_summary_json(client):
    response = await client.get("/embed.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "/api/v2/summary.json" in response.text
    assert "innerHTML" not in response.text  # status text is never parsed as markup
