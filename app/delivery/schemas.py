"""Response shapes of the deliveries API."""

from __future__ import annotations

from datetime import datetime

import msgspec


class DeliveryRead(msgspec.Struct, kw_only=True):
    id: int
    subscriber_id: str | None
    channel: str
    message: str
    update_id: str | None
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None  # for a skipped delivery: why it was not sent
    created_at: datetime
    sent_at: datetime | None


class UpdateDeliveries(msgspec.Struct, kw_only=True):
    update_id: str
    counts: dict[str, int]
    failures: list[DeliveryRead]
    skipped: list[DeliveryRead] = []  # not sent, each with its reason in `last_error`
