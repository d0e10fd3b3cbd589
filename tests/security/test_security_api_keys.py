"""A raw API key is shown once, in the answer to its create, and kept nowhere."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from app.web.idempotency import IdempotencyRecord


async def test_a_raw_key_is_not_stored_for_an_idempotent_replay_nor_answered_again(
    client, keys, sessionmaker
):
    headers = {**keys["admin"], "Idempotency-Key": "new-key-1"}
    first = await client.post(
        "/api/v1/api-keys", json={"name": "ci", "role": "responder"}, headers=headers
    )
    assert first.status_code == 201, first.text
    raw = first.json()["key"]
    assert raw.startswith("tid_")
    # The key works: it was really created.
    assert (
        await client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {raw}"})
    ).status_code == 200

    async with sessionmaker() as session:
        stored = (await session.scalars(select(IdempotencyRecord))).all()
    assert len(stored) == 1
    assert raw not in str(stored[0].body)
    assert raw[10:] not in str(stored[0].body)

    replay = await client.post(
        "/api/v1/api-keys", json={"name": "ci", "role": "responder"}, headers=headers
    )
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    again = replay.json()
    assert raw not in replay.text
    assert again["id"] == first.json()["id"]
    assert again["key"] is None
    assert "shown once" in again["note"]
    # Still one key, not two.
    listed = (await client.get("/api/v1/api-keys", headers=keys["admin"])).json()
    assert [k["name"] for k in listed].count("ci") == 1


async def test_a_webhook_signing_secret_is_not_stored_for_a_replay_either(
    client, keys, sessionmaker, settings
):
    client.app.state.settings = replace(settings, webhook_allow_private=False)
    headers = {**keys["comms_lead"], "Idempotency-Key": "hook-1"}
    body = {"kind": "webhook", "url": "https://93.184.216.34/hooks/status"}
    first = await client.post("/api/v1/subscribers", json=body, headers=headers)
    assert first.status_code == 201, first.text
    secret = first.json()["secret"]
    assert secret.startswith("whsec_")
    async with sessionmaker() as session:
        stored = (await session.scalars(select(IdempotencyRecord))).all()
    assert secret not in str(stored[0].body)
    replay = await client.post("/api/v1/subscribers", json=body, headers=headers)
    assert secret not in replay.text
    assert replay.json()["id"] == first.json()["id"]
    assert "shown once" in replay.json()["note"]


async def test_other_creates_still_replay_their_whole_first_answer(client, keys):
    headers = {**keys["admin"], "Idempotency-Key": "component-1"}
    first = await client.post("/api/v1/components", json={"name": "API"}, headers=headers)
    replay = await client.post("/api/v1/components", json={"name": "API"}, headers=headers)
    assert replay.status_code == 201
    assert replay.json() == first.json()
