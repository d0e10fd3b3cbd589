"""Email over SMTP (or printed, with the console backend): one connection per lane, kept
for many messages, and each message bounded by the deadline as a whole."""

from __future__ import annotations

import asyncio

from app.delivery.channels import Shared
from app.delivery.email import Mailer, OutgoingEmail, SmtpMailer, make_mailer
from app.delivery.service import Outcome


class EmailChannel:
    def __init__(self, shared: Shared) -> None:
        self.mailer: Mailer = make_mailer(shared.settings)

    async def send(self, message: object, *, deadline: float) -> Outcome:
        assert isinstance(message, OutgoingEmail)
        try:
            async with asyncio.timeout(deadline):
                return await self.mailer.send(message)
        except TimeoutError:
            # The connection is in an unknown state (mid-DATA, perhaps): start afresh.
            if isinstance(self.mailer, SmtpMailer):
                await self.mailer.drop()
            return Outcome(ok=False, error=f"SMTP: no answer within {deadline:g} s")

    async def close(self) -> None:
        await self.mailer.close()
