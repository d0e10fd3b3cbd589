"""One error, three readers: our API, a Statuspage client, a browser. Each hears the same
status and the same sentence, in the form it understands."""

from __future__ import annotations

from app.settings import page_id_for


async def test_an_unknown_incident_reads_the_same_in_each_api_and_on_a_page(client, keys, settings):
    key = keys["responder"]["Authorization"].split(" ", 1)[1]
    ours = await client.get(
        "/api/v1/incidents/nosuchthing1", headers={"Authorization": f"Bearer {key}"}
    )
    statuspage = await client.get(
        f"/v1/pages/{page_id_for(settings)}/incidents/nosuchthing1",
        headers={"Authorization": f"OAuth {key}"},
    )
    page = await client.get("/incidents/nosuchthing1", headers={"Accept": "text/html"})

    assert ours.status_code == statuspage.status_code == page.status_code == 404
    assert ours.headers["content-type"].startswith("application/problem+json")
    sentence = ours.json()["detail"]
    assert "nosuchthing1" in sentence
    assert statuspage.json() == {"error": sentence, "message": sentence}
    assert page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text


async def test_a_refused_key_reads_as_statuspage_writes_it_on_the_manage_api(client, settings):
    response = await client.get(
        f"/v1/pages/{page_id_for(settings)}/components",
        headers={"Authorization": "OAuth not-a-key"},
    )
    assert response.status_code == 401
    assert set(response.json()) == {"error", "message"}
    assert "not valid" in response.json()["error"]


async def test_a_bad_query_parameter_names_itself_in_both_apis(client, keys, settings):
    bearer = keys["responder"]
    oauth = {"Authorization": "OAuth " + bearer["Authorization"].split(" ", 1)[1]}
    ours = await client.get("/api/v1/incidents?limit=abc", headers=bearer)
    statuspage = await client.get(
        f"/v1/pages/{page_id_for(settings)}/incidents?page=abc", headers=oauth
    )
    assert ours.status_code == statuspage.status_code == 422
    assert ours.json()["detail"].startswith("limit:")
    assert statuspage.json()["error"].startswith("page:")
