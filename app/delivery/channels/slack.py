"""Slack: a card in Slack's Block Kit format, POSTed to an incoming-webhook URL."""

from __future__ import annotations

from app.delivery import cards
from app.delivery.channels.chat import chat_channel

CHANNEL = chat_channel("slack", label="Slack", noun="Slack channel", card=cards.slack_message)
