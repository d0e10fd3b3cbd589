"""A quarantined subscriber receives nothing until a person releases it: the fan-out leaves
it out, the worker's check just before sending skips what was queued for it, a webhook that
keeps failing is quarantined like a bouncing address, and the desk shows why and releases
(a real SMTP server and a real HTTP receiver on loopback)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.delivery.jobs import DeliveryWorker
from tests.support import factories
from tests.support.bounce_senders import basic, postmark_bounce
from tests.support.delivery import drain
from tests.support.desk import csrf, sign_in, text_of

POSTMARK = "/hooks/bounces/postmark"
AUTH = basic("postmark", "s3cret-words")
pytestmark = pytest.mark.settings(
    postmark_webhook_auth="postmark:s3cret-words", webhook_allow_private=True
)


async def bounce(client, address: str, kind: str = "HardBounce") -> None:
    answer = await client.post(POSTMARK, json=postmark_bounce(address, kind), headers=AUTH)
    assert answer.status_code == 200, answer.text


async def report(client, keys, update_id) -> dict:
    response = await client.get(f"/api/v1/updates/{update_id}/deliveries", headers=keys["admin"])
    return response.json()


async def test_the_worker_skips_a_subscriber_quarantined_after_its_update_was_queued(
    client, keys, smtp, worker
):
    await factories.contact(client, keys["comms_lead"], "ada@example.test")
    await factories.contact(client, keys["comms_lead"], "bob@example.test")
    incident = await factories.incident(client, keys["responder"], "API errors")
    first = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await bounce(client, "ada@example.test")  # queued for Ada already, not sent yet
    await drain(worker)
    assert [m["To"] for m in smtp.messages] == ["bob@example.test"]
    (skipped,) = (await report(client, keys, first["id"]))["skipped"]
    assert skipped["last_error"] == "not sent: the subscriber is quarantined"

    # Later words are not even queued for her.
    second = await factories.publish(
        client, keys["comms_lead"], incident["id"], "Fixed.", "resolved"
    )
    counts = (await report(client, keys, second["id"]))["counts"]
    assert sum(counts.values()) == 1
    await drain(worker)
    assert [m["To"] for m in smtp.messages] == ["bob@example.test"] * 2


@pytest.mark.settings(webhook_failure_limit=2)
async def test_a_webhook_whose_deliveries_keep_failing_is_quarantined(
    client, keys, receiver, settings, sessionmaker
):
    worker = DeliveryWorker(settings, sessionmaker)
    try:
        receiver.script = [400, 400, 400]  # refused for good, each time
        hook = await factories.webhook(client, keys["comms_lead"], receiver.url)
        incident = await factories.incident(client, keys["responder"], "API errors")
        await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
        await drain(worker)
        one = (await client.get(f"/api/v1/subscribers/{hook['id']}", headers=keys["admin"])).json()
        assert one["state"] == "active"  # one failure is not a pattern
        await factories.publish(client, keys["comms_lead"], incident["id"], "Still.", "identified")
        await drain(worker)
        path = f"/api/v1/subscribers/{hook['id']}"
        now = (await client.get(path, headers=keys["admin"])).json()
        assert now["state"] == "quarantined"
        assert now["quarantine_reason"] == (
            "webhook failing: the last 2 deliveries failed for good"
        )
        third = await factories.publish(
            client, keys["comms_lead"], incident["id"], "Fixed.", "resolved"
        )
        assert sum((await report(client, keys, third["id"]))["counts"].values()) == 0
        assert len(receiver.received) == 2
    finally:
        await worker.close()


@pytest.mark.settings(webhook_failure_limit=2)
async def test_a_webhook_that_answers_between_failures_is_not_quarantined(
    client, keys, receiver, settings, sessionmaker
):
    worker = DeliveryWorker(settings, sessionmaker)
    try:
        receiver.script = [400, 200, 400]
        hook = await factories.webhook(client, keys["comms_lead"], receiver.url)
        incident = await factories.incident(client, keys["responder"], "API errors")
        for words, status in (("A.", "investigating"), ("B.", "identified"), ("C.", "monitoring")):
            await factories.publish(client, keys["comms_lead"], incident["id"], words, status)
            await drain(worker)
        path = f"/api/v1/subscribers/{hook['id']}"
        assert (await client.get(path, headers=keys["admin"])).json()["state"] == "active"
    finally:
        await worker.close()


async def test_a_comms_lead_sees_why_on_the_desk_and_releases_the_subscriber(
    client, keys, smtp, worker, users, db
):
    ada = await factories.contact(client, keys["comms_lead"], "ada@example.test")
    await factories.contact(client, keys["comms_lead"], "bob@example.test")
    await bounce(client, "ada@example.test")
    await sign_in(client, "lead")
    listed = await client.get("/admin/subscribers?customer=quarantined")
    assert "ada@example.test" in listed.text and "bob@example.test" not in listed.text
    assert "quarantined: hard bounce: HardBounce" in text_of(listed)

    page = await client.get(f"/admin/subscribers/{ada['id']}")
    assert "Release from quarantine" in page.text
    forged = await client.post(f"/admin/subscribers/{ada['id']}/release", data={})
    assert forged.status_code == 403
    released = await client.post(
        f"/admin/subscribers/{ada['id']}/release", data={"_csrf": csrf(page.text)}
    )
    assert "Released: updates are sent again." in text_of(released)
    assert "Release from quarantine" not in released.text

    incident = await factories.incident(client, keys["responder"], "API errors")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    await drain(worker)
    assert sorted(m["To"] for m in smtp.messages) == ["ada@example.test", "bob@example.test"]
    events = await db.scalars(select(AuditEvent).where(AuditEvent.subject_id == ada["id"]))
    actors = {e.action: e.actor for e in events}
    assert actors["subscriber.quarantine"] == "bounces:postmark"
    assert actors["subscriber.release"] == "lead"


async def test_the_api_shows_the_quarantine_and_releases_it(client, keys):
    ada = await factories.contact(client, keys["comms_lead"], "ada@example.test")
    await bounce(client, "ada@example.test", "SoftBounce")
    await bounce(client, "ada@example.test", "SoftBounce")
    await bounce(client, "ada@example.test", "SoftBounce")
    path = f"/api/v1/subscribers/{ada['id']}"
    now = (await client.get(path, headers=keys["comms_lead"])).json()
    assert now["state"] == "quarantined" and now["quarantined_at"]
    assert now["quarantine_reason"].startswith("3 soft bounces (last: SoftBounce")

    refused = await client.post(path + "/release", headers=keys["responder"])
    assert refused.status_code == 403
    released = await client.post(path + "/release", headers=keys["comms_lead"])
    assert released.status_code == 200
    body = released.json()
    assert (body["state"], body["quarantined_at"], body["quarantine_reason"]) == (
        "active",
        None,
        None,
    )
    # Released, the count starts again: one more soft bounce does not quarantine it.
    await bounce(client, "ada@example.test", "SoftBounce")
    assert (await client.get(path, headers=keys["comms_lead"])).json()["state"] == "active"


@pytest.mark.settings(bounce_soft_limit=1)
async def test_the_soft_bounce_threshold_is_a_setting(client, keys):
    ada = await factories.contact(client, keys["comms_lead"], "ada@example.test")
    await bounce(client, "ada@example.test", "SoftBounce")
    path = f"/api/v1/subscribers/{ada['id']}"
    assert (await client.get(path, headers=keys["comms_lead"])).json()["state"] == "quarantined"
