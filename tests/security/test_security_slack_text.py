"""Words typed into an incident reach Slack inert: its control sequences (`<!channel>`, a
link whose label hides its target) are escaped in the plain-text fallback as in the blocks.
The fallback is what notifications and clients without blocks show, and Slack reads it as
mrkdwn too."""

from __future__ import annotations

import pytest

from app.delivery.jobs import DeliveryWorker
from tests.support import factories
from tests.support.delivery import FAST, drain

TITLE = "<!channel> Payments down <http://evil.example/login|log in at your bank>"
WORDS = "<!here> & R&D: reset your password at <https://evil.example|status.example.com>"


@pytest.mark.settings(webhook_allow_private=True)
async def test_slack_mentions_and_disguised_links_reach_slack_escaped_in_the_fallback_text(
    client, keys, receiver, settings, sessionmaker
):
    await factories._post(
        client, "/api/v1/subscribers", keys["comms_lead"], {"kind": "slack", "url": receiver.url}
    )
    incident = await factories.incident(client, keys["responder"], TITLE)
    await factories.publish(client, keys["comms_lead"], incident["id"], WORDS)
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST)
    try:
        await drain(worker)
    finally:
        await worker.close()

    [message] = [r.json() for r in receiver.received]
    fallback = message["text"]
    assert fallback.startswith(
        "&lt;!channel&gt; Payments down &lt;http://evil.example/login|log in at your bank&gt;"
    )
    assert "&lt;!here&gt; &amp; R&amp;D: reset your password at &lt;https://evil" in fallback
    # No `<...>` is left for Slack to read as a mention or a link.
    assert fallback.count("<") == fallback.count(">") == 0
    assert "&lt;!channel&gt;" in str(message["blocks"]) and "<!" not in str(message["blocks"])
