"""What happens inside stays inside: publishing an internal incident (or one for another
customer) does not move the `updated_at` a public or customer reader sees (finding: the
public `page.updated_at` moved when an internal incident was published)."""

from __future__ import annotations

from tests.support import factories


async def _updated_at(client, prefix: str = "") -> str:
    summary = (await client.get(f"{prefix}/api/v2/summary.json")).json()
    status = (await client.get(f"{prefix}/api/v2/status.json")).json()
    assert summary["page"]["updated_at"] == status["page"]["updated_at"]
    return summary["page"]["updated_at"]


def _prefix(customer: dict) -> str:
    return "/c/" + customer["page_url"].rstrip("/").rsplit("/", 1)[1]


async def test_publishing_internal_words_does_not_move_the_public_updated_at(client, keys, clock):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    globex = await factories.customer(client, keys["admin"], "Globex", [api["id"]])
    public = await factories.incident(client, keys["responder"], "Slow search")
    await factories.publish(client, keys["comms_lead"], public["id"], "Looking into it.")
    before = await _updated_at(client)
    before_globex = await _updated_at(client, _prefix(globex))

    clock.advance(seconds=2)  # the stamps have whole seconds at least
    internal = await factories.incident(
        client, keys["responder"], "db-7 lost its disk", visibility="internal"
    )
    await factories.publish(client, keys["comms_lead"], internal["id"], "Failing over by hand.")
    only_acme = await factories.incident(
        client, keys["responder"], "Acme's keys", customers=[acme["id"]], visibility="customers"
    )
    await factories.publish(client, keys["comms_lead"], only_acme["id"], "Rotating them.")

    assert await _updated_at(client) == before
    assert await _updated_at(client, _prefix(globex)) == before_globex
    # Acme's own page does move: it has news.
    assert await _updated_at(client, _prefix(acme)) > before

    clock.advance(seconds=2)
    await factories.publish(client, keys["comms_lead"], public["id"], "Found it.", "identified")
    assert await _updated_at(client) > before
