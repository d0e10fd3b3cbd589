"""`Idempotency-Key` on creates: a retried request gets the first answer, not a duplicate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import IdempotencyRecord
from app.lib.errors import Conflict

SHOWN_ONCE = (
    "the raw {field} is shown once, in the first answer to this request, and is kept nowhere; "
    "if that answer was lost, revoke this one and create another"
)


async def create_once(
    request: Request,
    db: AsyncSession,
    create: Callable[[], Awaitable[msgspec.Struct]],
    *,
    shown_once: str | None = None,
) -> Response[Any]:
    """Run `create` and answer 201; with an Idempotency-Key, at most once per key.

    The record of the key is written in the request's own transaction, so the create and
    its record commit together (or neither does).

    `shown_once` names a field of the answer that holds a secret (a raw API key): it is
    never written to the record, so a replay answers it as null, with a `note` saying why.
    """
    key = request.headers.get("idempotency-key")
    scope = getattr(request.state, "actor_key_id", None) or "session"
    if key:
        if len(key) > 200:
            raise Conflict(
                "Idempotency-Key must be at most 200 characters", field="Idempotency-Key"
            )
        previous = await db.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
            )
        )
        if previous is not None:
            if previous.request_path != request.url.path:
                raise Conflict(
                    "this Idempotency-Key was already used for another request",
                    field="Idempotency-Key",
                )
            return Response(
                previous.body,
                status_code=previous.status_code,
                headers={"Idempotent-Replayed": "true"},
            )
    result = await create()
    body = msgspec.to_builtins(result)
    if key:
        kept = body
        if shown_once is not None:
            kept = {**body, shown_once: None, "note": SHOWN_ONCE.format(field=shown_once)}
        db.add(
            IdempotencyRecord(
                scope=scope, key=key, request_path=request.url.path, status_code=201, body=kept
            )
        )
    return Response(body, status_code=201)
