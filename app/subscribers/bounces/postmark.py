"""Postmark's bounce and spam complaint webhooks.

Postmark signs nothing: the webhook URL carries Basic auth credentials that only Postmark
and we know (`TIDINGS_POSTMARK_WEBHOOK_AUTH`), and it must be an HTTPS URL so they stay
secret on the way.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from app.lib.errors import DomainError
from app.subscribers.bounces.reports import Kind, Report, address_of, json_object, text

WHAT = "Postmark webhook"
# Postmark's bounce types that mean the address will not take mail (the rest may pass later).
_HARD = {"HardBounce", "BadEmailAddress", "ManuallyDeactivated", "Blocked", "SpamNotification"}
_IGNORED = {"Subscribe", "Unsubscribe", "OpenRelayTest", "AutoResponder"}


class Unauthorized(DomainError):
    """No or wrong credentials: 401, and the answer says which scheme to use."""

    status_code = 401


def check_auth(header: str | None, expected: str | None) -> None:
    """Unauthorized unless `header` is Basic auth with the configured user:password."""
    if not expected:
        raise Unauthorized(f"{WHAT}s are not accepted here (TIDINGS_POSTMARK_WEBHOOK_AUTH unset)")
    scheme, _, encoded = (header or "").partition(" ")
    try:
        given = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        given = b""
    if scheme.lower() != "basic" or not hmac.compare_digest(given, expected.encode()):
        raise Unauthorized(f"{WHAT}: the Basic auth credentials are missing or wrong")


def reports(body: bytes) -> list[Report]:
    data = json_object(body, WHAT)
    record = text(data, "RecordType", WHAT)
    if record == "Bounce":
        kind = text(data, "Type", WHAT)
        if kind in _IGNORED:
            return []
        detail = str(data.get("Description") or data.get("Details") or kind)[:300]
        bad = Kind.HARD if kind in _HARD else Kind.SOFT
        return [Report(address_of(data.get("Email"), WHAT), bad, f"{kind}: {detail}")]
    if record == "SpamComplaint":
        return [Report(address_of(data.get("Email"), WHAT), Kind.COMPLAINT)]
    if record == "Delivery":
        return [Report(address_of(data.get("Recipient"), WHAT), Kind.DELIVERED)]
    return []  # opens, clicks, subscription changes: nothing to do here
