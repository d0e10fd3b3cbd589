"""Mail providers as the bounce webhooks meet them, built in the test from each provider's
documented format: SNS messages signed with a key and a self-signed certificate made here
(the certificate served from a real HTTP server on loopback, as SNS serves its own), Mailgun
requests signed with a signing key, Postmark's JSON, and RFC 3464 delivery status
notifications. The signing here is written from the formats, not from the app's code.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from tests.support.loopback_http import LoopbackServer, QuietHandler
from tests.support.peers import free_port

TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-bounces"


class FileServer:
    """A threaded HTTP server on loopback answering GETs from `files` (path -> bytes) and
    recording every path asked for."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.files: dict[str, bytes] = {}
        self.asked: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                server.asked.append(self.path)
                body = server.files.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("content-length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        self._server = LoopbackServer(self.port, Handler)

    def stop(self) -> None:
        self._server.stop()


class Sns:
    """An SNS topic of our own: an RSA key, its self-signed certificate, and messages
    signed as SNS signs them (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA)."""

    def __init__(self, server: FileServer) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(self.key, hashes.SHA256())
        )
        path = f"/SimpleNotificationService-{uuid.uuid4().hex}.pem"
        server.files[path] = cert.public_bytes(serialization.Encoding.PEM)
        self.cert_url = server.url.rstrip("/") + path

    def sign(self, message: dict[str, str], version: str = "1", cert_url: str = "") -> bytes:
        keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
        if message["Type"] != "Notification":
            keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn"]
            keys.append("Type")
        signed = "".join(f"{k}\n{message[k]}\n" for k in keys if k in message).encode()
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = self.key.sign(signed, padding.PKCS1v15(), algorithm)
        message = {
            **message,
            "SignatureVersion": version,
            "Signature": base64.b64encode(signature).decode(),
            "SigningCertURL": cert_url or self.cert_url,
        }
        return json.dumps(message).encode()


def sns_notification(ses: dict[str, Any], *, topic: str = TOPIC, age: float = 0) -> dict[str, str]:
    stamp = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=age)
    return {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": topic,
        "Message": json.dumps(ses),
        "Timestamp": stamp.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
    }


def ses_bounce(address: str, bounce_type: str = "Permanent") -> dict[str, Any]:
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "status": "5.1.1" if bounce_type == "Permanent" else "4.2.2",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown"
                    if bounce_type == "Permanent"
                    else "smtp; 452 4.2.2 mailbox full",
                }
            ],
            "timestamp": "2026-12-07T08:00:00.000Z",
            "feedbackId": "0100-feedback",
        },
        "mail": {"messageId": "0100-mail", "source": "status@example.test"},
    }


def ses_complaint(address: str) -> dict[str, Any]:
    return {
        "notificationType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": address}]},
        "mail": {"messageId": "0100-mail"},
    }


def mailgun(key: str, event: dict[str, Any], *, at: float | None = None, token: str = "") -> bytes:
    timestamp = str(int(at if at is not None else time.time()))
    token = token or uuid.uuid4().hex + uuid.uuid4().hex
    digest = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    body = {
        "signature": {"timestamp": timestamp, "token": token, "signature": digest},
        "event-data": event,
    }
    return json.dumps(body).encode()


def postmark_bounce(address: str, kind: str = "HardBounce") -> dict[str, Any]:
    return {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": 1 if kind == "HardBounce" else 4096,
        "Name": "Hard bounce" if kind == "HardBounce" else "Soft bounce",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": address,
        "From": "status@example.test",
        "BouncedAt": "2026-12-07T08:00:00Z",
        "MessageStream": "outbound",
    }


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def dsn(address: str, status: str = "5.1.1", action: str = "failed") -> bytes:
    """A delivery status notification as Postfix writes one (RFC 3464), byte for byte."""
    boundary = uuid.uuid4().hex
    if status.startswith("4"):
        code = f"452 {status} <{address}>: Mailbox full"
    else:
        code = f"550 {status} <{address}>: Recipient address rejected: User unknown"
    text = f"""From: MAILER-DAEMON@mail.example.test (Mail Delivery System)
To: bounces@example.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <{uuid.uuid4().hex}@mail.example.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{boundary}"

This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.test
X-Postfix-Queue-ID: 4F1A2B3C4D
Arrival-Date: Mon,  7 Dec 2026 08:00:00 +0000 (UTC)

Final-Recipient: rfc822; {address}
Original-Recipient: rfc822;{address}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.example.net
Diagnostic-Code: smtp; {code}

--{boundary}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Subject: [Example] API errors
From: status@example.test
To: {address}

--{boundary}--
"""
    return text.replace("\n", "\r\n").encode()
