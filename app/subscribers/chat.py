"""Slack and Microsoft Teams subscribers: trying a URL with a test message before saving it.

Sending is the delivery package's alone, so this names what it needs (`ChatTester`) and
`create_app` hands the pages the outbox's answer (`app.delivery.chat_check`), as it does
for the confirmation email. The tester also limits how often one client (and everyone
together) may ask: the public subscribe page must not become a way to fire requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.lib.errors import InvalidInput
from app.lib.urls import check_webhook_url
from app.subscribers.models import CHAT_KINDS


@dataclass(frozen=True)
class TestOutcome:
    """Whether the URL took the test message, and what it answered (or why nothing did)."""

    ok: bool
    detail: str  # "Slack answered HTTP 200", "… HTTP 404: no_service", "no answer within 10 s"


class ChatTester(Protocol):
    async def check(self, session: AsyncSession, client: str) -> None:
        """Refuse with TooManyRequests when `client` (or everyone) has had its test messages;
        counts nothing."""

    async def admit(self, session: AsyncSession, client: str) -> None:
        """Count one test message about to be sent for `client` (and everyone); refuse with
        TooManyRequests when that is one too many."""

    async def send_test(self, kind: str, url: str, *, language: str | None = None) -> TestOutcome:
        """POST a test message in `kind`'s own format to `url`, written in `language` (None:
        the site's); never raises for the peer."""


def chat_kind(value: object) -> str:
    """`slack` or `teams`, or InvalidInput naming them."""
    kind = str(value or "").strip().lower()
    if kind not in CHAT_KINDS:
        raise InvalidInput(
            "a test message is for Slack and Microsoft Teams URLs: choose one of them "
            "(a webhook is confirmed by its first signed request instead)",
            field="kind",
        )
    return kind


async def try_chat_url(
    session: AsyncSession,
    kind: object,
    url: str,
    *,
    client: str,
    tester: ChatTester,
    allow_private: bool,
    language: str | None = None,
) -> TestOutcome:
    """Send a test message to a Slack or Teams URL that is not saved yet.

    The limit is looked at first (a refused client costs not even a DNS lookup), then the
    URL and its address are checked as for any subscriber (no private, loopback or
    link-local address), and only a message about to be sent is counted: a request that
    fails validation spends nobody's allowance, so it cannot block the button. The message
    is written in `language` (the page's; None: the site's), as the channel's will be."""
    name = chat_kind(kind)
    await tester.check(session, client)
    checked = await check_webhook_url(url, allow_private=allow_private, field="url")
    await tester.admit(session, client)
    return await tester.send_test(name, checked, language=language)
