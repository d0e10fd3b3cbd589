"""Signed links in emails: confirm (expiring), preferences and one-click unsubscribe.

A token carries the subscriber id, an expiry (0: none) and an HMAC over both and the
purpose, keyed by the deployment's secret: no login, nothing stored, unguessable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from app.lib.errors import InvalidInput

CONFIRM = "confirm"
MANAGE = "manage"
CONFIRM_SECONDS = 48 * 3600


def _mac(secret: str, purpose: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def sign(secret: str, purpose: str, subscriber_id: str, *, ttl: int | None = None) -> str:
    expires = int(time.time()) + ttl if ttl else 0
    payload = f"{subscriber_id}.{expires}"
    return f"{payload}.{_mac(secret, purpose, payload)}"


def verify(secret: str, purpose: str, token: str, *, now: float | None = None) -> str:
    """The subscriber id in a valid token; InvalidInput for a forged or expired one."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        raise InvalidInput("this link is not valid", field="token")
    subscriber_id, expires, mac = parts
    if not hmac.compare_digest(mac, _mac(secret, purpose, f"{subscriber_id}.{expires}")):
        raise InvalidInput("this link is not valid", field="token")
    if int(expires) and int(expires) < (now if now is not None else time.time()):
        raise InvalidInput("this link has expired; subscribe again for a new one", field="token")
    return subscriber_id


SMS_CODE_DIGITS = 6


def sms_code(secret: str, subscriber_id: str) -> str:
    """The code an SMS subscriber types to confirm its number: derived from the subscriber's
    id under the deployment's secret, so nothing is stored and a repeated request sends the
    same code (attempts to type it are limited by the subscribe page)."""
    digest = hmac.new(secret.encode(), f"sms-code:{subscriber_id}".encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest()[:8], "big") % 10**SMS_CODE_DIGITS
    return f"{number:0{SMS_CODE_DIGITS}d}"
