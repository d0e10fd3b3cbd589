"""`Idempotency-Key` on creates: a retried request gets the first answer, not a duplicate.

A retry is the same request sent again. The same key with a different body is a client bug
(a key reused for a second, different create): answering it with the first resource would
drop the second request without a word, so it is refused. To tell them apart, the record of
a key keeps a hash of the request body beside the answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import IdempotencyRecord
from app.lib.errors import Conflict, InvalidInput

SHOWN_ONCE = (
    "the raw {field} is shown once, in the first answer to this request, and is kept nowhere; "
    "if that answer was lost, revoke this one and create another"
)


def _fingerprint(raw: bytes) -> str:
    """The SHA-256 of a request body: of its JSON value when it is JSON, so that a retry
    serialised again with other spacing or key order is still the same request."""
    try:
        canonical = json.dumps(
            json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except ValueError:
        canonical = raw
    return hashlib.sha256(canonical).hexdigest()


def _recorded(body: Any) -> tuple[str | None, Any]:
    """(the request's hash, the answer) of a record; records written before requests were
    hashed hold the answer alone, and replay it whatever the body."""
    if isinstance(body, dict) and body.keys() == {"request_sha256", "answer"}:
        return body["request_sha256"], body["answer"]
    return None, body


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
    fingerprint = _fingerprint(await request.body()) if key else None
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
            asked, answer = _recorded(previous.body)
            if asked is not None and asked != fingerprint:
                raise InvalidInput(
                    f"the Idempotency-Key {key!r} was already used for a request with another "
                    "body; a retry must send the same body, and a new request a new key",
                    field="Idempotency-Key",
                )
            return Response(
                answer,
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
                scope=scope,
                key=key,
                request_path=request.url.path,
                status_code=201,
                body={"request_sha256": fingerprint, "answer": kept},
            )
        )
    return Response(body, status_code=201)
