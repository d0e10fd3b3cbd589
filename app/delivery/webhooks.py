"""Standard Webhooks signing: the id and signature headers a webhook receiver checks.

Sending is `app.delivery.channels.webhook`; this module is what both the worker and a
receiver's documentation need to agree on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def webhook_id(delivery_id: int) -> str:
    return f"msg_tidings{delivery_id}"


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the whsec_ base64 key."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
