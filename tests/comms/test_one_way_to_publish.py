"""Words are published one way: by `app.comms.review.publishing`, which records who they are for and
queues their deliveries with them. Whichever surface publishes (our API, the Statuspage Manage
API, a maintenance announcement, the demo data), a published update either has deliveries for
its subscribers or an audit entry saying it was history that told nobody; and the incidents
package, which keeps the timeline, offers no way to publish at all."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from sqlalchemy import select

import app.incidents
from app.accounts.actor import Actor
from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.delivery.models import Delivery
from app.demo.load import load_demo
from app.incidents import service as incidents
from app.incidents.models import Update
from app.incidents.schemas import IncidentCreate, UpdateCreate
from app.incidents.status import UpdateState
from app.settings import page_id_for
from tests.support import factories

LEAD = Actor("lead", Role.COMMS_LEAD, "user:lead")


def _oauth(headers: dict[str, str]) -> dict[str, str]:
    return {"Authorization": "OAuth " + headers["Authorization"].split(" ", 1)[1]}


async def test_every_published_update_is_queued_for_its_subscribers_whichever_surface_published_it(
    client, keys, settings, sessionmaker
):
    reader = await factories.contact(client, keys["comms_lead"], "reader@example.org")
    async with sessionmaker() as session:
        await load_demo(session, settings=settings)
        await session.commit()
    lead = keys["comms_lead"]
    opened = await factories.incident(client, lead, "Slow API", body="Looking.", publish=True)
    await factories.publish(client, lead, opened["id"], "Found it.", status="identified")
    await factories.maintenance(client, lead)
    managed = await client.post(
        f"/v1/pages/{page_id_for(settings)}/incidents",
        json={"incident": {"name": "Checkout errors", "status": "investigating", "body": "x"}},
        headers=_oauth(lead),
    )
    assert managed.status_code == 201, managed.text

    async with sessionmaker() as session:
        published = list(
            await session.scalars(select(Update).where(Update.state == UpdateState.PUBLISHED))
        )
        queued = set(
            await session.scalars(
                select(Delivery.update_id).where(Delivery.subscriber_id == reader["id"])
            )
        )
        told_nobody = {
            e.subject_id: e.detail.get("notified")
            for e in await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "update.publish")
            )
        }
    now_words = [u for u in published if u.id not in queued]
    # Every update published now reached the reader's outbox; the rest are the demo's past
    # incidents, published as history, and the audit log says they told nobody.
    assert {u.body for u in published if u.id in queued} >= {
        "Looking.",
        "Found it.",
        "Read-only for a moment.",
        "x",
    }
    assert any("webhooks are arriving a few minutes late" in u.body for u in published)
    for update in now_words:
        assert told_nobody.get(update.id, "").startswith("nobody"), update.body


def _public_verbs() -> list[tuple[str, object]]:
    verbs = []
    for module_info in pkgutil.walk_packages(app.incidents.__path__, "app.incidents."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(value):
                continue
            if value.__module__ == module.__name__:
                verbs.append((f"{module.__name__}.{name}", value))
    return verbs


def test_the_incidents_package_offers_no_way_to_publish():
    verbs = _public_verbs()
    assert any(name.endswith(".post_update") for name, _ in verbs)
    for name, verb in verbs:
        assert "publish" not in inspect.signature(verb).parameters, name  # type: ignore[arg-type]
        assert not name.rsplit(".", 1)[1].startswith(("publish", "mark_published")), name


async def test_the_incidents_verbs_refuse_to_publish_rather_than_publish_silently(
    sessionmaker,
):
    async with sessionmaker() as session:
        with pytest.raises(ValueError, match=r"app\.comms\.review\.publishing"):
            await incidents.open_incident(
                session, actor=LEAD, data=IncidentCreate(title="Slow API", body="x", publish=True)
            )
        await session.rollback()
        incident = await incidents.open_incident(
            session, actor=LEAD, data=IncidentCreate(title="Slow API")
        )
        with pytest.raises(ValueError, match=r"app\.comms\.review\.publishing"):
            await incidents.post_update(
                session,
                actor=LEAD,
                incident_id=incident.id,
                data=UpdateCreate(status="investigating", body="x", publish=True),
            )
        await session.rollback()
