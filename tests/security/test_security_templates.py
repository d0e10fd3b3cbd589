"""A tone template from a responder key can neither freeze the server nor fill its memory:
each attack is refused by the render's budget with a 422 naming the limit, and the server
still answers while a costly render runs (how promptly: bench/responsiveness.py)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.comms.wording.budget import MAX_SECONDS
from app.comms.wording.sandbox import TemplateProblem, render_text
from tests.support import factories

CONTEXT = {"title": "API errors", "components": ["API", "Search"], "impact": "major"}

BIG = "{% set a = 'x' * 40000 %}"
DOUBLINGS = BIG + "{% set a = a ~ a %}" * 13 + "{{ a|length }}"
RECURSIVE = "{% for x in range(21) recursive %}{{ loop(range(x)) }}{% endfor %}"
# About ten thousand cheap steps per block, eighty blocks: seconds of work that build no
# text, so the time budget (not the size budget) is what stops it.
SLOW = (
    "{% for i in range(100) %}{% for j in range(100) %}"
    "{% if i > j + title|length %}{% endif %}{% endfor %}{% endfor %}"
) * 80


def _names(limit: str, message: str) -> bool:
    """Does the refusal name `limit`? The slow template builds text as it runs: on a fast
    machine its size budget stops it before its time budget does; either is named."""
    if limit.startswith("takes longer"):
        return limit in message or "more than 10 MB" in message
    return limit in message


@pytest.mark.parametrize(
    ("source", "limit"),
    [
        (RECURSIVE, "may not use recursive loops"),
        (DOUBLINGS, "longer than 1,000,000 characters"),
        (BIG + "{% set a = a + a %}" * 13, "longer than 1,000,000 characters"),
        (BIG + "{{ a|replace('x', a)|length }}", "longer than 1,000,000 characters"),
        (BIG + "{{ a.replace('x', a)|length }}", "longer than 1,000,000 characters"),
        (BIG + "{{ range(100)|list|join(a)|length }}", "longer than 1,000,000 characters"),
        (BIG + "{{ ([a] * 100)|join|length }}", "longer than 1,000,000 characters"),
        (BIG + "{% set l = [a] * 1000 %}{{ l|string|length }}", "longer than 1,000,000"),
        (BIG + "{% set l = [a] * 1000 %}{{ (l ~ '')|length }}", "longer than 1,000,000"),
        ("{% set l = [1] %}" + "{% set l = l + l %}" * 20, "longer than 10,000 items"),
        (
            BIG + "{% filter length %}{% for i in range(100) %}{% for j in range(100) %}"
            "{{ a }}{% endfor %}{% endfor %}{% endfilter %}",
            "more than 10 MB",
        ),
        (
            BIG + "{% set b %}{% for i in range(100) %}{% for j in range(100) %}"
            "{{ a }}{% endfor %}{% endfor %}{% endset %}{{ b|length }}",
            "more than 10 MB",
        ),
        (
            BIG + "{% for i in range(100) %}{% for j in range(100) %}"
            "{% set b = a ~ i %}{% endfor %}{% endfor %}",
            "more than 10 MB",
        ),
        ("{{ title|format(1) }}", "No filter named 'format'"),
        ("{{ range(10**6)|length }}", "at most 100 numbers"),
        (SLOW, f"takes longer than {MAX_SECONDS:g} s"),
    ],
)
def test_a_template_that_would_exhaust_the_server_is_stopped_naming_the_limit(source, limit):
    with pytest.raises(TemplateProblem) as caught:
        render_text(source, dict(CONTEXT))
    assert _names(limit, caught.value.message), caught.value.message
    assert caught.value.status_code == 422


def test_ordinary_templates_still_render_within_the_budget():
    source = (
        "{% for c in components %}{{ c|upper }}{{ ', ' if not loop.last }}{% endfor %} - "
        "{{ title ~ '!' }} {{ '%s is %s' % (title, impact) }} {{ '-' * 10 }}"
        "{% set note %}{{ title|lower }}{% endset %} {{ note|replace('api', 'API') }}"
    )
    assert render_text(source, dict(CONTEXT)) == (
        "API, SEARCH - API errors! API errors is major ---------- API errors"
    )


async def _incident(client, keys):  # type: ignore[no-untyped-def]
    return await factories.incident(client, keys["responder"], "API errors")


@pytest.mark.parametrize(
    ("source", "limit"),
    [(RECURSIVE, "recursive loops"), (DOUBLINGS, "longer than 1,000,000 characters")],
)
async def test_a_responder_previewing_an_attack_gets_a_422_naming_the_limit(
    client, keys, source, limit
):
    incident = await _incident(client, keys)
    response = await client.post(
        "/api/v1/templates/preview",
        json={"incident_id": incident["id"], "body": source},
        headers=keys["responder"],
    )
    assert response.status_code == 422, response.text
    assert limit in response.json()["detail"]
    saved = await client.post(
        "/api/v1/templates",
        json={"name": "attack", "status": "investigating", "body": source},
        headers=keys["comms_lead"],
    )
    assert saved.status_code == 422, saved.text
    assert limit in saved.json()["detail"]


async def test_an_attack_template_sent_to_the_server_is_refused_while_it_answers_livez(
    keys, app_process
):
    async with httpx.AsyncClient(base_url=app_process, timeout=30) as http:
        await http.get("/livez")  # warm up
        incident = await factories.incident(http, keys["responder"], "API errors")  # type: ignore[arg-type]
        # A first, harmless render starts the server's render workers.
        warm = await http.post(
            "/api/v1/templates/preview",
            json={"incident_id": incident["id"], "body": "{{ title }}"},
            headers=keys["responder"],
        )
        assert warm.status_code == 200, warm.text

        attack, livez = await asyncio.gather(
            http.post(
                "/api/v1/templates/preview",
                json={"incident_id": incident["id"], "body": SLOW},
                headers=keys["responder"],
            ),
            http.get("/livez"),
        )
    assert attack.status_code == 422, attack.text
    assert _names(f"takes longer than {MAX_SECONDS:g} s", attack.text), attack.text
    # How promptly /livez answers while the render runs (outside the event loop) is a
    # duration: bench/responsiveness.py measures it.
    assert livez.status_code == 200
