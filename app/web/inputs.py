"""Refuse request bodies no handler should see, once, at the edge, with a clear 4xx.

- A NUL character: PostgreSQL refuses NUL in text while SQLite stores it, so the same
  request would succeed on one and fail on the other.
- JSON nested deeper than `MAX_JSON_DEPTH`: decoders recurse once per level, and
  `[` x 100,000 would otherwise end in a RecursionError (a 500) in whichever decoder meets
  it first (Litestar's, the Manage API's own, the alert intake's). No request of ours
  needs more than a handful of levels.
- A body over `MAX_BODY` bytes: this middleware reads the body before Litestar does, so
  it enforces the size limit itself rather than buffer whatever a client sends.
"""

from __future__ import annotations

import json

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.lib.json_depth import MAX_JSON_DEPTH, too_deep

_WITH_BODY = {"POST", "PUT", "PATCH"}
MAX_BODY = 10 * 1024 * 1024  # Litestar's own default limit


def carries_nul(body: bytes) -> bool:
    # Raw in a form or file, or escaped in JSON (`\u0000`).
    return b"\x00" in body or b"\\u0000" in body.lower()


def looks_like_json(body: bytes, content_type: str) -> bool:
    # Some clients (Statuspage's) send JSON under any Content-Type, and some of our readers
    # take it so; judge by the first byte as well as the header.
    return "json" in content_type or body.lstrip()[:1] in (b"[", b"{")


def _problem(status: int, title: str, detail: str) -> tuple[Message, Message]:
    payload = json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail}
    ).encode()
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(payload)).encode()),
        ],
    }
    return start, {"type": "http.response.body", "body": payload}


def refusal(body: bytes, content_type: str) -> tuple[int, str, str] | None:
    """Why this body is refused (status, title, detail), or None when it may pass."""
    if carries_nul(body):
        return 422, "Invalid input", "the request contains a NUL character, which text may not hold"
    if looks_like_json(body, content_type) and too_deep(body):
        return (
            422,
            "Invalid input",
            f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels",
        )
    return None


def screen_bodies(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: read a request body once, refuse it if `refusal` says so, and hand
    the same messages on to the app otherwise."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in _WITH_BODY:
            await app(scope, receive, send)
            return
        messages: list[Message] = []
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                for part in _problem(
                    413, "Request too large", f"the body is larger than {MAX_BODY} bytes"
                ):
                    await send(part)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        content_type = ""
        for name, value in scope.get("headers", []):
            if name == b"content-type":
                content_type = value.decode("latin-1").lower()
        refused = refusal(b"".join(chunks), content_type)
        if refused is not None:
            for part in _problem(*refused):
                await send(part)
            return
        replay = iter(messages)

        async def replayed() -> Message:
            try:
                return next(replay)
            except StopIteration:
                return await receive()

        await app(scope, replayed, send)

    return middleware
