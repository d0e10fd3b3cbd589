"""Real pages are untidy: what can be imported is, the rest is listed with its reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.components.models import Component, ComponentGroup
from app.incidents.models import Incident, Update
from app.incidents.service import get_incident
from app.lib.errors import InvalidInput
from app.statuspage.importer.fetch import fetch_documents
from app.statuspage.importer.models import ImportMapping
from app.statuspage.importer.parse import parse_page
from app.statuspage.importer.service import import_statuspage
from tests.support.importing import LEAD, at, count, run


async def test_a_broken_page_imports_what_it_can_and_lists_the_rest_with_reasons(db, pages):
    plan = await run(db, pages.url("untidy"))

    assert [p.describe() for p in plan.skipped] == [
        "page: scheduled-maintenances.json answered HTTP 404; not read",
        "component 'nn0name0comp': it has no name",
        "component 'Ghost': it has no id",
        "one component: not a JSON object",
        "incident 'nameless0inc': it has no name",
        "incident 'No id here': it has no id, so a later import could not recognise it",
        "incident 'Announced but never written': it has no readable update, so there is "
        "nothing to show",
        "one incident: not a JSON object",
    ]
    assert plan.summary().startswith(
        "4 components in 2 groups, 3 incidents, 8 updates, 1 maintenance; 8 skipped: page: "
    )
    assert plan.summary().endswith("; and 3 more")
    assert (await count(db, Component), await count(db, ComponentGroup)) == (4, 2)
    assert (await count(db, Incident), await count(db, Update)) == (4, 8)


async def test_untidy_fields_are_read_leniently_and_each_adjustment_is_noted(db, pages):
    plan = await run(db, pages.url("untidy"))

    notes = [p.describe() for p in plan.notes]
    assert "component 'API': no status; read as operational" in notes
    assert "component 'rtcm0xq8rnxv': listed twice; the first was kept" in notes
    assert (
        "component 'Egress': its group 'nogroup12345' is not on the page; imported without a group"
        in notes
    )
    assert (
        "group 'Self-hosted': it has no components; kept, and shown once a component joins it"
        in notes
    )
    unknown = "affected component 'zzzunknown01' is not on the page"
    assert f"incident 'Elevated Error Rates': {unknown}" in notes

    api = await db.get(Component, "apiv1qz6l0kd")
    assert api is not None and api.status == "operational"
    media = await db.get(Component, "rtcm0xq8rnxv")
    assert media is not None and (media.name, media.status) == ("Realtime media", "operational")
    egress = await db.get(Component, "egr3ss9x7v2m")
    assert egress is not None and (egress.group_id, egress.status) == (None, "degraded_performance")
    empty = await db.scalar(select(ComponentGroup).where(ComponentGroup.name == "Self-hosted"))
    assert empty is not None
    assert await db.scalar(select(func.count()).where(Component.group_id == empty.id)) == 0

    webhooks = await get_incident(db, "untidy00inc1")
    assert (webhooks.title, webhooks.status, webhooks.impact) == (
        "Webhook delays",
        "investigating",
        "none",
    )
    assert webhooks.created_at == datetime(2026, 9, 20, 6, 0, 0, 123456, tzinfo=UTC)
    first, second = sorted(webhooks.updates, key=lambda u: u.published_at)
    # No status: the lifecycle's first; an unreadable display_at: its created_at.
    assert (first.status, first.body) == ("investigating", "")
    assert first.published_at == datetime(2026, 9, 20, 6, 0, 0, 500000, tzinfo=UTC)
    assert (second.status, second.affected_components) == ("monitoring", None)

    window = await get_incident(db, "mnt0inprog01")
    assert (window.kind, window.status, window.impact) == ("maintenance", "in_progress", "none")
    assert window.scheduled_for == at("2026-09-28T01:00:00.000-07:00")
    assert window.scheduled_until is None
    assert [u.status for u in sorted(window.updates, key=lambda u: u.published_at)] == [
        "scheduled",
        "in_progress",
    ]


async def test_a_postmortem_is_a_resolved_incident_and_its_markup_stays_inert(db, pages, client):
    await run(db, pages.url("untidy"))

    incident = await get_incident(db, "wrg1yfdmxm0g")
    assert (incident.status, incident.impact) == ("resolved", "minor")
    assert incident.created_at == incident.started_at == at("2026-09-15T22:10:33Z")
    assert incident.resolved_at == at("2026-09-15T23:15:15.748Z")
    updates = sorted(incident.updates, key=lambda u: u.published_at)
    assert [u.status for u in updates] == ["investigating", "resolved", "resolved"]
    postmortem = updates[-1]
    assert postmortem.affected_components is None
    assert "<script>alert('pwned')</script>" in postmortem.body  # stored as written

    page = await client.get("/incidents/wrg1yfdmxm0g")
    assert page.status_code == 200
    assert "<strong>bad deploy</strong>" in page.text
    assert "Realtime media is unaffected" in page.text
    assert "alert('pwned')" not in page.text
    assert "onerror" not in page.text
    assert "javascript:" not in page.text
    assert 'href="https://blog.livekit.io/"' in page.text


async def test_ids_that_are_not_shaped_like_ours_get_new_ones_and_stay_mapped(db, pages):
    await run(db, pages.url("untidy"))

    mapped = {
        (m.kind, m.source_id): m.local_id
        for m in await db.scalars(select(ImportMapping).where(ImportMapping.kind != "update"))
    }
    agents_id = mapped[("component", "01HZX3K8Q2V9D7M4T6B1N5C0RW")]
    errors_id = mapped[("incident", "01M3ACKDE4GYY67FXXNRRSC0CE")]
    assert len(agents_id) == len(errors_id) == 12
    errors = await get_incident(db, errors_id)
    assert errors.title == "Elevated Error Rates"
    assert errors.started_at == errors.created_at == at("2026-09-24T18:59:44Z")
    assert [(link.component_id, link.status) for link in errors.components] == [
        (agents_id, "partial_outage")
    ]
    (update,) = errors.updates
    assert update.affected_components == [
        {
            "code": agents_id,
            "name": "Agents",
            "old_status": "operational",
            "new_status": "partial_outage",
        }
    ]
    # Ids shaped like ours were kept.
    assert mapped[("incident", "wrg1yfdmxm0g")] == "wrg1yfdmxm0g"


async def test_importing_a_broken_page_again_adds_nothing_and_lists_the_same(db, pages):
    first = await run(db, pages.url("untidy"))
    again = await run(db, pages.url("untidy"))

    assert again.changes == []
    assert [p.describe() for p in again.skipped] == [p.describe() for p in first.skipped]
    assert again.summary().startswith("nothing new (2 groups, 4 components, 3 incidents, ")


async def test_an_address_that_is_not_a_status_page_is_refused_with_the_reason(db, pages):
    with pytest.raises(InvalidInput) as refused:
        await import_statuspage(
            db, actor=LEAD, url=pages.url("nowhere"), dry_run=True, allow_private=True
        )
    assert refused.value.field == "url"
    assert refused.value.message == (
        f"url: {pages.url('nowhere')} does not serve a Statuspage v2 API "
        "(summary.json answered HTTP 404; not read)"
    )
    with pytest.raises(InvalidInput, match="http"):
        await import_statuspage(
            db, actor=LEAD, url="ftp://example.com", dry_run=True, allow_private=True
        )


async def test_a_pasted_api_address_and_redirects_lead_to_the_same_page(pages):
    pages.redirects["/old-address"] = f"http://127.0.0.1:{pages.port}/githubstatus"

    documents, problems = await fetch_documents(
        pages.url("old-address") + "/api/v2/summary.json", allow_private=True
    )

    assert problems == []
    assert documents["summary"]["page"]["name"] == "GitHub"
    assert "/old-address/api/v2/incidents.json" in pages.requests
    assert "/githubstatus/api/v2/incidents.json" in pages.requests


async def test_a_document_over_the_size_cap_is_not_read(pages):
    documents, problems = await fetch_documents(
        pages.url("githubstatus"), allow_private=True, max_bytes=6_000
    )

    assert documents["components"] is not None and documents["incidents"] is None
    assert [p.reason for p in problems] == [
        "summary.json is larger than 6,000 bytes; not read",
        "incidents.json is larger than 6,000 bytes; not read",
    ]


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate-raw", "br"])
async def test_a_page_served_compressed_reads_as_it_does_plain(pages, encoding):
    plain, _ = await fetch_documents(pages.url("githubstatus"), allow_private=True)
    pages.encoding = encoding

    compressed, problems = await fetch_documents(pages.url("githubstatus"), allow_private=True)

    assert problems == []
    assert compressed == plain and plain["incidents"]["incidents"]


async def test_a_page_on_a_private_address_is_refused_unless_allowed(pages):
    with pytest.raises(InvalidInput, match="not a public internet address"):
        await fetch_documents(pages.url("githubstatus"), allow_private=False)


def test_a_full_list_of_fifty_says_that_older_history_is_out_of_reach():
    fifty = [
        {
            "id": f"inc{n:09d}",
            "name": f"Incident {n}",
            "status": "resolved",
            "impact": "minor",
            "created_at": "2024-01-01T00:00:00Z",
            "incident_updates": [
                {"id": f"upd{n:09d}", "status": "resolved", "body": "Fixed.",
                 "created_at": "2024-01-01T01:00:00Z"}
            ],
        }
        for n in range(50)
    ]  # fmt: skip
    page = parse_page("https://status.example.com", {"incidents": {"incidents": fifty}})

    assert len(page.incidents) == 50
    assert [n.describe() for n in page.notes] == [
        "page: it lists 50 incidents, the most its public API shows; older ones are not in it "
        "and cannot be imported from it"
    ]


def test_a_postmortem_given_apart_from_the_updates_ends_the_timeline():
    incident = {
        "id": "p0stm0rtem01",
        "name": "Database failover",
        "status": "postmortem",
        "impact": "major",
        "created_at": "2024-05-01T10:00:00.000+02:00",
        "postmortem_body": "## Root cause\n\nA failover did not complete.",
        "postmortem_published_at": "2024-05-03T09:30:00.000+02:00",
        "incident_updates": [
            {"id": "upd000000001", "status": "resolved", "body": "Resolved.",
             "created_at": "2024-05-01T11:00:00.000+02:00"},
        ],
    }  # fmt: skip
    page = parse_page("https://status.example.com", {"incidents": {"incidents": [incident]}})

    (parsed,) = page.incidents
    assert parsed.status == "resolved"
    assert [(u.status, u.body) for u in parsed.updates] == [
        ("resolved", "Resolved."),
        ("resolved", "## Root cause\n\nA failover did not complete."),
    ]
    assert parsed.updates[-1].display_at == at("2024-05-03T07:30:00Z")
