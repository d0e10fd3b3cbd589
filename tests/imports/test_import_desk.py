"""The import from the admin desk: a comms lead pastes a URL, reads the dry run, confirms."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest

from app.incidents.models import Incident
from tests.support.desk import HTML, csrf, sign_in, text_of
from tests.support.importing import count

PATH = "/admin/import"


def words(response) -> str:
    """The page's text, one space between cells and lines."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


async def dry_run(client, url: str):
    form = await client.get(PATH)
    return await client.post(PATH, data={"url": url, "do": "plan", "_csrf": csrf(form.text)})


async def test_a_comms_lead_sees_the_dry_run_confirms_and_a_second_run_adds_nothing(
    client, users, pages, db
):
    await sign_in(client, "lead")
    desk = await client.get("/admin")
    assert 'href="/admin/import"' in desk.text  # the desk's navigation leads there
    url = pages.url("atlassian-docs")

    plan = await dry_run(client, url)

    assert plan.status_code == 200, plan.text
    seen = words(plan)
    assert "What would be imported from Atlassian Statuspage" in seen
    assert (
        "Dry run, nothing was written. Would import: "
        "2 components in 0 groups, 2 incidents, 5 updates, 2 maintenances"
    ) in seen
    assert "Components 2 0 0" in seen and "Incidents 2 0 0" in seen
    assert "Maintenances 2 0 0" in seen
    assert await count(db, Incident) == 0

    done = await client.post(PATH, data={"url": url, "do": "import", "_csrf": csrf(plan.text)})

    assert done.status_code == 200, done.text
    assert "Imported" in done.text
    assert "2 components in 0 groups, 2 incidents, 5 updates, 2 maintenances" in done.text
    assert await count(db, Incident) == 4
    public = await client.get("/api/v2/incidents.json")
    assert [i["id"] for i in public.json()["incidents"]] == ["cp306tmzcl0y", "2z5g29qrrxvl"]

    again = await dry_run(client, url)
    seen = words(again)
    assert "nothing new (2 components, 2 incidents, 2 maintenances already up to date)" in seen
    assert "Nothing to import: this page is already up to date here." in seen
    assert "Import it" not in seen  # nothing to confirm
    rerun = await client.post(PATH, data={"url": url, "do": "import", "_csrf": csrf(again.text)})
    assert rerun.status_code == 200
    assert await count(db, Incident) == 4


async def test_the_dry_run_lists_what_would_be_skipped_with_its_reason(client, users, pages):
    await sign_in(client, "lead")

    plan = await dry_run(client, pages.url("untidy"))

    assert plan.status_code == 200, plan.text
    seen = words(plan)
    assert "Skipped (" in seen
    assert "Import it" in seen  # the rest still goes on


async def test_a_page_that_is_not_a_statuspage_api_gets_a_clear_error(client, users, pages):
    await sign_in(client, "lead")

    plan = await dry_run(client, pages.url("no-such-page"))

    assert plan.status_code == 422
    assert "does not serve a Statuspage v2 API" in text_of(plan)
    assert "answered HTTP 404" in text_of(plan)


async def test_a_url_that_is_not_a_url_gets_a_clear_error(client, users):
    await sign_in(client, "lead")

    plan = await dry_run(client, "status page please")

    assert plan.status_code == 422
    assert "url must be the http(s) address of a status page" in text_of(plan)


class TestPrivateAddresses:
    @pytest.fixture
    def settings(self, base_settings):
        return replace(base_settings, webhook_allow_private=False)

    async def test_a_private_address_is_refused_with_a_message(self, client, users, pages):
        await sign_in(client, "lead")

        plan = await dry_run(client, pages.url("atlassian-docs"))

        assert plan.status_code == 422
        assert "not a public internet address" in text_of(plan)
        assert pages.requests == []  # not one request left the server


async def test_a_responder_may_not_import_nor_sees_the_link(client, users, pages):
    await sign_in(client, "rita")

    desk = await client.get("/admin")
    page = await client.get(PATH, headers=HTML)

    assert 'href="/admin/import"' not in desk.text
    assert page.status_code == 403


@pytest.mark.parametrize("answer", ["<html>Hello</html>", "[1, 2, 3]", '{"hello": "world"}'])
async def test_a_page_answering_something_else_gets_a_clear_error(client, users, pages, answer):
    (pages.root / "elsewhere").mkdir()
    for document in ("summary.json", "components.json", "incidents.json"):
        (pages.root / "elsewhere" / document).write_text(answer)
    await sign_in(client, "lead")

    plan = await dry_run(client, pages.url("elsewhere"))

    assert plan.status_code == 422, plan.text
    assert "does not serve a Statuspage v2 API" in words(plan)
