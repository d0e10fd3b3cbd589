"""Webhooks: a Statuspage-shaped JSON body, signed per Standard Webhooks, POSTed within the
deadline through the worker's guarded client (public addresses only, dialled as checked).

The `webhook-id` is the delivery's and never changes across retries; the timestamp and
signature are those of each attempt, over the exact bytes sent.
"""

from __future__ import annotations

import time

from app.delivery.channels import Shared
from app.delivery.channels.bounded_http import deliver
from app.delivery.prepared import WebhookMessage
from app.delivery.queue import Outcome
from app.delivery.webhooks import sign


class WebhookChannel:
    def __init__(self, shared: Shared) -> None:
        self.shared = shared

    async def send(self, message: object, *, deadline: float) -> Outcome:
        assert isinstance(message, WebhookMessage)
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "user-agent": "Tidings-Webhooks/1",
            "webhook-id": message.msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(message.secret, message.msg_id, timestamp, message.body),
        }
        return await deliver(
            self.shared, message.url, content=message.body, headers=headers, deadline=deadline
        )

    async def close(self) -> None:
        return None  # the HTTP client is the worker's, shared by every lane
