"""Which customers an incident's words are for, said by name before anything is published:
in the API's answers, on the declare form and on the queue card, which also says who joins
the incident with the words under review; and the audience recorded with published words."""

from __future__ import annotations

from tests.support import factories
from tests.support.desk import HTML, csrf, sign_in, text_of


async def _world(client, keys):  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    search = await factories.component(client, keys["admin"], "Search")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    initech = await factories.customer(client, keys["admin"], "Initech", [api["id"]])
    globex = await factories.customer(client, keys["admin"], "Globex", [search["id"]])
    return api, search, acme, initech, globex


async def test_the_api_names_the_customers_an_incident_affects_before_anything_is_published(
    client, users, keys
):
    api, _search, acme, initech, globex = await _world(client, keys)
    derived = await factories.incident(
        client,
        keys["responder"],
        "API errors",
        visibility="customers",
        components=[{"id": api["id"], "status": "major_outage"}],
    )
    named = await factories.incident(
        client,
        keys["responder"],
        "Globex's API keys",
        visibility="customers",
        components=[{"id": api["id"], "status": "major_outage"}],
        customers=[globex["id"]],
    )
    # Named customers are its customers; none named, the users of its components are.
    assert derived["affected_customers"] == [
        {"id": acme["id"], "name": "Acme"},
        {"id": initech["id"], "name": "Initech"},
    ]
    assert named["affected_customers"] == [{"id": globex["id"], "name": "Globex"}]
    read = await client.get(f"/api/v1/incidents/{named['id']}", headers=keys["responder"])
    assert read.json()["affected_customers"] == [{"id": globex["id"], "name": "Globex"}]
    listed = (await client.get("/api/v1/incidents", headers=keys["responder"])).json()
    assert {i["title"]: [c["name"] for c in i["affected_customers"]] for i in listed} == {
        "API errors": ["Acme", "Initech"],
        "Globex's API keys": ["Globex"],
    }
    # The desk's incident page says it too.
    await sign_in(client, "rita")
    page = text_of(await client.get(f"/admin/incidents/{named['id']}"))
    assert "customers: Globex (named)" in page
    page = text_of(await client.get(f"/admin/incidents/{derived['id']}"))
    assert "customers: Acme, Initech (using its components)" in page


async def test_published_words_carry_the_customers_they_were_published_for(client, keys):
    api, _search, acme, initech, _globex = await _world(client, keys)
    incident = await factories.incident(
        client,
        keys["responder"],
        "API errors",
        visibility="customers",
        components=[{"id": api["id"], "status": "major_outage"}],
    )
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Failing.")
    assert update["audience_customer_ids"] == sorted([acme["id"], initech["id"]])
    public = await factories.incident(client, keys["responder"], "Slow pages")
    everyone = await factories.publish(client, keys["comms_lead"], public["id"], "Slow.")
    assert everyone["audience_customer_ids"] is None  # public words: everyone, always


async def test_the_declare_form_names_the_customers_the_incident_would_affect(client, users, keys):
    api, _search, _acme, _initech, globex = await _world(client, keys)
    await sign_in(client, "rita")
    form = await client.get("/admin/declare")
    assert "used by Acme, Initech" in text_of(form)

    async def check(**fields: str) -> str:
        data = {"_csrf": csrf(form.text), "title": "API errors", "then": "check"}
        data.update(fields)
        response = await client.post("/admin/declare", data=data, headers=HTML)
        assert response.status_code == 200, response.text
        return text_of(response)

    derived = await check(visibility="customers", **{f"cs:{api['id']}": "major_outage"})
    assert "Customers it affects: Acme, Initech" in derived
    named = await check(
        visibility="customers", customers=globex["id"], **{f"cs:{api['id']}": "major_outage"}
    )
    assert "Customers it affects: Globex" in named
    # Checking declares nothing.
    listed = (await client.get("/api/v1/incidents", headers=keys["responder"])).json()
    assert listed == []


async def test_the_queue_card_says_who_joins_the_incident_with_the_words_under_review(
    client, users, keys
):
    api, search, acme, initech, _globex = await _world(client, keys)
    await client.patch(
        f"/api/v1/customers/{initech['id']}", json={"components": []}, headers=keys["admin"]
    )
    incident = await factories.incident(
        client,
        keys["responder"],
        "API errors",
        visibility="customers",
        components=[{"id": api["id"], "status": "major_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Your calls fail.")
    # Since then Initech uses the API, and the next words bring Search (Globex's) in.
    await client.patch(
        f"/api/v1/customers/{initech['id']}",
        json={"components": [api["id"]]},
        headers=keys["admin"],
    )
    draft = await client.post(
        f"/api/v1/incidents/{incident['id']}/drafts",
        json={
            "status": "identified",
            "body": "Search fails too; we know why.",
            "components": [{"id": search["id"], "status": "partial_outage"}],
        },
        headers=keys["responder"],
    )
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["update"]["id"]
    submitted = await client.post(
        f"/api/v1/updates/{draft_id}/submit", json={}, headers=keys["responder"]
    )
    assert submitted.status_code == 200, submitted.text

    [item] = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert item["customers"] == ["Acme", "Globex", "Initech"]
    assert item["joins"] == ["Globex", "Initech"]
    await sign_in(client, "lead")
    card = text_of(await client.get("/admin/queue"))
    assert "Globex joins this incident with this update" in card
    assert "Initech joins this incident with this update" in card
    assert "Acme joins" not in card

    approved = await client.post(
        f"/api/v1/updates/{draft_id}/approve", json={}, headers=keys["comms_lead"]
    )
    assert approved.status_code == 200, approved.text
    assert len(approved.json()["audience_customer_ids"]) == 3
    assert acme["id"] in approved.json()["audience_customer_ids"]


async def test_an_incident_opened_over_the_api_for_named_customers_is_theirs_unless_told_otherwise(
    client, keys
):
    api, _search, acme, _initech, globex = await _world(client, keys)
    named = await factories.incident(
        client,
        keys["responder"],
        "Acme's exports",
        components=[{"id": api["id"], "status": "degraded_performance"}],
        customers=[acme["id"]],
    )
    plain = await factories.incident(client, keys["responder"], "Slow search")
    chosen = await factories.incident(
        client,
        keys["responder"],
        "Globex, and everyone",
        customers=[globex["id"]],
        visibility="public",
    )
    # As on the declare form: naming customers makes the incident theirs, not the public's.
    assert named["visibility"] == "customers"
    assert plain["visibility"] == "public"
    assert chosen["visibility"] == "public"
    window = await factories.maintenance(
        client, keys["comms_lead"], "Acme's database move", customers=[acme["id"]]
    )
    assert window["visibility"] == "customers"
