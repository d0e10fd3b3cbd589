"""The desk's component pickers put the incident's components first, grouped as on the
page, and fold the rest; each says the status the page shows now; the resolved template
proposes setting the incident's components back to operational."""

from __future__ import annotations

import re

from tests.support import factories
from tests.support.desk import HTML, csrf, sign_in


async def _world(client, keys):  # type: ignore[no-untyped-def]
    """API and Dashboard in Platform, Search in Data, Billing in no group; the API is down."""
    api = await factories.component(client, keys["admin"], "API", group="Platform")
    await factories.component(client, keys["admin"], "Dashboard", group="Platform")
    await factories.component(client, keys["admin"], "Search", group="Data")
    await factories.component(client, keys["admin"], "Billing")
    incident = await factories.incident(
        client,
        keys["responder"],
        "API errors",
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "API calls fail. Sorry.")
    return incident, api


def _picker(page: str) -> tuple[str, str]:
    """The picker's unfolded part and its folded part."""
    fieldset = re.search(r'<fieldset class="component-statuses">.*?</fieldset>', page, re.S)
    assert fieldset, "the page has no component picker"
    first, _, rest = fieldset.group(0).partition('<details class="picker-rest"')
    return first, rest


def _names(part: str) -> list[str]:
    return re.findall(r'<label for="cs-[^"]+">([^<]+?) <span', part)


async def test_the_incident_page_lists_its_components_first_and_folds_the_rest(client, users, keys):
    incident, _api = await _world(client, keys)
    await sign_in(client, "rita")
    page = (await client.get(f"/admin/incidents/{incident['id']}")).text
    first, rest = _picker(page)
    assert _names(first) == ["API"]
    assert '<p class="picker-group-name">Platform</p>' in first
    assert "(now partial outage)" in first  # the status the page shows now
    assert rest.startswith(">")  # folded: not open
    assert "Other components (3)" in rest
    assert _names(rest) == ["Billing", "Dashboard", "Search"]  # in page order, grouped
    assert rest.index("Platform") < rest.index("Dashboard") < rest.index("Data")


async def test_the_resolved_template_proposes_the_components_back_to_operational(
    client, users, keys
):
    incident, api = await _world(client, keys)
    templates = (await client.get("/api/v1/templates", headers=keys["admin"])).json()
    if not any(t["status"] == "resolved" for t in templates):
        created = await client.post(
            "/api/v1/templates",
            json={"name": "Resolved", "status": "resolved", "body": "It is fixed. Sorry."},
            headers=keys["comms_lead"],
        )
        templates = [created.json()]
    resolved = next(t for t in templates if t["status"] == "resolved")
    await sign_in(client, "rita")
    page = (await client.get(f"/admin/incidents/{incident['id']}")).text
    composed = await client.post(
        f"/admin/incidents/{incident['id']}/compose",
        data={"_csrf": csrf(page), "template_id": resolved["id"], "status": "resolved"},
        headers=HTML,
    )
    select = re.search(rf'<select id="cs-{api["id"]}".*?</select>', composed.text, re.S)
    assert select and '<option value="operational" selected>' in select.group(0)
    # Without the template, nothing is proposed: the writer chooses.
    plain = (await client.get(f"/admin/incidents/{incident['id']}")).text
    select = re.search(rf'<select id="cs-{api["id"]}".*?</select>', plain, re.S)
    assert select and " selected>" not in select.group(0)


async def test_a_drafts_page_lists_its_incidents_components_first(client, users, keys):
    incident, api = await _world(client, keys)
    await sign_in(client, "rita")
    page = (await client.get(f"/admin/incidents/{incident['id']}")).text
    saved = await client.post(
        f"/admin/incidents/{incident['id']}/drafts",
        data={
            "_csrf": csrf(page),
            "status": "identified",
            "body": "We found it. Sorry.",
            f"cs:{api['id']}": "degraded_performance",
            "then": "save",
        },
        headers=HTML,
        follow_redirects=False,
    )
    draft_page = (await client.get(saved.headers["location"])).text
    first, rest = _picker(draft_page)
    assert _names(first) == ["API"] and "Dashboard" in rest


async def test_the_declare_form_shows_every_component_unfolded_until_one_is_chosen(
    client, users, keys
):
    await _world(client, keys)
    await sign_in(client, "lead")
    page = (await client.get("/admin/declare")).text
    first, rest = _picker(page)
    assert _names(first) == []
    assert rest.startswith(" open>")
    assert _names(rest) == ["Billing", "API", "Dashboard", "Search"]


async def test_a_maintenance_window_lists_its_components_first_and_checked(client, users, keys):
    _incident, api = await _world(client, keys)
    window = await factories.maintenance(
        client, keys["comms_lead"], components=[{"id": api["id"], "status": "under_maintenance"}]
    )
    await sign_in(client, "lead")
    page = (await client.get(f"/admin/maintenance/{window['id']}")).text
    first, rest = _picker(page)
    assert re.search(rf'value="{api["id"]}" checked> API', first)
    assert "Search" in rest and "checked" not in rest
