"""Inbound bounce webhooks: machine endpoints with no session, each proving its sender its
own way (SNS's signature, Postmark's Basic auth, Mailgun's HMAC), so they are public routes
and exempt from the desk's CSRF check. Each answers the same for a known and an unknown
address, so nobody learns from it who subscribed."""

from __future__ import annotations

from litestar import Controller, Request, post

from app.subscribers.bounces import service
from app.web.deps import AppSettings, Db

ACCEPTED = {"status": "accepted"}


class BounceHooks(Controller):
    path = "/hooks/bounces"
    tags = ["bounces"]

    @post("/ses", status_code=200)
    async def ses(self, request: Request, db: Db, settings: AppSettings) -> dict[str, str]:
        """Amazon SES notifications through an SNS topic's HTTPS subscription."""
        await service.take_sns(
            db,
            await request.body(),
            header_type=request.headers.get("x-amz-sns-message-type"),
            certificates=request.app.state.sns_certificates,
            settings=settings,
        )
        return ACCEPTED

    @post("/postmark", status_code=200)
    async def postmark(self, request: Request, db: Db, settings: AppSettings) -> dict[str, str]:
        """Postmark's bounce, spam complaint and delivery webhooks (Basic auth)."""
        await service.take_postmark(
            db,
            await request.body(),
            authorization=request.headers.get("authorization"),
            settings=settings,
        )
        return ACCEPTED

    @post("/mailgun", status_code=200)
    async def mailgun(self, request: Request, db: Db, settings: AppSettings) -> dict[str, str]:
        """Mailgun's failed, complained and delivered webhooks (HMAC-signed)."""
        await service.take_mailgun(db, await request.body(), settings=settings)
        return ACCEPTED
