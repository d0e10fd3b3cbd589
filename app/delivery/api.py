"""JSON API of what was sent: an update's deliveries (counts by state, failures, a retry
action) and the deliveries of one subscriber."""

from __future__ import annotations

from litestar import Controller, get, post

from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.delivery import queue
from app.delivery.models import DeliveryState
from app.delivery.schemas import DeliveryRead, UpdateDeliveries
from app.lib.shapes import shape
from app.subscribers.service import get_subscriber
from app.web.deps import Db


class DeliveryController(Controller):
    path = "/api/v1/updates/{update_id:str}/deliveries"
    opt = {"act": Act.READ_DESK}
    tags = ["deliveries"]

    @get("/")
    async def deliveries(self, db: Db, actor: CurrentActor, update_id: str) -> UpdateDeliveries:
        counts, failures = await queue.update_deliveries(db, update_id)
        skipped = await queue.update_deliveries_in(db, update_id, DeliveryState.SKIPPED)
        return UpdateDeliveries(
            update_id=update_id,
            counts=counts,
            failures=[shape(DeliveryRead, d) for d in failures],
            skipped=[shape(DeliveryRead, d) for d in skipped],
        )

    @post("/retry", status_code=200, opt={"act": Act.RETRY_DELIVERIES})
    async def retry(self, db: Db, actor: CurrentActor, update_id: str) -> dict[str, int]:
        count = await queue.retry_failed(db, actor=actor, update_id=update_id)
        return {"retried": count}


class SubscriberDeliveryController(Controller):
    """What was sent to one subscriber, newest first (beside the subscribers API)."""

    path = "/api/v1/subscribers/{subscriber_id:str}/deliveries"
    tags = ["subscribers"]
    opt = {"act": Act.MANAGE_SUBSCRIBERS}

    @get("/")
    async def history(self, db: Db, actor: CurrentActor, subscriber_id: str) -> list[DeliveryRead]:
        await get_subscriber(db, subscriber_id)
        return [shape(DeliveryRead, d) for d in await queue.subscriber_history(db, subscriber_id)]
