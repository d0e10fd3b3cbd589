"""Once words are out, who reads them and the title everyone reads are a publishing act:
the attacks of a responder key, as reported, through the JSON API and the Manage API."""

from __future__ import annotations

from app.settings import page_id_for
from tests.support import factories

SECRET = "db-7 lost its disk; failing over by hand"


async def test_a_responder_cannot_put_internal_words_on_the_public_page(client, keys):
    incident = await factories.incident(
        client, keys["responder"], "Database failover", visibility="internal"
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], SECRET)
    refused = await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"visibility": "public"},
        headers=keys["responder"],
    )
    assert refused.status_code == 403
    assert "comms_lead" in refused.json()["detail"] or "comms lead" in refused.json()["detail"]
    assert SECRET not in (await client.get("/")).text
    assert SECRET not in (await client.get("/api/v2/incidents.json")).text


async def test_a_responder_cannot_move_one_customers_words_to_another(client, keys):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    globex = await factories.customer(client, keys["admin"], "Globex", [])
    incident = await factories.incident(
        client,
        keys["responder"],
        "Acme's API keys",
        customers=[acme["id"]],
        visibility="customers",
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Acme's keys rotate.")
    refused = await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"customers": [globex["id"]]},
        headers=keys["responder"],
    )
    assert refused.status_code == 403
    assert "Acme's keys rotate." in (await client.get(acme["page_url"])).text
    assert "Acme's keys rotate." not in (await client.get(globex["page_url"])).text


async def test_a_new_title_from_a_responder_does_not_go_out_through_either_api(
    client, keys, settings
):
    incident = await factories.incident(client, keys["responder"], "Slow search")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Search is slow.")
    json_api = await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"title": "Nothing to see"},
        headers=keys["responder"],
    )
    oauth = {"Authorization": "OAuth " + keys["responder"]["Authorization"].split(" ", 1)[1]}
    manage = await client.patch(
        f"/v1/pages/{page_id_for(settings)}/incidents/{incident['id']}",
        json={"incident": {"name": "Nothing to see"}},
        headers=oauth,
    )
    assert (json_api.status_code, manage.status_code) == (403, 403)
    assert "Nothing to see" not in (await client.get("/")).text


async def test_a_comms_lead_may_change_the_audience_and_the_change_is_audited(client, keys):
    incident = await factories.incident(
        client, keys["responder"], "Database failover", visibility="internal"
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Failing over.")
    changed = await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"visibility": "public"},
        headers=keys["comms_lead"],
    )
    assert changed.status_code == 200, changed.text
    audit = await client.get(
        f"/api/v1/incidents/{incident['id']}/audit", headers=keys["comms_lead"]
    )
    edits = [e for e in audit.json() if e["action"] == "incident.edit"]
    assert edits and edits[-1]["detail"]["changed"] == ["visibility"]
