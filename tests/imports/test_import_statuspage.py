"""Importing saved public Statuspage pages: what arrives, exactly, and what never leaves."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.components.models import Component, ComponentGroup
from app.delivery.jobs import DeliveryWorker
from app.delivery.models import ComponentChange, Delivery
from app.incidents.models import Incident, Update
from app.incidents.service import delete_incident, get_incident
from app.statuspage.importer.models import ImportMapping
from tests.support.importing import LEAD, at, count, run


async def test_a_statuspage_page_arrives_with_every_incident_update_and_time(db, pages):
    plan = await run(db, pages.url("githubstatus"))

    assert plan.summary() == "11 components in 0 groups, 3 incidents, 19 updates, 0 maintenances"
    assert (await count(db, Component), await count(db, Incident)) == (11, 3)
    assert await count(db, Update) == 19

    packages = await db.get(Component, "st3j38cctv9l")
    assert packages is not None
    assert (packages.name, packages.status, packages.position) == ("Packages", "partial_outage", 8)
    assert packages.description == "API requests and webhook delivery for GitHub Packages"
    assert packages.created_at == at("2019-11-13T18:02:40.064Z")
    assert packages.updated_at == at("2022-11-25T15:50:05.888Z")
    assert (packages.showcase, packages.only_show_if_degraded) == (False, False)

    resolved = await get_incident(db, "69sb0f8lydp4")
    assert (resolved.title, resolved.kind, resolved.status) == (
        "Incident with Pages and Actions",
        "incident",
        "resolved",
    )
    assert (resolved.impact, resolved.visibility) == ("major", "public")
    assert resolved.created_at == at("2024-09-16T21:31:02.719Z")
    assert resolved.started_at == at("2024-09-16T21:31:02.713Z")
    assert resolved.resolved_at == at("2024-09-16T22:08:39.333Z")
    assert resolved.updated_at == at("2024-09-16T22:08:39.349Z")
    assert resolved.monitoring_at is None and resolved.next_update_at is None
    updates = sorted(resolved.updates, key=lambda u: u.published_at)
    assert [u.id for u in updates] == [
        "9lpqk4965mzb",
        "r8yz2fpy4ss8",
        "x6m13rp5rqzz",
        "h3jcv314m9fg",
        "mfrjlr89z2dk",
        "gv96mtfg46fj",
    ]
    assert [u.status for u in updates] == ["investigating"] * 5 + ["resolved"]
    assert all(u.state == "published" and u.customer_id is None for u in updates)
    first = updates[0]
    assert (
        first.body == "We are investigating reports of degraded performance for Actions and Pages"
    )
    assert first.published_at == first.created_at == at("2024-09-16T21:31:02.798Z")
    pages_entry, actions_entry = first.affected_components
    assert pages_entry == {
        "code": "vg70hn9s2tyj",
        "name": "Pages",
        "old_status": "operational",
        "new_status": "partial_outage",
    }
    assert (actions_entry["code"], actions_entry["new_status"]) == (
        "br0l2tvcx85d",
        "partial_outage",
    )
    # Over, so each affected component keeps the worst it went through (the uptime history).
    assert {link.component_id: link.status for link in resolved.components} == {
        "br0l2tvcx85d": "major_outage",
        "vg70hn9s2tyj": "partial_outage",
    }

    ongoing = await get_incident(db, "ljwdk6qml8z8")
    assert (ongoing.status, ongoing.impact) == ("investigating", "major")
    assert len(ongoing.updates) == 7
    # Still open, so the latest statuses its updates gave are its current impact.
    assert {link.component_id: link.status for link in ongoing.components} == {
        "st3j38cctv9l": "major_outage",
        "vg70hn9s2tyj": "operational",
    }
    # An update without affected components stays without them.
    assert (await db.get(Update, "8fnd7wsp5v36")).affected_components is None

    ssh = await get_incident(db, "r3x7x31k7nn1")
    assert ssh.components == [] and len(ssh.updates) == 6


async def test_groups_arrive_in_order_with_their_members_and_descriptions(db, pages, client):
    plan = await run(db, pages.url("hashicorp"))

    assert plan.summary() == "11 components in 5 groups, 0 incidents, 0 updates, 0 maintenances"
    groups = list(await db.scalars(select(ComponentGroup).order_by(ComponentGroup.position)))
    assert [(g.name, g.position) for g in groups] == [
        ("HashiCorp Cloud Platform (HCP)", 1),
        ("Terraform Registry", 3),
        ("HashiCorp Consul Service (HCS) on Azure", 5),
        ("Waypoint", 6),
        ("Release Archives", 7),
    ]
    members = {
        g.name: [c.name for c in await db.scalars(
            select(Component).where(Component.group_id == g.id).order_by(Component.position)
        )]
        for g in groups
    }  # fmt: skip
    assert members["HashiCorp Cloud Platform (HCP)"] == ["HCP Portal", "Consul", "Vault"]
    # A group and one of its components may share a name; both arrive.
    assert members["Terraform Registry"] == ["Terraform Registry", "Heroku"]
    vagrant = await db.get(Component, "1mdm36t0fkx1")
    assert vagrant is not None and vagrant.group_id is None
    registry = await db.get(Component, "l8mnm91h3s7v")
    assert registry is not None and registry.description == (
        "Publishing and discovery of community Terraform modules\r\n\r\n"
        "Relies on the Fastly - https://status.fastly.com/"
    )
    portal = await db.get(Component, "mgv1p2j9x444")
    assert portal is not None and (portal.showcase, portal.status) == (True, "degraded_performance")

    # Our own Statuspage JSON lists them back as groups carrying their members.
    listed = (await client.get("/api/v2/components.json")).json()["components"]
    hcp = next(c for c in listed if c["id"] == "ym75hzpmfq4q")
    assert hcp["group"] is True
    assert hcp["components"] == ["mgv1p2j9x444", "b4pr9x7288zy", "c32yfw32879v"]


async def test_maintenances_and_offsets_are_read_as_the_documentation_writes_them(
    db, pages, client
):
    plan = await run(db, pages.url("atlassian-docs"))

    assert plan.summary() == "2 components in 0 groups, 2 incidents, 5 updates, 2 maintenances"
    network = await get_incident(db, "w1zdr745wmfy")
    assert (network.kind, network.status, network.impact) == ("maintenance", "scheduled", "none")
    assert network.scheduled_for == datetime(2014, 5, 18, 4, 0, tzinfo=UTC)  # 22:00 at -06:00
    assert network.scheduled_until == datetime(2014, 5, 18, 5, 30, tzinfo=UTC)
    recycle = await get_incident(db, "k7mf5z1gz05c")
    assert (recycle.status, recycle.impact) == ("in_progress", "minor")
    assert [u.status for u in sorted(recycle.updates, key=lambda u: u.published_at)] == [
        "scheduled",
        "in_progress",
    ]
    outage = await get_incident(db, "cp306tmzcl0y")
    # No `started_at` in the documented shape: the incident began when it was created.
    assert outage.created_at == outage.started_at == at("2014-05-14T20:22:39.441Z")
    assert (outage.status, outage.impact) == ("identified", "critical")
    assert outage.identified_at == at("2014-05-14T20:22:40.301Z")

    summary = (await client.get("/api/v2/summary.json")).json()
    # The window still marked in progress is listed; the one whose 2014 window has long
    # ended is no longer upcoming, whatever status the source left it in.
    assert [m["id"] for m in summary["scheduled_maintenances"]] == ["k7mf5z1gz05c"]
    assert [i["id"] for i in summary["incidents"]] == ["cp306tmzcl0y"]
    assert summary["incidents"][0]["incident_updates"][0]["created_at"] == (
        "2014-05-14T20:22:40.301Z"
    )


async def test_importing_again_adds_nothing_and_later_brings_only_what_changed(db, pages):
    url = pages.url("githubstatus")
    await run(db, url)
    before = (await count(db, Incident), await count(db, Update), await count(db, Component))

    again = await run(db, url)

    assert again.summary() == "nothing new (11 components, 3 incidents already up to date)"
    assert again.changes == []
    assert (await count(db, Incident), await count(db, Update), await count(db, Component)) == (
        before
    )

    # The page moves on: the open incident is resolved and Copilot degrades.
    incidents = pages.read("githubstatus", "incidents.json")
    ongoing = incidents["incidents"][2]
    ongoing["status"], ongoing["resolved_at"] = "resolved", "2022-11-25T16:20:00.250Z"
    ongoing["incident_updates"].insert(
        0,
        {
            "id": "q4r9s8t7u6v5",
            "status": "resolved",
            "body": "This incident has been resolved.",
            "incident_id": "ljwdk6qml8z8",
            "created_at": "2022-11-25T16:20:00.250Z",
            "updated_at": "2022-11-25T16:20:00.250Z",
            "display_at": "2022-11-25T16:20:00.250Z",
            "affected_components": None,
            "deliver_notifications": True,
        },
    )
    pages.write("githubstatus", "incidents.json", incidents)
    components = pages.read("githubstatus", "components.json")
    components["components"][10]["status"] = "degraded_performance"
    pages.write("githubstatus", "components.json", components)

    later = await run(db, url)

    assert later.summary() == "changed: 1 component, 1 incident (1 new update)"
    assert [(s.kind, s.source_id, s.new_updates) for s in later.changes] == [
        ("component", "pjmpxvq2cmr2", 0),
        ("incident", "ljwdk6qml8z8", 1),
    ]
    assert await count(db, Update) == before[1] + 1
    assert await count(db, Incident) == before[0]
    resolved = await get_incident(db, "ljwdk6qml8z8")
    assert (resolved.status, resolved.resolved_at) == ("resolved", at("2022-11-25T16:20:00.250Z"))
    assert (await db.get(Component, "pjmpxvq2cmr2")).status == "degraded_performance"


async def test_what_was_deleted_here_is_not_brought_back(db, pages, client, keys):
    url = pages.url("githubstatus")
    await run(db, url)
    deleted = await client.delete("/api/v1/components/vg70hn9s2tyj", headers=keys["admin"])
    assert deleted.status_code == 204
    await delete_incident(db, actor=LEAD, incident_id="r3x7x31k7nn1")
    await db.commit()
    # The page moves on and its next update still names the deleted component.
    incidents = pages.read("githubstatus", "incidents.json")
    ongoing = incidents["incidents"][2]
    latest = dict(ongoing["incident_updates"][0], id="w2x3y4z5a6b7", body="Still on it.")
    latest["created_at"] = latest["display_at"] = latest["updated_at"] = "2022-11-25T16:00:00Z"
    ongoing["incident_updates"].insert(0, latest)
    pages.write("githubstatus", "incidents.json", incidents)

    later = await run(db, url)

    assert [p.describe() for p in later.skipped] == [
        "component 'Pages': deleted here after an earlier import",
        "incident 'Disruption with Git SSH': deleted here after an earlier import",
    ]
    assert await db.get(Component, "vg70hn9s2tyj") is None
    ongoing_here = await get_incident(db, "ljwdk6qml8z8")
    assert [link.component_id for link in ongoing_here.components] == ["st3j38cctv9l"]
    newest = await db.get(Update, "w2x3y4z5a6b7")
    assert newest is not None
    assert [a["code"] for a in newest.affected_components] == ["st3j38cctv9l"]


async def test_an_import_sends_nothing_to_anyone(
    db, pages, client, keys, receiver, settings, sessionmaker
):
    admin = keys["admin"]
    for body in (
        {"kind": "email", "address": "ops@example.com"},
        {"kind": "webhook", "url": receiver.url},
    ):
        answer = await client.post("/api/v1/subscribers", json=body, headers=admin)
        assert answer.status_code == 201, answer.text
    await run(db, pages.url("githubstatus"))
    await run(db, pages.url("atlassian-docs"))

    assert await count(db, Update) == 24
    assert await count(db, Delivery) == 0
    assert await count(db, ComponentChange) == 0
    worker = DeliveryWorker(settings, sessionmaker)
    try:
        assert await worker.deliver_due() == 0
    finally:
        await worker.close()
    assert receiver.received == []


async def test_a_dry_run_says_what_it_would_do_and_writes_nothing(db, pages):
    plan = await run(db, pages.url("atlassian-docs"), dry_run=True)

    assert plan.dry_run
    assert plan.summary() == "2 components in 0 groups, 2 incidents, 5 updates, 2 maintenances"
    steps = plan.to_dict()["steps"]
    assert {"action": "create", "kind": "maintenance", "source_id": "k7mf5z1gz05c",
            "name": "Web Tier Recycle", "local_id": None, "new_updates": 2,
            "changed_updates": 0} in steps  # fmt: skip
    for model in (Component, Incident, Update, ImportMapping, AuditEvent):
        assert await count(db, model) == 0, model


async def test_every_imported_object_is_in_the_audit_log_under_who_imported_it(db, pages):
    await run(db, pages.url("atlassian-docs"))

    events = list(await db.scalars(select(AuditEvent)))
    assert {e.actor for e in events} == {"lee (comms lead)"}
    actions = sorted((e.action, e.subject_type) for e in events)
    assert actions == sorted(
        [("import.create", "component")] * 2
        + [("import.create", "incident")] * 4
        + [("import.run", "import")]
    )
    run_event = next(e for e in events if e.action == "import.run")
    assert run_event.subject_id == "statuspage:y2j98763l56x"
    assert run_event.detail["summary"].startswith("2 components in 0 groups")
