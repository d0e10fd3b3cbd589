"""Judging a webhook or chat POST's answer: sent, tried again later, or failed for good.

The POST itself is the one outbound client's (`app.lib.guarded_http.bounded_post`): public
addresses only, dialled as checked, bounded as a whole by the deadline (connect, send and
the entire answer), and at most `Shared.body_cap` bytes of the answer read, raw.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from app.delivery.channels.base import Shared
from app.delivery.queue import Outcome
from app.lib.clock import utcnow
from app.lib.guarded_http import TRANSPORT_ERRORS, bounded_post
from app.lib.netguard import AddressRefused


async def deliver(
    shared: Shared,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str],
    deadline: float,
    gone: tuple[int, ...] = (410,),
) -> Outcome:
    """POST and judge the answer: 2xx is sent; a status in `gone` says the target is gone
    for good (the subscriber is disabled); other 4xx but 408 and 429 cannot get better by
    retrying; 5xx, 408, 429, timeouts and network errors are tried again (honouring
    Retry-After). A refused target (a private address) fails for good."""
    try:
        reply = await bounded_post(
            shared.http,
            url,
            content=content,
            headers=headers,
            deadline=deadline,
            cap=shared.body_cap,
        )
    except TimeoutError:
        return Outcome(ok=False, error=f"no complete answer within {deadline:g} s")
    except AddressRefused as exc:
        return Outcome(ok=False, error=exc.message, permanent=True)
    except TRANSPORT_ERRORS as exc:
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}")
    status = reply.status
    if 200 <= status < 300:
        return Outcome(ok=True)
    error = f"HTTP {status}: {reply.text()}"
    if status in gone:
        return Outcome(ok=False, error=error, permanent=True, disable=True)
    if 400 <= status < 500 and status not in (408, 429):
        return Outcome(ok=False, error=error, permanent=True)
    return Outcome(ok=False, error=error, retry_after=retry_after(reply.headers.get("retry-after")))


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - utcnow()).total_seconds())
