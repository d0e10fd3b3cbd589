"""Admin pages of what was sent: an update's deliveries (counts by state, failures, a retry
action) and one subscriber's page with the messages it was sent.

Thin handlers over `app.delivery.queue`; roles as in the JSON API (reading an update's
deliveries for anyone signed in, retrying and reading subscribers for comms leads).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from app.accounts.http.admin import admin_page, back
from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.components.service import list_components
from app.customers.service import list_customers
from app.delivery import queue
from app.lib.languages import LANGUAGES, message_language
from app.subscribers.service import component_ids, get_subscriber
from app.web.deps import AppSettings, Db


class DeliveryPages(Controller):
    path = "/admin/updates/{update_id:str}/deliveries"
    opt = {"act": Act.READ_DESK}
    include_in_schema = False

    @get("/")
    async def deliveries(
        self, request: Request, db: Db, actor: CurrentActor, update_id: str
    ) -> Response[Any]:
        report = await queue.update_report(db, update_id)
        return admin_page(
            request,
            "admin/deliveries.html",
            update=report.update,
            incident=report.incident,
            counts=report.counts,
            failures=report.failures,
            skipped=report.skipped,
            recipients=report.recipients,
        )

    @post("/retry", opt={"act": Act.RETRY_DELIVERIES})
    async def retry(self, db: Db, actor: CurrentActor, update_id: str) -> Redirect:
        count = await queue.retry_failed(db, actor=actor, update_id=update_id)
        here = f"/admin/updates/{update_id}/deliveries"
        if not count:
            return back(here, notice="No failed deliveries to retry.")
        plural = "delivery" if count == 1 else "deliveries"
        return back(here, notice=f"{count} {plural} put back in the queue, due now.")


class SubscriberHistoryPages(Controller):
    """One subscriber's page: who it is and the messages it was sent, newest first.

    Beside the other subscriber pages (`app.subscribers.pages.desk`) in the URL space, but
    here because it reads the outbox, which the subscribers package knows nothing of.
    """

    path = "/admin/subscribers"
    include_in_schema = False
    opt = {"act": Act.MANAGE_SUBSCRIBERS}

    @get("/{subscriber_id:str}")
    async def subscriber(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        subscriber_id: str,
    ) -> Response[Any]:
        subscriber = await get_subscriber(db, subscriber_id)
        chosen = await component_ids(db, subscriber.id)
        components = {c.id: c.name for c in await list_components(db)}
        customers = {c.id: c for c in await list_customers(db)}
        customer = customers.get(subscriber.customer_id or "")
        customer_language = customer.language if customer else None
        return admin_page(
            request,
            "admin/subscriber.html",
            subscriber=subscriber,
            customer_name=customer.name if customer else None,
            languages=LANGUAGES,
            # What its messages are written in now, and without a language of its own.
            message_language=message_language(
                subscriber=subscriber.language, customer=customer_language, site=settings.language
            ),
            default_language=message_language(
                subscriber=None, customer=customer_language, site=settings.language
            ),
            component_names=[components.get(c, c) for c in chosen] if chosen else None,
            history=await queue.subscriber_history(db, subscriber.id),
        )
