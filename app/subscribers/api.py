"""JSON API for subscribers: add (single or CSV), list, change components, release from
quarantine, remove.

What was sent to a subscriber is in the deliveries API (`app.delivery.api`)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import Parameter

from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.lib.numbers import MAX_OFFSET
from app.lib.shapes import shape
from app.subscribers import contacts, quarantine, service
from app.subscribers.models import Subscriber
from app.subscribers.pages.helpers import channels
from app.subscribers.schemas import (
    ImportResult,
    SubscriberCreate,
    SubscriberRead,
    SubscriberUpdate,
)
from app.web.deps import AppSettings, Db
from app.web.idempotency import create_once


async def subscriber_read(
    db: Db, subscriber: Subscriber, *, secret: bool = False
) -> SubscriberRead:
    return shape(
        SubscriberRead,
        subscriber,
        customer=subscriber.customer_id,
        components=await service.component_ids(db, subscriber.id),
        secret=subscriber.secret if secret else None,
    )


class SubscriberController(Controller):
    path = "/api/v1/subscribers"
    tags = ["subscribers"]
    opt = {"act": Act.MANAGE_SUBSCRIBERS}

    @get("/")
    async def list_subscribers(
        self,
        db: Db,
        actor: CurrentActor,
        customer: str | None = None,
        limit: int = Parameter(default=100, ge=1, le=1000),
        offset: int = Parameter(default=0, ge=0, le=MAX_OFFSET),
    ) -> list[SubscriberRead]:
        rows = await service.list_subscribers(db, customer_id=customer, limit=limit, offset=offset)
        return [await subscriber_read(db, s) for s in rows]

    @post("/", status_code=201)
    async def add_subscriber(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        data: SubscriberCreate,
    ) -> Response[Any]:
        async def create() -> SubscriberRead:
            subscriber = await service.add_subscriber(
                db,
                actor=actor,
                data=data,
                allow_private=settings.webhook_allow_private,
                channels=channels(request),
            )
            return await subscriber_read(db, subscriber, secret=True)

        return await create_once(request, db, create, shown_once="secret")

    @post("/import", status_code=200)
    async def import_contacts(
        self, request: Request, db: Db, actor: CurrentActor, customer: str | None = None
    ) -> ImportResult:
        """CSV body (text/csv): `email[,component,component...]` per line, each component by
        its name or its id."""
        text = (await request.body()).decode("utf-8-sig", errors="replace")
        done = await contacts.import_contacts(db, actor=actor, csv_text=text, customer_id=customer)
        return ImportResult(created=done.created, skipped=done.skipped, errors=done.errors)

    @get("/{subscriber_id:str}")
    async def get_subscriber(
        self, db: Db, actor: CurrentActor, subscriber_id: str
    ) -> SubscriberRead:
        return await subscriber_read(db, await service.get_subscriber(db, subscriber_id))

    @patch("/{subscriber_id:str}")
    async def change_subscriber(
        self, db: Db, actor: CurrentActor, subscriber_id: str, data: SubscriberUpdate
    ) -> SubscriberRead:
        """Its components, its language, or both: only the fields the body names."""
        subscriber = await service.get_subscriber(db, subscriber_id)
        if data.language is not msgspec.UNSET:
            await service.choose_language(
                db, subscriber=subscriber, language=data.language, actor=actor
            )
        if data.components is not msgspec.UNSET:
            await service.choose_components(
                db, subscriber=subscriber, components=data.components, actor=actor
            )
        return await subscriber_read(db, subscriber)

    @post("/{subscriber_id:str}/release", status_code=200)
    async def release(self, db: Db, actor: CurrentActor, subscriber_id: str) -> SubscriberRead:
        """Let a quarantined subscriber receive again."""
        subscriber = await service.get_subscriber(db, subscriber_id)
        await quarantine.release(db, subscriber=subscriber, actor=actor)
        return await subscriber_read(db, subscriber)

    @delete("/{subscriber_id:str}", status_code=200)
    async def unsubscribe(self, db: Db, actor: CurrentActor, subscriber_id: str) -> SubscriberRead:
        subscriber = await service.get_subscriber(db, subscriber_id)
        await service.unsubscribe(db, subscriber=subscriber, actor=actor)
        return await subscriber_read(db, subscriber)
