"""No reader ever sees a word they may not: generated worlds, every outside surface, every
message sent.

Hypothesis builds a world through the API: customers using some components, incidents of
every visibility (some changed after publishing), updates published for everyone or as one
customer's own wording, drafts and submitted drafts, alerts left in triage or declined, and
email and webhook subscribers of the public and of customers. Every text written carries a
marker, and an oracle written here (not the app's rule) says which readers may see it. Then
every GET surface outside the team's APIs and the desk, read from the app's route list, is
fetched as the public and as each customer, the delivery worker sends to a real SMTP server
and a real HTTP receiver, and any marker found where its reader may not see it is a leak.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar import Litestar

from tests.support import factories
from tests.support.delivery import drain

pytestmark = pytest.mark.settings(webhook_allow_private=True)

PUBLIC = "public"  # the reader who is not a customer
MARKER = re.compile(r"zq[0-9a-f]{10}")
# Surfaces that say nothing about incidents, or are the team's own.
NOT_SURFACES = ("/api/v1", "/v1", "/admin", "/livez", "/readyz", "/static", "/theme", "/schema")
KNOWN_PARAMS = {"token", "incident_id", "component_id"}

incident_plan = st.fixed_dictionaries(
    {
        "visibility": st.sampled_from(["public", "customers", "internal"]),
        "later": st.sampled_from([None, None, "public", "customers", "internal"]),
        "components": st.lists(st.integers(0, 2), max_size=2, unique=True),
        "customers": st.lists(st.integers(0, 2), max_size=2, unique=True),
        "updates": st.lists(
            st.sampled_from(["published", "own", "draft", "submitted"]), min_size=1, max_size=3
        ),
    }
)
world_plan = st.fixed_dictionaries(
    {
        # Which of the three components each customer uses.
        "customers": st.lists(
            st.lists(st.integers(0, 2), max_size=2, unique=True), min_size=1, max_size=3
        ),
        "incidents": st.lists(incident_plan, min_size=1, max_size=3),
        "triage": st.sampled_from(["waiting", "declined"]),
        # (kind, customer index or None for the public, one component only?)
        "subscribers": st.lists(
            st.tuples(
                st.sampled_from(["email", "webhook"]),
                st.one_of(st.none(), st.integers(0, 2)),
                st.booleans(),
            ),
            min_size=1,
            max_size=4,
        ),
    }
)


def marker() -> str:
    return "zq" + secrets.token_hex(5)


@dataclass
class World:
    """What was written, and the oracle: marker -> the readers who may see it."""

    may_see: dict[str, set[str]] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)  # reader -> URL prefix
    incident_ids: list[str] = field(default_factory=list)
    component_ids: list[str] = field(default_factory=list)
    emails: dict[str, str] = field(default_factory=dict)  # address -> reader
    hooks: dict[str, str] = field(default_factory=dict)  # receiver path -> reader
    checked: int = 0


def surfaces(app: Litestar) -> list[str]:
    """The outside GET routes from the app's route list, as path templates."""
    found = []
    for route in app.routes:
        params = set(re.findall(r"\{(\w+):", route.path))
        if route.path.startswith(NOT_SURFACES) or not params <= KNOWN_PARAMS:
            continue
        if any("GET" in h.http_methods for h in getattr(route, "route_handlers", [])):
            found.append(re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path))
    return found


