"""JSON API for an update's deliveries: counts by state, failures, and a retry action."""

from __future__ import annotations

from litestar import Controller, get, post

from app.accounts.models import Role
from app.delivery import service
from app.delivery.models import Delivery, DeliveryState
from app.delivery.schemas import DeliveryRead, UpdateDeliveries
from app.web.auth import CurrentActor
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
        skipped = await service.update_deliveries_in(db, update_id, DeliveryState.SKIPPED)
        return UpdateDeliveries(
            update_id=update_id,
            counts=counts,
            failures=[delivery_read(d) for d in failures],
            skipped=[delivery_read(d) for d in skipped],
        )

    @post("/retry", status_code=200, opt={"role": Role.COMMS_LEAD})
    async def retry(self, db: Db, actor: CurrentActor, update_id: str) -> dict[str, int]:
        count = await service.retry_failed(db, actor=actor, update_id=update_id)
        return {"retried": count}
