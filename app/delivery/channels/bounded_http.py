"""One POST bounded as a whole: a deadline over connect, send and the entire answer, and
at most `cap` bytes of the answer read.

A client's own timeouts bound each read, so a peer that trickles a byte every few seconds
never trips them; `asyncio.timeout` around the whole exchange does. The body is read up to
`cap` bytes and the rest never: leaving the exchange early closes the connection, so a huge
error page costs `cap` bytes of memory, not its size. Raw bytes are read (no
decompression): a compressed bomb stays small.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import aiohttp

from app.delivery.channels import Shared
from app.delivery.service import Outcome
from app.lib.clock import utcnow
from app.lib.guarded_http import GuardedSession
from app.lib.netguard import AddressRefused


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes  # at most the cap

    def text(self, limit: int = 200) -> str:
        return self.body[:limit].decode("utf-8", "replace")


async def post(
    client: GuardedSession,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str],
    deadline: float,
    cap: int,
) -> Reply:
    """The peer's answer; TimeoutError past `deadline`, AddressRefused for a target that is
    not allowed, aiohttp.ClientError (or OSError) when the exchange fails."""
    async with asyncio.timeout(deadline):
        async with client.post(url, content=content, headers=headers) as response:
            body = bytearray()
            while len(body) < cap:
                chunk = await response.content.read(cap - len(body))
                if not chunk:
                    break
                body += chunk
            return Reply(response.status, response.headers, bytes(body))


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
        reply = await post(
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
    except (aiohttp.ClientError, OSError, ValueError) as exc:
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
