"""Amazon SES bounces and complaints, delivered by Amazon SNS to an HTTPS endpoint.

Every SNS message is signed: the service signs a canonical string of the message's fields
with the private key of a certificate it publishes on its own host (`SigningCertURL`).
Anyone can post to our URL, so a message counts only when its signature verifies with a
certificate fetched from an `sns.<region>.amazonaws.com` host over HTTPS (a setting may add
one URL prefix, for a test double). Certificates are kept once fetched.
SignatureVersion 1 signs with SHA1withRSA, 2 with SHA256withRSA.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from app.lib.errors import DomainError, PermissionDenied
from app.lib.guarded_http import TRANSPORT_ERRORS, GuardedSession, read_raw
from app.lib.netguard import AddressRefused
from app.subscribers.bounces.reports import Kind, Malformed, Report, address_of, json_object, text

WHAT = "SNS message"
_SNS_HOST = re.compile(r"sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?")
_HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}
# The fields signed, in order, for each message type (absent optional ones are left out).
_NOTIFICATION = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
SIGNED = {
    "Notification": _NOTIFICATION,
    "SubscriptionConfirmation": _CONFIRMATION,
    "UnsubscribeConfirmation": _CONFIRMATION,
}
MAX_AGE = timedelta(days=1)  # an older signed message is refused: a replay, not a retry
FETCH_DEADLINE = 10.0
CERT_CAP = 64 * 1024
_KEPT = 32  # certificates kept (SNS rotates them rarely; one URL per region)


class Unavailable(DomainError):
    """SNS's host could not be reached: 503, and SNS tries the message again later."""

    status_code = 503


@dataclass(frozen=True)
class SnsMessage:
    type: str
    message_id: str
    topic_arn: str
    timestamp: datetime
    fields: dict[str, str]  # every string field, as signed


def parse(body: bytes, header_type: str | None) -> SnsMessage:
    """The envelope of an SNS POST; Malformed when a signed field is missing."""
    data = json_object(body, WHAT)
    kind = text(data, "Type", WHAT)
    if kind not in SIGNED:
        raise Malformed(f"{WHAT}: Type {kind!r:.40} is not one SNS sends")
    if header_type and header_type != kind:
        raise Malformed(f"{WHAT}: x-amz-sns-message-type says {header_type!r:.40}, Type {kind}")
    optional = {"Subject"}
    fields = {k: v for k, v in data.items() if isinstance(v, str)}
    for key in (*SIGNED[kind], "SignatureVersion", "Signature", "SigningCertURL"):
        if key not in optional:
            text(data, key, WHAT)
    stamp = fields["Timestamp"].replace("Z", "+00:00")
    try:
        timestamp = datetime.fromisoformat(stamp)
    except ValueError:
        raise Malformed(f"{WHAT}: Timestamp {fields['Timestamp']!r:.40} is not a time") from None
    if timestamp.tzinfo is None:
        raise Malformed(f"{WHAT}: Timestamp must say its time zone")
    return SnsMessage(kind, fields["MessageId"], fields["TopicArn"], timestamp, fields)


def canonical(message: SnsMessage) -> bytes:
    """The string SNS signed: each present field's name and value, each on its own line."""
    lines = []
    for key in SIGNED[message.type]:
        if key in message.fields:
            lines += [key, message.fields[key]]
    return ("\n".join(lines) + "\n").encode()


def trusted_url(url: str, prefix: str | None) -> bool:
    """An HTTPS URL on an SNS host (no port, no user), or one under the configured prefix."""
    if prefix and url.startswith(prefix):
        return True
    parts = urlsplit(url)
    return (
        parts.scheme == "https"
        and parts.port is None
        and "@" not in parts.netloc
        and _SNS_HOST.fullmatch(parts.hostname or "") is not None
    )


class Certificates:
    """SNS's signing keys by certificate URL, fetched once each (the last few kept)."""

    def __init__(self) -> None:
        self._keys: OrderedDict[str, rsa.RSAPublicKey] = OrderedDict()
        self._lock = asyncio.Lock()

    async def key(self, url: str, *, prefix: str | None) -> rsa.RSAPublicKey:
        if not trusted_url(url, prefix):
            raise PermissionDenied(
                f"{WHAT}: SigningCertURL must be an https URL on an sns.<region>.amazonaws.com host"
            )
        async with self._lock:  # one fetch per URL, however many messages arrive at once
            if url not in self._keys:
                pem = await fetch(url, prefix=prefix)
                try:
                    key = x509.load_pem_x509_certificate(pem).public_key()
                except ValueError:
                    raise PermissionDenied(f"{WHAT}: SigningCertURL holds no certificate") from None
                if not isinstance(key, rsa.RSAPublicKey):
                    raise PermissionDenied(f"{WHAT}: the signing certificate's key is not RSA")
                self._keys[url] = key
                while len(self._keys) > _KEPT:
                    self._keys.popitem(last=False)
            self._keys.move_to_end(url)
            return self._keys[url]


