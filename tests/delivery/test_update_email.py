"""An update email a customer reads in ten seconds: status and colour, impact, components
with their status now, the next update, the time and its zone, in HTML and in plain text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.support import factories
from tests.support.delivery import drain
from tests.support.update_email import send_update

pytestmark = pytest.mark.settings(time_zone="Europe/Paris")


async def test_the_email_says_status_impact_components_and_next_update_in_the_pages_zone(
    client, keys, smtp, worker
):
    html, text = await send_update(client, keys, smtp, worker)
    for part in (html, text):
        assert "Elevated API errors" in part
        assert re.search(r"Identified", part, re.I)
        assert "Impact: Major" in part
        assert "API" in part and "Partial outage" in part
        assert "Billing" not in part  # not affected: not listed
        assert "Next update by Jan 15, 14:30 CET" in part  # Europe/Paris, said plainly
        assert "Europe/Paris" not in part
    assert "<strong>fail</strong>" in html and "**fail**" in text


async def test_the_html_is_what_mail_clients_render(client, keys, smtp, worker):
    html, _text = await send_update(client, keys, smtp, worker)
    assert "<script" not in html.lower()
    assert 'role="presentation"' in html  # table layout
    assert "style=" in html  # inline styles
    assert "prefers-color-scheme: dark" in html
    assert 'content="light dark"' in html
    assert "/theme/logo.png" in html  # the theme's logo, as an absolute URL
    assert "http://status.example.test/theme/logo.png" in html
    assert "#0b57d0" in html  # the theme's accent
    assert "#b04700" in html  # the colour of a partial outage (major impact)


async def test_customer_scoped_mail_names_the_customer(client, keys, smtp, worker):
    html, text = await send_update(client, keys, smtp, worker, customer="Acme Logistics")
    assert "for Acme Logistics" in html and "for Acme Logistics" in text
    assert "Acme Logistics's status page" in text


async def test_a_maintenance_email_gives_its_window_and_no_impact(client, keys, smtp, worker):
    await factories.contact(client, keys["comms_lead"], "ops@example.org")
    start = datetime(2031, 3, 1, 1, 0, tzinfo=UTC)
    response = await client.post(
        "/api/v1/maintenances",
        json={
            "title": "Database upgrade",
            "scheduled_for": start.isoformat(),
            "scheduled_until": (start + timedelta(hours=2)).isoformat(),
            "body": "Read-only for a moment.",
            "publish": True,
        },
        headers=keys["comms_lead"],
    )
    assert response.status_code == 201
    await drain(worker)
    (message,) = smtp.to("ops@example.org")
    text = message.get_body(("plain",)).get_content()
    assert "SCHEDULED" in text
    assert "Window: Sat, Mar 1, 2031, 02:00 CET to Mar 1, 04:00 CET" in text
    assert "Impact" not in text
