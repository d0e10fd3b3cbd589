"""Email over SMTP (or printed, with the console backend): the worker's few connections,
each kept for many messages, and each message bounded by the deadline as a whole (waiting
for a free connection included)."""

from __future__ import annotations

import asyncio

from app.delivery.channels import Shared
from app.delivery.email import OutgoingEmail
from app.delivery.queue import Outcome


class EmailChannel:
    def __init__(self, shared: Shared) -> None:
        self.mailers = shared.mailers

    async def send(self, message: object, *, deadline: float) -> Outcome:
        assert isinstance(message, OutgoingEmail)
        try:
            async with asyncio.timeout(deadline):
                return await self.mailers.send(message)
        except TimeoutError:
            return Outcome(ok=False, error=f"SMTP: no answer within {deadline:g} s")

    async def close(self) -> None:
        return None  # the connections are the worker's, shared by every lane
