"""Building the world through the API, the way a team would: one helper per thing."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient


async def _post(
    client: AsyncTestClient, path: str, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:  # type: ignore[type-arg]
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def component(
    client: AsyncTestClient, admin: dict[str, str], name: str, **fields: Any
) -> dict[str, Any]:  # type: ignore[type-arg]
    return await _post(client, "/api/v1/components", admin, {"name": name, **fields})


async def customer(
    client: AsyncTestClient, admin: dict[str, str], name: str, components: list[str]
) -> dict[str, Any]:  # type: ignore[type-arg]
    return await _post(client, "/api/v1/customers", admin, {"name": name, "components": components})


async def incident(
    client: AsyncTestClient, headers: dict[str, str], title: str, **fields: Any
) -> dict[str, Any]:  # type: ignore[type-arg]
    return await _post(client, "/api/v1/incidents", headers, {"title": title, **fields})


async def publish(
    client: AsyncTestClient,
    lead: dict[str, str],
    incident_id: str,
    body: str,
    status: str = "investigating",
    **fields: Any,
) -> dict[str, Any]:  # type: ignore[type-arg]
    return await _post(
        client,
        f"/api/v1/incidents/{incident_id}/updates",
        lead,
        {"status": status, "body": body, "publish": True, **fields},
    )
