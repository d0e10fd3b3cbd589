"""HEAD on every GET route: the same status and headers as GET, and no body.

Uptime monitors and load balancers probe with HEAD; a 405 there reads as "the page is
down". Litestar matches the method while routing, before any middleware runs, so this
wraps the whole application: a HEAD request is routed and answered as a GET, and the
body is dropped on the way out (Content-Length still says what a GET would carry).
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send


def answer_head(app: ASGIApp) -> ASGIApp:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await app({**scope, "method": "GET"}, receive, without_body)  # type: ignore[typeddict-item]

    return handler
