"""Attacks on the public subscribe pages (issue 18, second round): filling the disk through
one's own preferences, asking whether an address is subscribed, mail-bombing one mailbox
through +tags, and blocking the "send a test message" button for everyone."""

from __future__ import annotations

import re

from app.subscribers import tokens
from tests.support import factories


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
