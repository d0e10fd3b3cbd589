"""Chat messages for an incident update: a Slack Block Kit message and a Microsoft Teams
Adaptive Card with the same content, each with a plain-text fallback.

The content is one `CardContent`: the title linked to the incident page (the reader's own
page for a customer's contact), status, impact, affected components, the published words
and, when promised, when the next update is due. The card's own words (its fact names, its
link, the date) are in the content's `language`: the subscriber's for their messages,
English for the team's own (nudges, the forms' test message).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.lib.languages import DEFAULT_LANGUAGE
from app.lib.local_dates import format_local
from app.lib.translations import translations

_MAX_TEXT = 2900  # Slack refuses a section text over 3,000 characters


@dataclass(frozen=True)
class CardContent:
    title: str
    url: str
    status: str
    impact: str
    components: list[str]
    words: str
    next_update_at: datetime | None
    page_name: str
    zone: ZoneInfo
    link_text: str | None = None  # None: "Open the incident", in the card's language
    language: str = DEFAULT_LANGUAGE

    def next_update(self) -> str | None:
        if self.next_update_at is None:
            return None
        return format_local(self.next_update_at, "datetime", language=self.language, zone=self.zone)

    def link(self) -> str:
        _ = translations(self.language).gettext
        return self.link_text or _("Open the incident")

    def facts(self) -> list[tuple[str, str]]:
        _ = translations(self.language).gettext
        # A test or welcome card has neither status nor impact: no facts then.
        named = ((_("Status"), self.status), (_("Impact"), self.impact))
        facts = [(n, v) for n, v in named if v]
        if self.components:
            facts.append((_("Affected"), ", ".join(self.components)))
        if (due := self.next_update()) is not None:
            facts.append((_("Next update by"), due))
        return facts

    def plain(self) -> str:
        """The fallback: what a notification or a client without cards shows."""
        _ = translations(self.language).gettext
        lines = [f"{self.title} ({self.status})" if self.status else self.title, self.words]
        if (due := self.next_update()) is not None:
            lines.append(_("Next update by %(time)s.") % {"time": due})
        lines.append(self.url)
        return "\n".join(lines)


def _escape_mrkdwn(text: str) -> str:
    # Slack's three control characters; anything else in the words stays as written.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(content: CardContent) -> bytes:
    """An incoming-webhook body: `text` is the fallback, `blocks` the Block Kit message."""
    title = _escape_mrkdwn(content.title)
    fields = [
        {"type": "mrkdwn", "text": f"*{name}*\n{_escape_mrkdwn(value)}"}
        for name, value in content.facts()
    ]
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*<{content.url}|{title}>*"},
        },
        *([{"type": "section", "fields": fields[:10]}] if fields else []),
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _escape_mrkdwn(content.words)[:_MAX_TEXT] or " "},
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": _escape_mrkdwn(content.page_name)}],
        },
    ]
    # Slack reads the fallback as mrkdwn too (notifications, clients without blocks), so it is
    # escaped like the blocks: a typed `<!channel>` or `<url|label>` stays text.
    fallback = _escape_mrkdwn(content.plain())
    return json.dumps({"text": fallback, "blocks": blocks}).encode()


def teams_message(content: CardContent) -> bytes:
    """A workflow-webhook body: one message whose attachment is an Adaptive Card (1.4)."""
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "fallbackText": content.plain(),
        "body": [
            {
                "type": "TextBlock",
                "text": content.title,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            *(
                [
                    {
                        "type": "FactSet",
                        "facts": [{"title": n, "value": v} for n, v in content.facts()],
                    }
                ]
                if content.facts()
                else []
            ),
            {"type": "TextBlock", "text": content.words, "wrap": True},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": content.link(), "url": content.url}],
    }
    message = {
        "type": "message",
        "summary": content.plain()[:200],
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
    return json.dumps(message).encode()
