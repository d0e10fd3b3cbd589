"""API keys: no key or a bad one answers 401; an admin creates and revokes keys."""

from __future__ import annotations


async def test_no_key_answers_401_and_a_bad_key_answers_401(client):
    assert (await client.get("/api/v1/incidents")).status_code == 401
    response = await client.get("/api/v1/incidents", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


async def test_an_admin_creates_a_key_sees_it_once_and_can_revoke_it(client, keys):
    created = await client.post(
        "/api/v1/api-keys", json={"name": "pager", "role": "responder"}, headers=keys["admin"]
    )
    assert created.status_code == 201
    raw = created.json()["key"]
    headers = {"Authorization": f"Bearer {raw}"}
    assert (await client.get("/api/v1/incidents", headers=headers)).status_code == 200
    listed = (await client.get("/api/v1/api-keys", headers=keys["admin"])).json()
    assert all(k["key"] is None for k in listed)
    await client.post(f"/api/v1/api-keys/{created.json()['id']}/revoke", headers=keys["admin"])
    assert (await client.get("/api/v1/incidents", headers=headers)).status_code == 401
    assert (
        await client.post(
            "/api/v1/api-keys", json={"name": "x", "role": "admin"}, headers=keys["comms_lead"]
        )
    ).status_code == 403
