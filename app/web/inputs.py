"""Refuse text no database should hold: a NUL character in a request body.

PostgreSQL refuses NUL in text while SQLite stores it, so the same request would succeed on
one and fail on the other. One check at the edge makes both answer a clear 422.
"""

from __future__ import annotations

import json

from litestar.types import ASGIApp, Message, Receive, Scope, Send

_WITH_BODY = {"POST", "PUT", "PATCH"}


def carries_nul(body: bytes) -> bool:
    # Raw in a form or file, or escaped in JSON (`\u0000`).
    return b"\x00" in body or b"\\u0000" in body.lower()


def reject_nul(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in _WITH_BODY:
            await app(scope, receive, send)
            return
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        if carries_nul(body):
            payload = json.dumps(
                {
                    "type": "about:blank",
                    "title": "Invalid input",
                    "status": 422,
                    "detail": "the request contains a NUL character, which text may not hold",
                }
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 422,
                    "headers": [
                        (b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(payload)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": payload})
            return
        replay = iter(messages)

        async def replayed() -> Message:
            try:
                return next(replay)
            except StopIteration:
                return await receive()

        await app(scope, replayed, send)

    return middleware