async def fetch(url: str, *, prefix: str | None) -> bytes:
    """GET `url` (a trusted one) with the one outbound client. Loopback and private hosts
    are allowed only under the prefix an operator configured."""
    private = bool(prefix) and url.startswith(prefix or "")
    try:
        async with (
            GuardedSession(allow_private=private, limit=1) as client,
            asyncio.timeout(FETCH_DEADLINE),
            client.request("GET", url) as response,
        ):
            if response.status != 200:
                raise Unavailable(f"{WHAT}: {urlsplit(url).netloc} answered {response.status}")
            return await read_raw(response, cap=CERT_CAP)
    except (AddressRefused, TimeoutError, *TRANSPORT_ERRORS) as exc:
        raise Unavailable(f"{WHAT}: could not reach {urlsplit(url).netloc} ({exc})") from None


async def verify(
    message: SnsMessage, certificates: Certificates, *, prefix: str | None, now: datetime
) -> None:
    """PermissionDenied unless SNS signed `message` (and recently)."""
    algorithm = _HASHES.get(message.fields["SignatureVersion"])
    if algorithm is None:
        raise PermissionDenied(f"{WHAT}: SignatureVersion must be 1 or 2")
    try:
        signature = base64.b64decode(message.fields["Signature"], validate=True)
    except (binascii.Error, ValueError):
        raise PermissionDenied(f"{WHAT}: the Signature is not base64") from None
    key = await certificates.key(message.fields["SigningCertURL"], prefix=prefix)
    try:
        key.verify(signature, canonical(message), padding.PKCS1v15(), algorithm())
    except InvalidSignature:
        raise PermissionDenied(f"{WHAT}: the signature does not match the message") from None
    if now - message.timestamp > MAX_AGE:
        raise PermissionDenied(f"{WHAT}: signed more than a day ago; refused as a replay")


def reports(message: SnsMessage) -> list[Report]:
    """The bounces, complaints and deliveries an SES notification (its `Message`) names."""
    what = f"{WHAT}: Message"
    try:
        data = json.loads(message.fields["Message"])
    except ValueError:
        raise Malformed(f"{what} is not the JSON SES sends") from None
    if not isinstance(data, dict):
        raise Malformed(f"{what} must be a JSON object")
    kind = data.get("notificationType") or data.get("eventType")
    if kind == "Bounce":
        bounce = _part(data, "bounce", what)
        bad = Kind.HARD if bounce.get("bounceType") == "Permanent" else Kind.SOFT
        return [
            Report(
                address_of(r.get("emailAddress"), what),
                bad,
                _detail(r.get("diagnosticCode") or r.get("status"), bounce),
            )
            for r in _recipients(bounce, "bouncedRecipients", what)
        ]
    if kind == "Complaint":
        complaint = _part(data, "complaint", what)
        return [
            Report(address_of(r.get("emailAddress"), what), Kind.COMPLAINT)
            for r in _recipients(complaint, "complainedRecipients", what)
        ]
    if kind == "Delivery":
        recipients = _part(data, "delivery", what).get("recipients")
        if not isinstance(recipients, list):
            raise Malformed(f"{what}: delivery.recipients must be a list")
        return [Report(address_of(r, what), Kind.DELIVERED) for r in recipients]
    return []  # other notifications (sends, opens, ...) change nothing here


def _part(data: dict[str, Any], key: str, what: str) -> dict[str, Any]:
    part = data.get(key)
    if not isinstance(part, dict):
        raise Malformed(f"{what}: {key} must be an object")
    return part


def _recipients(part: dict[str, Any], key: str, what: str) -> list[dict[str, Any]]:
    found = part.get(key)
    if not isinstance(found, list) or not all(isinstance(r, dict) for r in found):
        raise Malformed(f"{what}: {key} must be a list of objects")
    return found


def _detail(code: Any, bounce: dict[str, Any]) -> str:
    kind = " / ".join(str(bounce.get(k)) for k in ("bounceType", "bounceSubType") if bounce.get(k))
    if not code:
        return kind
    _type, _, words = str(code).partition(";")  # "smtp; 550 5.1.1 ...": the words
    return (words.strip() or str(code))[:300]
