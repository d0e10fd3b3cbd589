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


async def maintenance(
    client: AsyncTestClient,
    lead: dict[str, str],
    title: str = "Database upgrade",
    **fields: Any,
) -> dict[str, Any]:  # type: ignore[type-arg]
    """A window in 2099, announced at once (its first words published)."""
    return await _post(
        client,
        "/api/v1/maintenances",
        lead,
        {
            "title": title,
            "scheduled_for": "2099-01-01T02:00:00Z",
            "scheduled_until": "2099-01-01T04:00:00Z",
            "body": "Read-only for a moment.",
            "publish": True,
            **fields,
        },
    )


async def contact(
    client: AsyncTestClient, lead: dict[str, str], address: str, **fields: Any
) -> dict[str, Any]:  # type: ignore[type-arg]
    """An email subscriber added by the team: confirmed at once, no opt-in email."""
    body = {"kind": "email", "address": address, **fields}
    return await _post(client, "/api/v1/subscribers", lead, body)


async def webhook(
    client: AsyncTestClient, lead: dict[str, str], url: str, **fields: Any
) -> dict[str, Any]:  # type: ignore[type-arg]
    """A webhook subscriber; the answer carries its signing secret, this once."""
    body = {"kind": "webhook", "url": url, **fields}
    return await _post(client, "/api/v1/subscribers", lead, body)


async def alert(client: AsyncTestClient, responder: dict[str, str], **fields: Any) -> str:
    """A generic alert from monitoring; returns the id of the triage incident it opened or
    joined (by default the same one each time: same source and dedup key)."""
    body = {"source": "grafana", "dedup_key": "api-5xx", "title": "API 5xx spike", **fields}
    response = await client.post("/api/v1/intake/generic", json=body, headers=responder)
    assert response.status_code in (200, 201), response.text
    return response.json()["incident_id"]  # type: ignore[no-any-return]
