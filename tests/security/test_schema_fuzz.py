"""Generated requests from the app's own OpenAPI schema (/schema/openapi.json), over the
team's API (/api/v1) and the Manage API (/v1): whatever a caller with the admin key sends,
the answer is never a 5xx.

Schemathesis turns each operation of the schema into a Hypothesis strategy of requests
(valid and invalid bodies, parameters and query strings); this suite sends them through the
same test client as every other test, so they run on the suite's SQLite or PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app.settings import page_id_for

FUZZED = ("/api/v1/", "/v1/")
SENT: list[int] = []  # the status of each request sent (for the figures)

SETTINGS: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "phases": [Phase.explicit, Phase.reuse, Phase.generate],
    "suppress_health_check": list(HealthCheck),
}


def operations(raw: dict[str, Any], page_id: str) -> list[Any]:
    """Every operation of the two APIs, the Manage API's page id fixed to this page's."""
    schema = schemathesis.openapi.from_dict(raw)
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(FUZZED):
            found.append(operation)
    return found


async def send(client: Any, case: Any, headers: dict[str, str], page_id: str) -> Any:
    if case.path_parameters and "page_id" in case.path_parameters:
        case.path_parameters["page_id"] = page_id
    kwargs = case.as_transport_kwargs(base_url="http://status.example.test", headers=headers)
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        body["content"] = data if isinstance(data, bytes | str) else None
        if body["content"] is None:
            body = {"data": data}
    return await client.request(
        kwargs["method"],
        kwargs["url"],
        params=kwargs.get("params"),
        headers={k: str(v) for k, v in (kwargs.get("headers") or {}).items()},
        **body,
    )


async def no_request_gets_a_5xx(data: Any, client: Any, keys: dict, settings: Any) -> None:
    page_id = page_id_for(settings)
    if not STRATEGIES:  # the schema is read once, from the app as it serves it
        raw = (await client.get("/schema/openapi.json")).json()
        STRATEGIES.extend(op.as_strategy() for op in operations(raw, page_id))
    case = data.draw(st.sampled_from(STRATEGIES).flatmap(lambda strategy: strategy))
    response = await send(client, case, keys["admin"], page_id)
    SENT.append(response.status_code)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    )


STRATEGIES: list[Any] = []  # one per operation, built on first use


@hypothesis_settings(max_examples=150, derandomize=True, **SETTINGS)
@given(data=st.data())
async def test_no_generated_request_gets_a_5xx(data, client, keys, settings):
    await no_request_gets_a_5xx(data, client, keys, settings)


@pytest.mark.soak
@hypothesis_settings(max_examples=3000, **SETTINGS)
@given(data=st.data())
async def test_no_generated_request_gets_a_5xx_over_many(data, client, keys, settings):
    await no_request_gets_a_5xx(data, client, keys, settings)