async def build(client: Any, keys: dict, plan: dict, receiver_url: str) -> World:
    admin, lead, responder = keys["admin"], keys["comms_lead"], keys["responder"]
    world = World(prefixes={PUBLIC: ""})
    components = [
        (await factories.component(client, admin, f"Part {marker()}"))["id"] for _ in range(3)
    ]
    world.component_ids = components
    customers = []  # (id, reader, components used)
    for used in plan["customers"]:
        name = f"Customer {marker()}"
        made = await factories.customer(client, admin, name, [components[i] for i in used])
        reader = made["id"]
        customers.append((made["id"], {components[i] for i in used}))
        world.prefixes[reader] = "/" + made["page_url"].split("/", 3)[3].rstrip("/")
        world.may_see[name.split()[1]] = {reader}  # a customer's name is its own
    everyone = {PUBLIC, *world.prefixes}

    for spec in plan["incidents"]:
        named = {customers[i][0] for i in spec["customers"] if i < len(customers)}
        hit = {components[i] for i in spec["components"]}

        def readers(visibility: str, named: set[str] = named, hit: set[str] = hit) -> set[str]:
            if visibility == "public":
                return set(everyone)
            if visibility == "customers":  # named ones limit it; else its components' users
                return named or {cid for cid, used in customers if used & hit}
            return set()

        title = marker()
        made = await client.post(
            "/api/v1/incidents",
            json={
                "title": f"Incident {title}",
                "visibility": spec["visibility"],
                "customers": sorted(named),
                "components": [{"id": c, "status": "partial_outage"} for c in sorted(hit)],
            },
            headers=responder,
        )
        if made.status_code == 422:  # e.g. for customers, but naming none and hitting none
            continue
        assert made.status_code == 201, made.text
        path = f"/api/v1/incidents/{made.json()['id']}"
        world.incident_ids.append(made.json()["id"])
        words = [(title, None)]  # (marker, the customer of its own wording)
        for kind in spec["updates"]:
            text = marker()
            if kind in ("draft", "submitted"):
                draft = await client.post(
                    f"{path}/drafts",
                    json={"status": "investigating", "body": text},
                    headers=responder,
                )
                assert draft.status_code == 201, draft.text
                world.may_see[text] = set()  # never outside the team
                if kind == "submitted":
                    sent = await client.post(
                        f"/api/v1/updates/{draft.json()['update']['id']}/submit", headers=responder
                    )
                    assert sent.status_code in (200, 201), sent.text
                continue
            body: dict[str, Any] = {"status": "investigating", "body": text, "publish": True}
            own = None
            if kind == "own":
                own = customers[len(world.may_see) % len(customers)][0]
                body["customer"] = own
            published = await client.post(f"{path}/updates", json=body, headers=lead)
            if published.status_code == 201:
                words.append((text, own))
            else:  # a rule refused it (own words for a customer the incident is not for)
                assert published.status_code in (409, 422), published.text
        visibility = spec["visibility"]
        if spec["later"]:
            changed = await client.patch(path, json={"visibility": spec["later"]}, headers=admin)
            assert changed.status_code in (200, 409, 422), changed.text
            if changed.status_code == 200:
                visibility = spec["later"]
        # Everything is read and sent after any change: the final visibility rules all, and
        # words reach no one beyond those they were published for (the first visibility's).
        for text, own in words:
            published_for = everyone if text == title else readers(spec["visibility"])
            world.may_see[text] = readers(visibility) & published_for & ({own} if own else everyone)

    alert_title = marker()
    triaged = await factories.alert(
        client, responder, title=f"Alert {alert_title}", dedup_key=alert_title
    )
    world.may_see[alert_title] = set()
    if plan["triage"] == "declined":
        declined = await client.post(
            f"/api/v1/incidents/{triaged}/decline", json={"reason": "noise"}, headers=responder
        )
        assert declined.status_code in (200, 201), declined.text

    for n, (kind, customer, narrow) in enumerate(plan["subscribers"]):
        reader = (
            PUBLIC if customer is None or customer >= len(customers) else customers[customer][0]
        )
        fields: dict[str, Any] = {} if reader == PUBLIC else {"customer": reader}
        if narrow:
            fields["components"] = [components[n % 3]]
        if kind == "email":
            address = f"reader{n}-{marker()}@example.test"
            await factories.contact(client, lead, address, **fields)
            world.emails[address] = reader
        else:
            tag = marker()
            await factories.webhook(client, lead, f"{receiver_url}/{tag}", **fields)
            world.hooks[f"/hook/{tag}"] = reader
    return world


def leaks_in(text: str, reader: str, world: World, where: str) -> list[str]:
    found = []
    for seen in set(MARKER.findall(text)):
        if seen in world.may_see and reader not in world.may_see[seen]:
            found.append(f"{where}: {reader} sees {seen}")
    return found


async def read_every_surface(app: Litestar, client: Any, world: World) -> list[str]:
    leaks = []
    for template in surfaces(app):
        for reader, prefix in world.prefixes.items():
            if ("{token}" in template) != (reader != PUBLIC):
                continue
            paths = [template.replace("/c/{token}", prefix)]
            if "{incident_id}" in template:
                paths = [p.replace("{incident_id}", i) for p in paths for i in world.incident_ids]
            if "{component_id}" in template:
                paths = [p.replace("{component_id}", c) for p in paths for c in world.component_ids]
            for path in paths:
                response = await client.get(path)
                assert response.status_code < 500, f"{path}: {response.status_code}"
                world.checked += 1
                leaks += leaks_in(response.text, reader, world, path)
    return leaks


def read_every_message(smtp: Any, receiver: Any, world: World) -> list[str]:
    leaks = []
    for message in smtp.messages:
        reader = world.emails.get(str(message["To"]))
        if reader is None:
            continue  # sent to a subscriber of an earlier example
        text = "".join(part.get_content() for part in message.walk() if not part.is_multipart())
        leaks += leaks_in(str(message["Subject"]) + text, reader, world, f"email {message['To']}")
        world.checked += 1
    for received in receiver.received:
        reader = world.hooks.get(received.path)
        if reader is not None:
            leaks += leaks_in(received.body.decode(), reader, world, f"webhook {received.path}")
            world.checked += 1
    return leaks


async def no_reader_sees_what_they_may_not(
    plan: dict, app: Any, client: Any, keys: dict, smtp: Any, receiver: Any, worker: Any
) -> None:
    world = await build(client, keys, plan, receiver.url)
    leaks = await read_every_surface(app, client, world)
    await drain(worker)
    leaks += read_every_message(smtp, receiver, world)
    assert leaks == []
    CHECKED.append(world.checked)


CHECKED: list[int] = []  # surfaces and messages read per generated world (for the figures)

SETTINGS: dict[str, Any] = {
    "deadline": None,
    "database": None,
    # Shrinking replays whole worlds through the app: far too slow to be worth it here; the
    # failing plan is printed as generated, and the assertion names each leak.
    "phases": [Phase.explicit, Phase.reuse, Phase.generate],
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,  # the world is new each example; the app is not
        HealthCheck.too_slow,
    ],
}


@hypothesis_settings(max_examples=5, derandomize=True, **SETTINGS)
@given(plan=world_plan)
async def test_no_reader_sees_what_they_may_not(plan, app, client, keys, smtp, receiver, worker):
    await no_reader_sees_what_they_may_not(plan, app, client, keys, smtp, receiver, worker)


@pytest.mark.soak
@hypothesis_settings(max_examples=150, **SETTINGS)
@given(plan=world_plan)
async def test_no_reader_sees_what_they_may_not_over_many_worlds(
    plan, app, client, keys, smtp, receiver, worker
):
    await no_reader_sees_what_they_may_not(plan, app, client, keys, smtp, receiver, worker)
