"""Bounces and complaints reach Tidings through each provider's webhook, with real signed
samples built here: SES through SNS (a key and a certificate made in the test, the
certificate served from a real HTTP server), Postmark (Basic auth) and Mailgun (HMAC)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from app.subscribers.bounces.sns import trusted_url
from tests.support import factories
from tests.support.bounce_senders import (
    TOPIC,
    FileServer,
    Sns,
    basic,
    mailgun,
    postmark_bounce,
    ses_bounce,
    ses_complaint,
    sns_notification,
)
from tests.support.peers import free_port

CERTS = free_port()
PREFIX = f"http://127.0.0.1:{CERTS}/"
MAILGUN_KEY = "key-0123456789abcdef0123456789abcdef"

pytestmark = pytest.mark.settings(
    sns_trusted_url_prefix=PREFIX,
    postmark_webhook_auth="postmark:s3cret-words",
    mailgun_signing_key=MAILGUN_KEY,
)
SES = "/hooks/bounces/ses"
POSTMARK = "/hooks/bounces/postmark"
MAILGUN = "/hooks/bounces/mailgun"
NOTIFICATION = {"x-amz-sns-message-type": "Notification", "content-type": "text/plain"}


@pytest.fixture
def certs() -> Iterator[FileServer]:
    server = FileServer(CERTS)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sns(certs: FileServer) -> Sns:
    return Sns(certs)


async def state(client, keys, subscriber) -> dict:
    response = await client.get(f"/api/v1/subscribers/{subscriber['id']}", headers=keys["admin"])
    return response.json()


@pytest.mark.parametrize("version", ["1", "2"])
async def test_a_permanent_ses_bounce_signed_by_sns_quarantines_the_address(
    client, keys, sns, certs, version
):
    ada = await factories.contact(client, keys["comms_lead"], "ada@example.test")
    body = sns.sign(sns_notification(ses_bounce("Ada@Example.test")), version)
    answer = await client.post(SES, content=body, headers=NOTIFICATION)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"status": "accepted"}
    now = await state(client, keys, ada)
    assert now["state"] == "quarantined" and now["quarantined_at"]
    assert now["quarantine_reason"] == "hard bounce: 550 5.1.1 user unknown"

    # The certificate is kept: a second message does not fetch it again.
    other = await factories.contact(client, keys["comms_lead"], "bob@example.test")
    body = sns.sign(sns_notification(ses_complaint("bob@example.test")), version)
    assert (await client.post(SES, content=body, headers=NOTIFICATION)).status_code == 200
    assert (await state(client, keys, other))["quarantine_reason"] == "complaint"
    assert len(certs.asked) == 1


async def test_transient_ses_bounces_count_and_quarantine_at_the_third(client, keys, sns):
    ada = await factories.contact(client, keys["comms_lead"], "ada@example.test")
    for _ in range(2):
        body = sns.sign(sns_notification(ses_bounce("ada@example.test", "Transient")), "2")
        assert (await client.post(SES, content=body, headers=NOTIFICATION)).status_code == 200
    assert (await state(client, keys, ada))["state"] == "active"
    body = sns.sign(sns_notification(ses_bounce("ada@example.test", "Transient")), "2")
    await client.post(SES, content=body, headers=NOTIFICATION)
    now = await state(client, keys, ada)
    assert now["state"] == "quarantined"
    assert now["quarantine_reason"] == "3 soft bounces (last: 452 4.2.2 mailbox full)"


async def test_a_tampered_sns_message_is_refused_and_changes_nothing(client, keys, sns):
    ada = await factories.contact(client, keys["comms_lead"], "ada@example.test")
    bob = await factories.contact(client, keys["comms_lead"], "bob@example.test")
    signed = json.loads(sns.sign(sns_notification(ses_bounce("bob@example.test")), "1"))
    signed["Message"] = json.dumps(ses_bounce("ada@example.test"))  # someone else's address
    answer = await client.post(SES, content=json.dumps(signed), headers=NOTIFICATION)
    assert answer.status_code == 403
    assert "signature does not match" in answer.json()["detail"]
    assert (await state(client, keys, ada))["state"] == "active"
    assert (await state(client, keys, bob))["state"] == "active"


async def test_a_certificate_url_off_amazons_hosts_is_refused_without_fetching_it(
    client, keys, sns, certs
):
    ada = await factories.contact(client, keys["comms_lead"], "ada@example.test")
    # The same server, under a prefix the settings do not trust.
    elsewhere = sns.cert_url.replace("127.0.0.1", "localhost")
    body = sns.sign(sns_notification(ses_bounce("ada@example.test")), "2", cert_url=elsewhere)
    answer = await client.post(SES, content=body, headers=NOTIFICATION)
    assert answer.status_code == 403
    assert "sns.<region>.amazonaws.com" in answer.json()["detail"]
    assert certs.asked == [] and (await state(client, keys, ada))["state"] == "active"


def test_only_https_urls_on_sns_hosts_are_trusted_by_default():
    good = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem"
    assert trusted_url(good, None)
    assert trusted_url("https://sns.cn-north-1.amazonaws.com.cn/x.pem", None)
    for bad in (
        "http://sns.eu-west-1.amazonaws.com/x.pem",  # not https
        "https://sns.eu-west-1.amazonaws.com.attacker.test/x.pem",
        "https://attacker.test/sns.eu-west-1.amazonaws.com/x.pem",
        "https://s3.amazonaws.com/x.pem",  # Amazon, but not SNS
        "https://sns.eu-west-1.amazonaws.com:8443/x.pem",
        "https://user@sns.eu-west-1.amazonaws.com/x.pem",
        "http://127.0.0.1:8080/x.pem",
    ):
        assert not trusted_url(bad, None), bad
    assert trusted_url("http://127.0.0.1:8080/x.pem", "http://127.0.0.1:8080/")


async def test_a_subscription_is_confirmed_by_fetching_its_url_once(client, sns, certs):
    certs.files["/confirm"] = b"<ConfirmSubscriptionResponse/>"
    message = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3",
        "TopicArn": TOPIC,
        "Message": f"You have chosen to subscribe to the topic {TOPIC}.",
        "SubscribeURL": PREFIX + "confirm?Action=ConfirmSubscription&Token=2336",
        "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
    }
    body = sns.sign(message, "2")
    headers = {"x-amz-sns-message-type": "SubscriptionConfirmation"}
    for _ in range(2):  # SNS may send it again: it is confirmed once
        assert (await client.post(SES, content=body, headers=headers)).status_code == 200
    assert [p for p in certs.asked if p.startswith("/confirm")] == [
        "/confirm?Action=ConfirmSubscription&Token=2336"
    ]


@pytest.mark.settings(sns_topic_arns=("arn:aws:sns:eu-west-1:123456789012:ours",))
async def test_a_notification_from_another_topic_is_refused(client, keys, sns):
    ada = await factories.contact(client, keys["comms_lead"], "ada@example.test")
    body = sns.sign(sns_notification(ses_bounce("ada@example.test")), "1")
    answer = await client.post(SES, content=body, headers=NOTIFICATION)
    assert answer.status_code == 403 and "is not accepted" in answer.json()["detail"]
    assert (await state(client, keys, ada))["state"] == "active"


async def test_an_unknown_address_is_acknowledged_like_a_known_one(client, keys, sns):
    await factories.contact(client, keys["comms_lead"], "ada@example.test")
    known = sns.sign(sns_notification(ses_bounce("ada@example.test")), "1")
    unknown = sns.sign(sns_notification(ses_bounce("nobody@example.test")), "1")
    first = await client.post(SES, content=known, headers=NOTIFICATION)
    second = await client.post(SES, content=unknown, headers=NOTIFICATION)
    assert (first.status_code, first.content) == (second.status_code, second.content)


async def test_a_body_that_is_not_an_sns_message_is_a_400_saying_why(client, sns):
    answer = await client.post(SES, content=b"{not json", headers=NOTIFICATION)
    assert answer.status_code == 400 and "not JSON" in answer.json()["detail"]
    signed = json.loads(sns.sign(sns_notification(ses_bounce("ada@example.test")), "1"))
    del signed["Signature"]
    answer = await client.post(SES, content=json.dumps(signed), headers=NOTIFICATION)
    assert answer.status_code == 400 and "Signature" in answer.json()["detail"]


async def test_postmark_needs_its_basic_auth_credentials(client, keys):
    ada = await factories.contact(client, keys["comms_lead"], "ada@example.test")
    body = postmark_bounce("ada@example.test")
    assert (await client.post(POSTMARK, json=body)).status_code == 401
    wrong = await client.post(POSTMARK, json=body, headers=basic("postmark", "guess"))
    assert wrong.status_code == 401 and (await state(client, keys, ada))["state"] == "active"

    right = await client.post(POSTMARK, json=body, headers=basic("postmark", "s3cret-words"))
    assert right.status_code == 200, right.text
    now = await state(client, keys, ada)
    assert now["state"] == "quarantined"
    assert now["quarantine_reason"].startswith("hard bounce: HardBounce: The server was unable")


async def test_postmark_soft_bounces_quarantine_at_the_threshold_and_a_delivery_resets_them(
    client, keys
):
    auth = basic("postmark", "s3cret-words")
    ada = await factories.contact(client, keys["comms_lead"], "ada@example.test")
    soft = postmark_bounce("ada@example.test", "SoftBounce")
    for _ in range(2):
        assert (await client.post(POSTMARK, json=soft, headers=auth)).status_code == 200
    delivered = {"RecordType": "Delivery", "Recipient": "ada@example.test", "MessageID": "x"}
    assert (await client.post(POSTMARK, json=delivered, headers=auth)).status_code == 200
    for _ in range(2):
        await client.post(POSTMARK, json=soft, headers=auth)
    assert (await state(client, keys, ada))["state"] == "active"  # 2 since the delivery
    await client.post(POSTMARK, json=soft, headers=auth)
    assert (await state(client, keys, ada))["state"] == "quarantined"

    spam = {"RecordType": "SpamComplaint", "Email": "bob@example.test", "Type": "SpamComplaint"}
    bob = await factories.contact(client, keys["comms_lead"], "bob@example.test")
    assert (await client.post(POSTMARK, json=spam, headers=auth)).status_code == 200
    assert (await state(client, keys, bob))["quarantine_reason"] == "complaint"
    bad = await client.post(POSTMARK, json={"RecordType": "Bounce"}, headers=auth)
    assert bad.status_code == 400 and "Type" in bad.json()["detail"]


def failed(address: str, severity: str = "permanent") -> dict:
    return {
        "event": "failed",
        "severity": severity,
        "recipient": address,
        "delivery-status": {"code": 550, "message": "5.1.1 mailbox does not exist"},
    }


async def test_mailgun_valid_invalid_replayed_and_stale_requests(client, keys):
    ada = await factories.contact(client, keys["comms_lead"], "ada@example.test")
    bob = await factories.contact(client, keys["comms_lead"], "bob@example.test")
    forged = mailgun("not-the-key", failed("ada@example.test"))
    answer = await client.post(MAILGUN, content=forged)
    assert answer.status_code == 403 and "signature does not match" in answer.json()["detail"]
    stale = mailgun(MAILGUN_KEY, failed("ada@example.test"), at=time.time() - 600)
    answer = await client.post(MAILGUN, content=stale)
    assert answer.status_code == 403 and "5 minutes" in answer.json()["detail"]
    assert (await state(client, keys, ada))["state"] == "active"

    valid = mailgun(MAILGUN_KEY, failed("ada@example.test"))
    assert (await client.post(MAILGUN, content=valid)).status_code == 200
    now = await state(client, keys, ada)
    assert now["quarantine_reason"] == "hard bounce: 550 5.1.1 mailbox does not exist"

    # The same signed request again, now naming someone else: its token was used.
    replayed = json.loads(valid)
    replayed["event-data"] = {"event": "complained", "recipient": "bob@example.test"}
    answer = await client.post(MAILGUN, content=json.dumps(replayed))
    assert answer.status_code == 403 and "replay" in answer.json()["detail"]
    assert (await state(client, keys, bob))["state"] == "active"

    complaint = mailgun(MAILGUN_KEY, {"event": "complained", "recipient": "bob@example.test"})
    assert (await client.post(MAILGUN, content=complaint)).status_code == 200
    assert (await state(client, keys, bob))["quarantine_reason"] == "complaint"
    malformed = await client.post(MAILGUN, content=b'{"signature": "nope"}')
    assert malformed.status_code == 400 and "signature and event-data" in malformed.text
    odd = json.loads(complaint)
    odd["signature"]["signature"] = "ünïcode"
    assert (await client.post(MAILGUN, content=json.dumps(odd))).status_code == 403
