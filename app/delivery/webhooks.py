"""Webhooks: a Statuspage-shaped JSON body, signed per Standard Webhooks, POSTed with httpx.

The `webhook-id` is the delivery's and never changes across retries; the timestamp and
signature are those of each attempt, over the exact bytes sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from email.utils import parsedate_to_datetime

import httpx

from app.delivery.service import Outcome
from app.lib.clock import utcnow
from app.lib.errors import InvalidInput
from app.lib.urls import check_webhook_url

TIMEOUT = httpx.Timeout(15.0, connect=5.0)


def webhook_id(delivery_id: int) -> str:
    return f"msg_tidings{delivery_id}"


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the whsec_ base64 key."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - utcnow()).total_seconds())


async def post(
    client: httpx.AsyncClient,
    *,
    url: str,
    secret: str,
    msg_id: str,
    body: bytes,
    allow_private: bool,
) -> Outcome:
    try:
        # Checked again at send time: a name may have been pointed inwards since.
        await check_webhook_url(url, allow_private=allow_private)
    except InvalidInput as exc:
        return Outcome(ok=False, error=exc.message, permanent=True)
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "Tidings-Webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }
    try:
        response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}")
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(ok=True)
    error = f"HTTP {status}: {response.text[:200]}"
    if status == 410:
        return Outcome(ok=False, error=error, permanent=True, disable=True)
    if 400 <= status < 500 and status not in (408, 429):
        return Outcome(ok=False, error=error, permanent=True)
    return Outcome(
        ok=False, error=error, retry_after=retry_after(response.headers.get("retry-after"))
    )


def make_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(follow_redirects=False, timeout=TIMEOUT)
