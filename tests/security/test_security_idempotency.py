"""An `Idempotency-Key` stands for one request: sent again with the same body it replays the
first answer; reused with another body it is refused, instead of answering the first
resource and silently dropping the second request."""

from __future__ import annotations

import json


async def test_an_idempotency_key_reused_with_another_body_answers_422_naming_the_key(client, keys):
    headers = {**keys["responder"], "Idempotency-Key": "deploy-42"}
    first = await client.post("/api/v1/incidents", json={"title": "API errors"}, headers=headers)

    other = await client.post("/api/v1/incidents", json={"title": "Database down"}, headers=headers)

    assert first.status_code == 201, first.text
    assert other.status_code == 422, other.text
    assert other.json()["detail"] == (
        "the Idempotency-Key 'deploy-42' was already used for a request with another body; "
        "a retry must send the same body, and a new request a new key"
    )
    listed = (await client.get("/api/v1/incidents", headers=keys["responder"])).json()
    assert [i["title"] for i in listed] == ["API errors"]


async def test_the_same_body_sent_again_under_its_key_still_replays_the_first_answer(client, keys):
    headers = {**keys["responder"], "Idempotency-Key": "deploy-43"}
    data = {"title": "API errors", "impact": "major"}
    first = await client.post("/api/v1/incidents", json=data, headers=headers)

    # The same JSON serialised again by a retrying client: other key order and spacing.
    again = json.dumps(dict(reversed(data.items())), indent=2).encode()
    retry = await client.post(
        "/api/v1/incidents", content=again, headers={**headers, "Content-Type": "application/json"}
    )

    assert first.status_code == retry.status_code == 201, retry.text
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    listed = (await client.get("/api/v1/incidents", headers=keys["responder"])).json()
    assert len(listed) == 1
