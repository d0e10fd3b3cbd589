"""`TIDINGS_EMAIL_BACKEND=console` (what `make run` uses): each email is printed whole, so a
newcomer without a mail server reads what a subscriber would."""

from __future__ import annotations

import pytest

from tests.support import factories
from tests.support.delivery import drain


@pytest.mark.settings(email_backend="console")
async def test_the_console_backend_prints_each_whole_email(client, keys, worker, capsys):
    await factories.contact(client, keys["comms_lead"], "reader@example.org")
    incident = await factories.incident(client, keys["responder"], "Slow checkout")
    await factories.publish(
        client, keys["comms_lead"], incident["id"], "Payments take a minute to confirm."
    )
    assert await drain(worker) == 1
    printed = capsys.readouterr().out
    assert "--- email to reader@example.org ---" in printed
    assert "Subject: " in printed and "Slow checkout" in printed
    assert "Payments take a minute to confirm." in printed  # the text itself
    assert f"/incidents/{incident['id']}" in printed  # the link to the incident
    assert "unsubscribe" in printed.lower()  # and the way out
    assert "--- end of email to reader@example.org ---" in printed
