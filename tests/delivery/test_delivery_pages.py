"""The desk's delivery pages: failed deliveries with their errors, and retrying them."""

from __future__ import annotations

import pytest

from tests.support import factories
from tests.support.delivery import drain
from tests.support.desk import HTML, csrf, sign_in

pytestmark = pytest.mark.usefixtures("users")


async def test_failed_deliveries_show_their_error_and_a_comms_lead_retries_them(
    client, keys, smtp, worker
):
    gone = await factories.contact(client, keys["comms_lead"], "gone@example.org")
    await factories.contact(client, keys["comms_lead"], "fine@example.org")
    smtp.refuse.add("gone@example.org")
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await drain(worker)

    await sign_in(client, "lead")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    assert "1 sent" in page.text and "1 failed" in page.text
    assert f'href="/admin/updates/{update["id"]}/deliveries"' in page.text

    deliveries = await client.get(f"/admin/updates/{update['id']}/deliveries")
    assert deliveries.status_code == 200
    assert "gone@example.org" in deliveries.text and "550" in deliveries.text
    assert "fine@example.org" not in deliveries.text  # only failures are listed

    smtp.refuse.clear()
    retried = await client.post(
        f"/admin/updates/{update['id']}/deliveries/retry", data={"_csrf": csrf(deliveries.text)}
    )
    assert "1 delivery put back in the queue" in retried.text
    await drain(worker)
    assert len(smtp.to("gone@example.org")) == 1
    assert (
        "No failed deliveries."
        in (await client.get(f"/admin/updates/{update['id']}/deliveries")).text
    )

    history = await client.get(f"/admin/subscribers/{gone['id']}")
    assert history.status_code == 200
    assert "Delivery history" in history.text
    assert 'class="state-sent">sent</td>' in history.text


async def test_a_responder_reads_deliveries_but_may_not_retry_and_a_retry_needs_csrf(client, keys):
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    retry = f"/admin/updates/{update['id']}/deliveries/retry"

    await sign_in(client, "rita")
    page = await client.get(f"/admin/updates/{update['id']}/deliveries")
    assert page.status_code == 200 and "No failed deliveries." in page.text
    refused = await client.post(retry, data={"_csrf": csrf(page.text)}, headers=HTML)
    assert refused.status_code == 403

    await sign_in(client, "lead")
    assert (await client.post(retry, data={}, headers=HTML)).status_code == 403
