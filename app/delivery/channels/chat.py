"""Slack and Microsoft Teams: a JSON card POSTed to the incoming-webhook (Slack) or the
workflow webhook (Teams) URL the subscriber gave, within the deadline, through the guarded
client. A 404 or 410 means the webhook or workflow was deleted: the subscriber is disabled.
"""

from __future__ import annotations

from app.delivery.channels import Shared
from app.delivery.channels.bounded_http import deliver
from app.delivery.prepared import ChatMessage
from app.delivery.queue import Outcome


class ChatChannel:
    def __init__(self, shared: Shared) -> None:
        self.shared = shared

    async def send(self, message: object, *, deadline: float) -> Outcome:
        assert isinstance(message, ChatMessage)
        headers = {"content-type": "application/json", "user-agent": "Tidings/1"}
        return await deliver(
            self.shared,
            message.url,
            content=message.body,
            headers=headers,
            deadline=deadline,
            gone=(404, 410),
        )

    async def close(self) -> None:
        return None
