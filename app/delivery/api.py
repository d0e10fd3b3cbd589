"""JSON API for an update's deliveries: counts by state, failures, and a retry action."""

from __future__ import annotations

from litestar import Controller, get, post

from app.accounts.models import Role
from app.delivery import service
from app.subscribers.api import delivery_read
from app.subscribers.schemas import UpdateDeliveries
from app.web.auth import CurrentActor
from app.web.deps import Db


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
        await db.commit()
        return {"retried": count}
