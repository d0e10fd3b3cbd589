"""What was sent to one subscriber, over the JSON API (served beside the deliveries)."""

from __future__ import annotations

from tests.support import factories


async def _contact(client, keys, address: str) -> dict:
    response = await client.post(
        "/api/v1/subscribers",
        json={"kind": "email", "address": address},
        headers=keys["comms_lead"],
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_subscribers_deliveries_list_each_update_sent_to_it_newest_first(client, keys):
    reader = await _contact(client, keys, "reader@example.org")
    other = await _contact(client, keys, "other@example.org")
    incident = await factories.incident(client, keys["responder"], "Outage")
    first = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    second = await factories.publish(
        client, keys["comms_lead"], incident["id"], "Fixed.", "resolved"
    )

    response = await client.get(
        f"/api/v1/subscribers/{reader['id']}/deliveries", headers=keys["comms_lead"]
    )

    assert response.status_code == 200, response.text
    rows = response.json()
    assert [row["update_id"] for row in rows] == [second["id"], first["id"]]
    assert {row["subscriber_id"] for row in rows} == {reader["id"]}
    assert all(row["message"] == "incident-update" for row in rows)
    assert all(row["state"] == "pending" and row["channel"] == "email" for row in rows)
    assert other["id"] not in response.text


async def test_a_subscribers_deliveries_need_a_comms_lead_and_an_existing_subscriber(client, keys):
    reader = await _contact(client, keys, "reader@example.org")
    path = f"/api/v1/subscribers/{reader['id']}/deliveries"

    assert (await client.get(path, headers=keys["responder"])).status_code == 403
    missing = await client.get(
        "/api/v1/subscribers/nosuchid/deliveries", headers=keys["comms_lead"]
    )
    assert missing.status_code == 404
    assert "nosuchid" in missing.json()["detail"]
