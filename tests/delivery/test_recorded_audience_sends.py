"""Deliveries follow the explicit audience: the contacts of a customer an incident does not
name hear nothing of it, though the customer uses its components (a real SMTP server); and a
customer that joins an incident later receives the later words without the earlier ones (a
real webhook receiver)."""

from __future__ import annotations

import pytest

from tests.support import factories
from tests.support.delivery import drain


async def test_contacts_of_customers_the_incident_does_not_name_receive_none_of_its_updates(
    client, keys, smtp, worker
):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    globex = await factories.customer(client, keys["admin"], "Globex", [api["id"]])
    await factories.contact(client, keys["comms_lead"], "ops@acme.test", customer=acme["id"])
    await factories.contact(client, keys["comms_lead"], "it@globex.test", customer=globex["id"])
    incident = await factories.incident(
        client,
        keys["responder"],
        "Globex API keys expired",
        visibility="customers",
        components=[{"id": api["id"], "status": "major_outage"}],
        customers=[globex["id"]],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Your keys expired.")
    await factories.publish(
        client, keys["comms_lead"], incident["id"], "New keys are issued.", "identified"
    )
    await drain(worker)
    assert len(smtp.to("it@globex.test")) == 2
    assert smtp.to("ops@acme.test") == []


@pytest.mark.settings(webhook_allow_private=True)
async def test_a_customer_that_joins_later_receives_the_later_words_without_the_earlier_ones(
    client, keys, receiver, worker
):
    api = await factories.component(client, keys["admin"], "API")
    await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    incident = await factories.incident(
        client,
        keys["responder"],
        "API errors",
        visibility="customers",
        components=[{"id": api["id"], "status": "major_outage"}],
    )
    before = "Your calls fail: we rotate the keys of your account."
    await factories.publish(client, keys["comms_lead"], incident["id"], before)
    initech = await factories.customer(client, keys["admin"], "Initech", [api["id"]])
    await factories.webhook(client, keys["comms_lead"], receiver.url, customer=initech["id"])
    await drain(worker)
    assert receiver.received == []  # nothing published before it joined is sent to it

    after = "Calls succeed again for everyone using the API."
    await factories.publish(client, keys["comms_lead"], incident["id"], after, "monitoring")
    await drain(worker)
    [sent] = receiver.received
    assert after in sent.body.decode()
    assert before not in sent.body.decode()
