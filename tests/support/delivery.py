"""Running the delivery worker from a test, one drain at a time."""

from __future__ import annotations

from app.delivery.jobs import DeliveryWorker
from app.delivery.queue import RetryPolicy
from app.lib.clock import utcnow


async def drain(worker: DeliveryWorker) -> int:
    """Send everything due now; retries it schedules wait for the next drain (and for the
    `clock` to pass their back-off)."""
    now = utcnow()
    total = 0
    while handled := await worker.deliver_due(now=now):
        total += handled
    return total


# Back-off short enough that a retry is due before the next drain: for tests about what a
# message says, not about when it is retried (those move the `clock`).
FAST = RetryPolicy(base=0.01, cap=0.05, max_attempts=5)
