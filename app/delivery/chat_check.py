"""Checking a Slack or Teams URL before subscribing with it: the "send a test message" button
of their forms, as the subscribers package asks for it (`app.subscribers.chat.ChatTester`).

One POST of a test card in the tool's own format, through the one outbound client (public
addresses only, dialled as checked, no redirect followed), bounded as a whole, the answer
read up to a few hundred bytes. Limited per client and for everyone together, counted in
the database (shared by every process): a stranger on the public page gets a handful of
tries, not a request cannon. Only messages sent are counted, never a request refused for
its URL, so one visitor's bad requests block nobody, themselves included.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.rates import hit
from app.delivery import cards
from app.delivery.channels import CHANNELS
from app.delivery.channels.chat import ChatChannel
from app.lib.guarded_http import TRANSPORT_ERRORS, GuardedSession, bounded_post
from app.lib.netguard import AddressRefused
from app.lib.translations import translations
from app.settings import Settings
from app.subscribers.chat import TestOutcome
from app.subscribers.subscribing import TooManyRequests

_CAP = 300  # bytes of the answer read: enough for Slack's "no_service" or a Teams error


class ChatTestSender:
    def __init__(
        self,
        settings: Settings,
        *,
        per_client: int = 5,
        overall: int = 60,
        window: float = 600,
        deadline: float = 10.0,
    ) -> None:
        self.settings = settings
        self.deadline = deadline
        self.per_client = per_client
        self.overall = overall
        self.window = window

    async def check(self, session: AsyncSession, client: str) -> None:
        # Adding nothing reads the counts as they stand.
        await self._count(session, client, amount=0, allowed=0)

    async def admit(self, session: AsyncSession, client: str) -> None:
        await self._count(session, client, amount=1, allowed=1)

    async def _count(
        self, session: AsyncSession, client: str, *, amount: int, allowed: int
    ) -> None:
        """Add `amount` to the client's and everyone's counts; refuse when either is past
        its limit by more than `allowed` (1: the message being counted may be the last)."""
        mine = await hit(session, "chat-test-client", client, window=self.window, amount=amount)
        if mine + 1 - allowed > self.per_client:
            raise TooManyRequests(
                "too many test messages from here; try again in a few minutes", field="url"
            )
        everyone = await hit(session, "chat-test-all", "*", window=self.window, amount=amount)
        if everyone + 1 - allowed > self.overall:
            raise TooManyRequests(
                "too many test messages are being sent just now; try again in a few minutes",
                field="url",
            )

    def message(self, channel: ChatChannel, language: str | None = None) -> bytes:
        """The test card, in `language` (None: the site's): the channel's readers see it."""
        s = self.settings
        language = language or s.language
        _ = translations(language).gettext
        content = cards.CardContent(
            title=_("Test message from %(page)s") % {"page": s.page_name},
            url=f"{s.base_url}/",
            status="",
            impact="",
            components=[],
            words=_(
                "This is a test from %(page)s's status page. If you can read it here, "
                "the address works: subscribe with it to get status updates in this channel."
            )
            % {"page": s.page_name},
            next_update_at=None,
            page_name=s.page_name,
            zone=s.zone,
            link_text=_("Open the status page"),
            language=language,
        )
        return channel.card(content)

    async def send_test(self, kind: str, url: str, *, language: str | None = None) -> TestOutcome:
        channel = CHANNELS.get(kind)
        if not isinstance(channel, ChatChannel):
            return TestOutcome(False, f"{kind!r} takes no test message")
        name = channel.label
        headers = {"content-type": "application/json", "user-agent": "Tidings/1"}
        async with GuardedSession(
            allow_private=self.settings.webhook_allow_private, limit=1
        ) as client:
            try:
                reply = await bounded_post(
                    client,
                    url,
                    content=self.message(channel, language),
                    headers=headers,
                    deadline=self.deadline,
                    cap=_CAP,
                )
            except TimeoutError:
                return TestOutcome(False, f"no answer within {self.deadline:g} s")
            except AddressRefused as exc:
                return TestOutcome(False, exc.message)
            except TRANSPORT_ERRORS as exc:
                return TestOutcome(False, f"could not reach it ({type(exc).__name__}: {exc})")
        said = f"{name} answered HTTP {reply.status}"
        if 200 <= reply.status < 300:
            return TestOutcome(True, said)
        text = " ".join(reply.text(120).split())
        gone = (
            "; the webhook or workflow may have been deleted" if reply.status in (404, 410) else ""
        )
        return TestOutcome(False, said + (f", saying “{text}”" if text else "") + gone)
