"""The JSON bodies of webhook deliveries: a subscription's confirmation, an incident update
and a component's change, in the Statuspage shapes of `app.public.statuspage_shapes`, cut
for the subscriber's audience by `app.audience`, from the worker's own view of the update
and the page (`app.delivery.news`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from app import audience as aud
from app.components.models import Component
from app.customers.page_links import fill
from app.delivery.models import ComponentChange
from app.lib.clock import iso_z, utcnow
from app.public import statuspage_shapes as shapes
from app.settings import page_id_for
from app.subscribers.models import Subscriber

if TYPE_CHECKING:
    from app.delivery.messages import Batch
    from app.delivery.news import News, PageState


async def confirmation_payload(batch: Batch, subscriber: Subscriber) -> bytes:
    """A public webhook's first delivery: accepting it (2xx) starts the subscription."""
    page = await batch.page(subscriber.customer_id)
    payload = {
        "meta": _meta(batch, subscriber),
        "page": _page(batch, page),
        "subscription": {
            "id": subscriber.id,
            "status": "pending",
            "confirm": "Answer this request with a 2xx status to start receiving updates.",
        },
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def _meta(batch: Batch, subscriber: Subscriber) -> dict[str, Any]:
    return {
        "unsubscribe": batch.manage_url(subscriber),
        "documentation": f"{batch.settings.base_url}/subscribe",
        "generated_at": iso_z(utcnow()),
    }


def _page(batch: Batch, page: PageState) -> dict[str, Any]:
    return {
        "id": page_id_for(batch.settings),
        "status_indicator": page.indicator,
        "status_description": page.description,
    }


async def update_payload(batch: Batch, subscriber: Subscriber, news: News) -> bytes:
    """The update as this subscriber's audience sees it. Only `meta` (the subscriber's own
    unsubscribe link) differs between the readers of one audience: the rest is encoded
    once per batch and audience, not once per subscriber."""
    key = (news.update.id, subscriber.customer_id)
    shared = batch.payload_parts.get(key)
    if shared is None:
        body = await _update_body(batch, subscriber, news)
        encoded = json.dumps(body, separators=(",", ":"))[1:-1]
        # The audience's own page link where words hold the stand-in (JSON-safe text both).
        link = f"{batch.settings.base_url}{batch.prefix(subscriber)}/incidents/{news.incident.id}"
        shared = batch.payload_parts[key] = fill(encoded, json.dumps(link)[1:-1]).encode()
    meta = json.dumps(_meta(batch, subscriber), separators=(",", ":")).encode()
    return b'{"meta":' + meta + b"," + shared + b"}"


async def _update_body(batch: Batch, subscriber: Subscriber, news: News) -> dict[str, Any]:
    audience = aud.for_customer(subscriber.customer_id) if subscriber.customer_id else aud.PUBLIC
    page = await batch.page(subscriber.customer_id)
    return {
        "page": _page(batch, page),
        "incident": shapes.incident_object(
            news.told_to(audience),
            page.statuses,
            page_id=page_id_for(batch.settings),
            base_url=batch.settings.base_url + batch.prefix(subscriber),
        ),
    }


async def component_payload(
    batch: Batch, subscriber: Subscriber, change: ComponentChange, component: Component
) -> bytes:
    page = await batch.page(subscriber.customer_id)
    page_id = page_id_for(batch.settings)
    payload = {
        "meta": _meta(batch, subscriber),
        "page": _page(batch, page),
        "component": shapes.component_object(component, change.new_status, page_id=page_id),
        "component_update": {
            "old_status": change.old_status,
            "new_status": change.new_status,
            "created_at": iso_z(change.created_at),
            "component_type": "Component",
            "id": change.id,
            "component_id": component.id,
        },
    }
    return json.dumps(payload, separators=(",", ":")).encode()
