"""Attacks on the public subscribe pages (issue 18, second round): filling the disk through
one's own preferences, asking whether an address is subscribed, mail-bombing one mailbox
through +tags, and blocking the "send a test message" button for everyone."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.subscribers import tokens
from tests.support import factories
from tests.support.delivery import drain


@pytest.fixture
async def visitors(app):
    """The app behind the proxy set-up of `tidings serve` (the client address read from
    `X-Forwarded-For`), here trusting the test client: `visitor(address)` gives the headers
    of a request from that address. Use it instead of `client`, not beside it."""
    proxied = ProxyHeadersMiddleware(app, trusted_hosts="*")
    async with AsyncTestClient(app=proxied, base_url="http://status.example.test") as client:
        yield client


def visitor(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def test_preferences_repeating_a_component_are_bounded_and_audited_small(
    client, keys, settings
):
    api = await factories.component(client, keys["admin"], "API")
    reader = await factories.contact(client, keys["comms_lead"], "reader@example.org")
    link = "/subscription/" + tokens.sign(settings.secret_key, tokens.MANAGE, reader["id"])

    # The same box ticked 2,000 times is one component, and the log says so once.
    saved = await client.post(link, data={"components": [api["id"]] * 2000})
    assert saved.status_code == 200 and "Saved." in saved.text
    # A body of megabytes is refused before it is read, and leaves nothing behind.
    flood = await client.post(link, data={"components": [api["id"]] * 200_000})
    assert flood.status_code == 413
    # An id no component has (however long) is refused, naming the field, not echoed whole.
    odd = await client.post(link, data={"components": ["x" * 50_000]})
    assert odd.status_code == 422 and len(odd.text) < 20_000

    events = (await client.get("/api/v1/audit", headers=keys["admin"])).json()
    chosen = [e["detail"] for e in events if e["action"] == "subscriber.components"]
    assert chosen == [{"components": [api["id"]], "count": 1}]


@pytest.mark.settings(webhook_allow_private=True)
async def test_bad_requests_to_the_test_button_block_nobody_and_each_visitor_has_their_own_tries(
    visitors, receiver
):
    slack = {"channel": "slack", "url": receiver.url}
    me = visitor("198.51.100.1")
    # Forty requests that fail validation (no URL, not a URL) send nothing and spend nothing.
    for url in ["", "not a url"] * 20:
        data = {"channel": "slack", "url": url}
        assert (await visitors.post("/subscribe/test", data=data, headers=me)).status_code == 422
    answers = [
        (await visitors.post("/subscribe/test", data=slack, headers=me)).status_code
        for _ in range(6)
    ]
    assert answers == [200] * 5 + [429]
    # Another visitor (another client address) still has their own tries.
    them = visitor("203.0.113.7")
    assert (await visitors.post("/subscribe/test", data=slack, headers=them)).status_code == 200
    assert len(receiver.received) == 6


async def test_subscribing_a_subscribed_address_answers_and_counts_as_for_a_new_one(
    visitors, keys, smtp, worker
):
    await factories.contact(visitors, keys["comms_lead"], "known@example.org")

    async def ask(address: str, origin: str) -> list[tuple[int, str]]:
        answers = [
            await visitors.post("/subscribe", data={"email": address}, headers=visitor(origin))
            for _ in range(4)
        ]
        return [(a.status_code, a.text.replace(address, "ADDRESS")) for a in answers]

    known = await ask("known@example.org", "198.51.100.1")
    new = await ask("fresh@example.org", "198.51.100.2")
    assert known == new  # status and page alike, the limit too
    assert [status for status, _ in known] == [200, 200, 200, 429]

    # Both addresses got mail; the subscribed one is told how to manage what it has.
    await drain(worker)
    told = smtp.to("known@example.org")
    assert len(told) == 3 == len(smtp.to("fresh@example.org"))
    assert told[0]["Subject"] == "You are already subscribed to Example status updates"
    body = told[0].get_body(("plain",)).get_content()
    assert re.search(r"http://status\.example\.test/subscription/\S+", body)


async def test_plus_tags_and_case_reach_one_mailbox_and_count_as_one(client, smtp, worker):
    one_inbox = ["name+1@", "Name+2@", "NAME@", "name+4@", "name+5@"]
    answers = [
        (await client.post("/subscribe", data={"email": f"{local}Example.org"})).status_code
        for local in one_inbox
    ]
    assert answers == [200, 200, 200, 429, 429]
    await drain(worker)
    assert len(smtp.messages) == 3


async def test_one_domain_gets_a_bounded_number_of_confirmations_an_hour(visitors):
    statuses = []
    for n in range(60):  # made-up names at a catch-all domain, from six addresses
        answer = await visitors.post(
            "/subscribe",
            data={"email": f"n{n}@catchall.example"},
            headers=visitor(f"198.51.100.{n // 10}"),
        )
        statuses.append(answer.status_code)
    assert statuses == [200] * 50 + [429] * 10
    assert "too many subscriptions for addresses at catchall.example" in answer.text
