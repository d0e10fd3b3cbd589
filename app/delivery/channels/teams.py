"""Microsoft Teams: an Adaptive Card, POSTed to a Power Automate workflow webhook URL."""

from __future__ import annotations

from app.delivery import cards
from app.delivery.channels.chat import chat_channel

CHANNEL = chat_channel(
    "teams", label="Microsoft Teams", noun="Teams channel", card=cards.teams_message
)
