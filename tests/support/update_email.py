"""One update email, sent for real through the worker into the test SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support import factories
from tests.support.delivery import drain


async def send_update(  # type: ignore[no-untyped-def]
    client,
    keys,
    smtp,
    worker,
    *,
    customer=None,
    body="Some requests **fail** with a 502.",
    language=None,
) -> tuple[str, str]:
    """Publish one update to a subscriber (reading `language`, if given) and return its
    (html, text) parts; its promise is the next update by Jan 15, 2031, 13:30 UTC."""
    api = await factories.component(client, keys["admin"], "API")
    await factories.component(client, keys["admin"], "Billing")
    owner = None
    if customer:
        owner = await factories.customer(client, keys["admin"], customer, [api["id"]])
    await factories.contact(
        client,
        keys["comms_lead"],
        "ops@example.org",
        **({"customer": owner["id"]} if owner else {}),
        **({"language": language} if language else {}),
    )
    promised = datetime(2031, 1, 15, 13, 30, tzinfo=UTC)
    incident = await factories.incident(
        client,
        keys["comms_lead"],
        "Elevated API errors",
        impact="major",
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    await factories.publish(
        client,
        keys["comms_lead"],
        incident["id"],
        body,
        "identified",
        next_update_at=promised.isoformat(),
    )
    await drain(worker)
    (message,) = smtp.to("ops@example.org")
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    return html, text
