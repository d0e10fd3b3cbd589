"""The maintenance form offers the team's maintenance templates: "Fill the words from the
maintenance templates" drafts each moment's words for the window being planned, keeping
everything else on the form, and saves nothing."""

from __future__ import annotations

import html
import re

from tests.support import factories
from tests.support.desk import HTML, csrf, sign_in


async def _templates(client, keys):  # type: ignore[no-untyped-def]
    for status, body in (
        ("scheduled", "We'll work on {{ components_text }} from {{ window_start }}."),
        ("in_progress", "Work on {{ components_text }} has started; next by {{ next_update_at }}."),
        ("completed", "Work on {{ components_text }} is done."),
        ("investigating", "Not a maintenance template."),
    ):
        made = await client.post(
            "/api/v1/templates",
            json={"name": f"Maintenance {status}", "status": status, "body": body},
            headers=keys["comms_lead"],
        )
        assert made.status_code == 201, made.text


def _field(page: str, name: str) -> str:
    found = re.search(rf'<textarea id="w-{name}" name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, name
    return html.unescape(found.group(1))


async def test_the_maintenance_form_drafts_each_moments_words_from_the_templates(
    client, users, keys
):
    db = await factories.component(client, keys["admin"], "Database")
    await factories.component(client, keys["admin"], "Search")
    await _templates(client, keys)
    await sign_in(client, "lead")
    page = (await client.get("/admin/maintenance")).text
    assert 'formaction="/admin/maintenance/compose"' in page
    filled = await client.post(
        "/admin/maintenance/compose",
        data={
            "_csrf": csrf(page),
            "title": "Database upgrade",
            "scheduled_for": "2031-03-02T02:00",
            "scheduled_until": "2031-03-02T04:00",
            "components": [db["id"]],
            "visibility": "internal",
        },
        headers=HTML,
    )
    assert filled.status_code == 200, filled.text
    assert _field(filled.text, "scheduled") == "We'll work on Database from Mar 02, 02:00 UTC."
    assert _field(filled.text, "in_progress") == (
        "Work on Database has started; next by 04:00 UTC."
    )
    assert _field(filled.text, "completed") == "Work on Database is done."
    # Everything else stays as it was on the form; nothing was scheduled.
    assert 'value="Database upgrade"' in filled.text
    assert 'value="2031-03-02T02:00"' in filled.text
    assert re.search(rf'value="{db["id"]}" checked> Database', filled.text)
    assert '<option value="internal" selected>' in filled.text
    plans = await client.get("/api/v1/maintenance-plans", headers=keys["comms_lead"])
    assert plans.json() == []
