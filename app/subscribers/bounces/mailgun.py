"""Mailgun's webhooks for failed deliveries and complaints.

Each request carries `signature`: a timestamp, a random token and the hex HMAC-SHA256 of
timestamp + token under the webhook signing key. A request counts only when the HMAC
matches, the timestamp is within `WINDOW` of now, and the token was never seen before (the
caller remembers it in the database, so no process accepts the same request twice).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.lib.errors import PermissionDenied
from app.subscribers.bounces.reports import Kind, Malformed, Report, address_of, json_object

WHAT = "Mailgun webhook"
WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class Signed:
    token: str
    at: datetime
    event: dict[str, Any]


def parse(body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `signature` and `event-data` objects, or Malformed."""
    data = json_object(body, WHAT)
    signature, event = data.get("signature"), data.get("event-data")
    if not isinstance(signature, dict) or not isinstance(event, dict):
        raise Malformed(f"{WHAT}: the body must hold signature and event-data objects")
    for key in ("timestamp", "token", "signature"):
        value = signature.get(key)
        if not isinstance(value, str | int) or not str(value) or len(str(value)) > 200:
            raise Malformed(f"{WHAT}: signature.{key} is missing or longer than 200 characters")
    return signature, event


def verify(body: bytes, key: str | None, *, now: datetime) -> Signed:
    """The signed event; PermissionDenied for a wrong or stale signature."""
    signature, event = parse(body)
    if not key:
        raise PermissionDenied(f"{WHAT}s are not accepted here (TIDINGS_MAILGUN_SIGNING_KEY unset)")
    timestamp, token = str(signature["timestamp"]), str(signature["token"])
    expected = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    given = str(signature["signature"]).lower().encode()  # bytes: any text compares, no error
    if not hmac.compare_digest(expected.encode(), given):
        raise PermissionDenied(f"{WHAT}: the signature does not match")
    try:
        at = datetime.fromtimestamp(int(timestamp), UTC)
    except (ValueError, OverflowError, OSError):
        raise Malformed(f"{WHAT}: signature.timestamp is not a Unix time") from None
    if abs(now - at) > WINDOW:
        raise PermissionDenied(f"{WHAT}: the timestamp is more than 5 minutes from now")
    return Signed(token, at, event)


def reports(event: dict[str, Any]) -> list[Report]:
    kind = event.get("event")
    if kind == "complained":
        return [Report(address_of(event.get("recipient"), WHAT), Kind.COMPLAINT)]
    if kind == "delivered":
        return [Report(address_of(event.get("recipient"), WHAT), Kind.DELIVERED)]
    if kind == "failed":
        bad = Kind.HARD if event.get("severity") == "permanent" else Kind.SOFT
        return [Report(address_of(event.get("recipient"), WHAT), bad, _detail(event))]
    return []  # opens, clicks, unsubscribes: nothing to do here


def _detail(event: dict[str, Any]) -> str:
    status = event.get("delivery-status")
    if isinstance(status, dict):
        words = " ".join(str(status.get(k)) for k in ("code", "message") if status.get(k))
        if words:
            return words[:300]
    return str(event.get("reason") or event.get("severity") or "")[:300]
