"""The subscribe form's "send a test message" button for Slack and Teams URLs.

It posts a test card through the outbox's chat tester (with its limits) and shows the
form again, filled in as it was, with what the URL answered.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, post

from app.lib.errors import DomainError
from app.subscribers import chat
from app.subscribers.pages.helpers import (
    client_host,
    component_choices,
    customer_for,
    form_fields,
    render_page,
)
from app.web.deps import AppSettings, Db


def _chat_tester(request: Request) -> chat.ChatTester:
    """The outbox's test-message sender, with its limits (kept for the app's lifetime)."""
    return request.app.state.chat_tester  # type: ignore[no-any-return]


async def test_post(
    request: Request, db: Db, settings: AppSettings, token: str | None
) -> Response[str]:
    """The form's "send a test message" button: post a test card to a Slack or Teams URL
    and show the form again, filled in as it was, with what the URL answered."""
    customer = await customer_for(db, token)
    channel, email, url, components = await form_fields(request)
    try:
        outcome = await chat.try_chat_url(
            db,
            channel,
            url,
            client=client_host(request),
            tester=_chat_tester(request),
            allow_private=settings.webhook_allow_private,
        )
    except DomainError as exc:
        await db.rollback()  # a refused request counts for nobody's limit
        outcome, status = None, exc.status_code
        error = exc.message
    else:
        status, error = 200, None
    return render_page(
        request,
        settings,
        "subscribe.html",
        customer=customer,
        status_code=status,
        **await component_choices(db, customer),
        done=False,
        error=error,
        error_channel="url",
        email=email,
        url=url,
        channel=channel,
        chosen=components,
        tested=outcome,
    )


class ChannelTestPages(Controller):
    include_in_schema = False

    @post("/subscribe/test", status_code=200)
    async def test(self, request: Request, db: Db, settings: AppSettings) -> Response[str]:
        return await test_post(request, db, settings, None)

    @post("/c/{token:str}/subscribe/test", status_code=200)
    async def customer_test(
        self, request: Request, db: Db, settings: AppSettings, token: str
    ) -> Response[str]:
        return await test_post(request, db, settings, token)
