"""Bad input answers a clear 4xx on both databases, never a 500 (found by fuzzing the API)."""

from __future__ import annotations

import pytest

from tests.support import factories


async def test_a_nul_character_is_refused_the_same_on_sqlite_and_postgresql(client, keys):
    response = await client.post(
        "/api/v1/incidents", json={"title": "bad\u0000title"}, headers=keys["responder"]
    )
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]
    form = await client.post(
        "/api/v1/subscribers/import",
        content=b"a@example.com\x00\n",
        headers={**keys["admin"], "Content-Type": "text/csv"},
    )
    assert form.status_code == 422


@pytest.mark.parametrize("position", [2**40, -(2**70), 10**30])
async def test_numbers_the_database_cannot_hold_are_refused(client, keys, position):
    component = await factories.component(client, keys["admin"], "API")
    response = await client.patch(
        f"/api/v1/components/{component['id']}", json={"position": position}, headers=keys["admin"]
    )
    assert response.status_code == 422
    assert "position" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/incidents?offset=999999999999999999999",
        "/api/v1/subscribers?offset=999999999999999999999",
        "/api/v1/maintenances?limit=100000000000000000000",
    ],
)
async def test_huge_paging_values_are_refused(client, keys, path):
    response = await client.get(path, headers=keys["admin"])
    assert response.status_code in (400, 422)


async def test_a_huge_tone_rule_limit_is_refused(client, keys):
    response = await client.patch(
        "/api/v1/tone-rules/length", json={"limit": 10**30}, headers=keys["comms_lead"]
    )
    assert response.status_code == 422
