"""JSON API of what was sent: an update's deliveries (counts by state, failures, a retry
action) and the deliveries of one subscriber."""

from __future__ import annotations

from litestar import Controller, get, post

from app.accounts.auth import CurrentActor
from app.accounts.models import Role
from app.delivery import service
from app.delivery.models import Delivery
from app.delivery.schemas import DeliveryRead, UpdateDeliveries
from app.subscribers.service import get_subscriber
from app.web.deps import Db


def delivery_read(delivery: Delivery) -> DeliveryRead:
    return DeliveryRead(
        id=delivery.id,
        subscriber_id=delivery.subscriber_id,
        channel=delivery.channel,
        message=delivery.message,
        update_id=delivery.update_id,
        state=delivery.state,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        last_error=delivery.last_error,
        created_at=delivery.created_at,
        sent_at=delivery.sent_at,
    )


class DeliveryController(Controller):
    path = "/api/v1/updates/{update_id:str}/deliveries"
    tags = ["deliveries"]

    @get("/")
    async def deliveries(self, db: Db, actor: CurrentActor, update_id: str) -> UpdateDeliveries:
        counts, failures = await service.update_deliveries(db, update_id)
        return UpdateDeliveries(
            update_id=update_id, counts=counts, failures=[delivery_read(d) for d in failures]
        )

    @post("/retry", status_code=200, opt={"role": Role.COMMS_LEAD})
    async def retry(self, db: Db, actor: CurrentActor, update_id: str) -> dict[str, int]:
        count = await service.retry_failed(db, actor=actor, update_id=update_id)
        return {"retried": count}


class SubscriberDeliveryController(Controller):
    """What was sent to one subscriber, newest first (beside the subscribers API)."""

    path = "/api/v1/subscribers/{subscriber_id:str}/deliveries"
    tags = ["subscribers"]
    opt = {"role": Role.COMMS_LEAD}

    @get("/")
    async def history(self, db: Db, actor: CurrentActor, subscriber_id: str) -> list[DeliveryRead]:
        await get_subscriber(db, subscriber_id)
        return [delivery_read(d) for d in await service.subscriber_history(db, subscriber_id)]
