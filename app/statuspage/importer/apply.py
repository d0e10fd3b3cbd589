"""Carry out an import plan: the import's own write verbs, in the caller's transaction.

Why not `open_incident` / `post_update` / `create_component`: those stamp "now", walk the
live lifecycle one step at a time and put deliveries in the outbox. An import writes
history as it happened (the source's times, its final states) and tells nobody, so it has
verbs of its own beside them. They keep the same rules where they apply: statuses and
impacts are Tidings' enums, every update is public and published, every write is in the
audit log, and the public state version moves once (`mark_changed`). No outbox row, no
component change notice is ever written. They flush; they never commit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.audit.service import record
from app.components.models import Component, ComponentGroup
from app.db.changes import mark_changed
from app.incidents.models import Incident, IncidentComponent, Update
from app.incidents.service import get_incident
from app.incidents.status import UpdateState, Visibility
from app.lib.clock import utcnow
from app.lib.ids import new_id
from app.statuspage.importer.models import ImportMapping
from app.statuspage.importer.plan import (
    CREATE,
    Existing,
    ImportPlan,
    Step,
    update_fingerprint,
)
from app.statuspage.importer.plan import incident_fingerprint as _incident_print
from app.statuspage.importer.source import (
    Problem,
    SourceComponent,
    SourceGroup,
    SourceIncident,
    SourceUpdate,
    fingerprint,
)

Progress = Callable[[int, int], None]  # (steps done, steps in all)
_OUR_ID = re.compile(r"[a-z0-9]{12}")
_CHUNK = 500
_FLUSH_EVERY = 100


class Applier:
    """Writes one plan. `rows` are the stored mappings of this source, by (kind, source id);
    `existing` says which of their local rows are still here."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        actor: Actor,
        plan: ImportPlan,
        rows: dict[tuple[str, str], ImportMapping],
        existing: Existing,
        progress: Progress | None = None,
    ) -> None:
        self.session = session
        self.actor = actor
        self.plan = plan
        self.source = plan.page.key
        self.rows = rows
        self.progress = progress
        # Source id -> local id, for references (a component's group, an incident's
        # components). A row deleted here since an earlier import is not referred to.
        self.local: dict[tuple[str, str], str] = {
            k: r.local_id for k, r in rows.items() if existing[k].present
        }
        self.ids: dict[tuple[str, str], str] = {}  # ids chosen for new rows

    async def run(self) -> None:
        changes = self.plan.changes
        await self._choose_ids(changes)
        for done, step in enumerate(changes, start=1):
            if step.kind == "group":
                await self._group(step)
            elif step.kind == "component":
                await self._component(step)
            else:
                await self._incident(step)
            if done % _FLUSH_EVERY == 0:
                await self.session.flush()
            if self.progress is not None:
                self.progress(done, len(changes))
        if changes:
            await mark_changed(self.session)
        await self.session.flush()

    # Ids: a source id shaped like ours is kept when free, so links to an incident and the
    # component ids configured in monitoring keep working once the page's address points here.

    async def _choose_ids(self, changes: list[Step]) -> None:
        wanted: dict[type[Any], list[tuple[str, str]]] = {
            ComponentGroup: [],
            Component: [],
            Incident: [],
            Update: [],
        }
        model_of = {"group": ComponentGroup, "component": Component}
        for step in changes:
            model = model_of.get(step.kind, Incident)
            if step.verb == CREATE:
                wanted[model].append((_kind(step), step.source_id))
            if isinstance(step.record, SourceIncident):
                wanted[Update] += [
                    ("update", u.id)
                    for u in step.record.updates
                    if ("update", u.id) not in self.local
                ]
        for model, keys in wanted.items():
            candidates = [sid for _k, sid in keys if _OUR_ID.fullmatch(sid)]
            taken: set[str] = set()
            for start in range(0, len(candidates), _CHUNK):
                chunk = candidates[start : start + _CHUNK]
                taken |= set(
                    await self.session.scalars(select(model.id).where(model.id.in_(chunk)))
                )
            for key in keys:
                sid = key[1]
                keep = _OUR_ID.fullmatch(sid) and sid not in taken
                self.ids[key] = sid if keep else new_id()
                taken.add(self.ids[key])

    def _remember(self, kind: str, source_id: str, local_id: str, print_: str) -> None:
        self.local[(kind, source_id)] = local_id
        row = self.rows.get((kind, source_id))
        if row is None:
            row = ImportMapping(source=self.source, kind=kind, source_id=source_id)
            self.session.add(row)
            self.rows[(kind, source_id)] = row
        row.local_id, row.fingerprint, row.updated_at = local_id, print_, utcnow()

    async def _audit(self, step: Step, local_id: str, **detail: Any) -> None:
        await record(
            self.session,
            actor=self.actor.name,
            action=f"import.{step.verb}",
            subject_type="incident" if step.kind == "maintenance" else step.kind,
            subject_id=local_id,
            incident_id=local_id if isinstance(step.record, SourceIncident) else None,
            detail={"source": self.source, "source_id": step.source_id, **detail},
        )

    async def _group(self, step: Step) -> None:
        source = step.record
        assert isinstance(source, SourceGroup)
        if step.verb == CREATE:
            same_name = await self.session.scalar(
                select(ComponentGroup).where(ComponentGroup.name == source.name)
            )
            if same_name is not None:
                # A heading of that name is already here: the imported components join it.
                self.plan.notes.append(
                    Problem(
                        "group", source.id, source.name, "a group of that name was here; joined"
                    )
                )
                self._remember("group", source.id, same_name.id, fingerprint(source))
                await self._audit(step, same_name.id, joined=True)
                return
            group = ComponentGroup(id=self.ids[("group", source.id)], name=source.name)
            self.session.add(group)
        else:
            group = await self.session.get(ComponentGroup, step.local_id)
            assert group is not None
            if source.name != group.name:
                clash = await self.session.scalar(
                    select(ComponentGroup.id).where(ComponentGroup.name == source.name)
                )
                if clash is None:
                    group.name = source.name
        group.description = source.description
        group.position = source.position
        _stamp(group, source.created_at, source.updated_at)
        self._remember("group", source.id, group.id, fingerprint(source))
        await self._audit(step, group.id, name=source.name)

    async def _component(self, step: Step) -> None:
        source = step.record
        assert isinstance(source, SourceComponent)
        if step.verb == CREATE:
            component = Component(id=self.ids[("component", source.id)])
            self.session.add(component)
            old_status = None
        else:
            component = await self.session.get(Component, step.local_id)
            assert component is not None
            old_status = component.status
        component.name = source.name
        component.description = source.description
        component.group_id = self.local.get(("group", source.group_id)) if source.group_id else None
        component.position = source.position
        component.status = source.status
        component.showcase = source.showcase
        component.only_show_if_degraded = source.only_show_if_degraded
        _stamp(component, source.created_at, source.updated_at)
        self._remember("component", source.id, component.id, fingerprint(source))
        detail: dict[str, Any] = {"name": source.name, "status": source.status}
        if old_status is not None and old_status != source.status:
            detail["old_status"] = old_status
        await self._audit(step, component.id, **detail)

    async def _incident(self, step: Step) -> None:
        source = step.record
        assert isinstance(source, SourceIncident)
        if step.verb == CREATE:
            incident = Incident(
                id=self.ids[("incident", source.id)],
                kind=source.kind,
                visibility=Visibility.PUBLIC.value,
                created_by=self.actor.name,
                customer_links=[],
                updates=[],
                components=[],
            )
            self.session.add(incident)
            have: dict[str, Update] = {}
        else:
            assert step.local_id is not None
            incident = await get_incident(self.session, step.local_id)
            have = {u.id: u for u in incident.updates}
        incident.title = source.name
        incident.status = source.status
        incident.impact = source.impact
        incident.started_at = source.started_at
        incident.identified_at = source.identified_at
        incident.monitoring_at = source.monitoring_at
        incident.resolved_at = source.resolved_at
        incident.scheduled_for = source.scheduled_for
        incident.scheduled_until = source.scheduled_until
        incident.next_update_at = None  # a promise made on another page is not ours to keep
        incident.created_at, incident.updated_at = source.created_at, source.updated_at
        links = {
            self.local[("component", cid)]: status
            for cid, status in source.components.items()
            if ("component", cid) in self.local
        }
        kept = [link for link in incident.components if link.component_id in links]
        for link in kept:
            link.status = links.pop(link.component_id)
        incident.components = kept + [
            IncidentComponent(component_id=cid, status=status) for cid, status in links.items()
        ]
        for update in source.updates:
            self._update(incident, update, have)
        self._remember("incident", source.id, incident.id, _incident_print(source))
        await self._audit(
            step, incident.id, title=source.name, updates=step.new_updates + step.changed_updates
        )

    def _update(self, incident: Incident, source: SourceUpdate, have: dict[str, Update]) -> None:
        key = ("update", source.id)
        print_ = update_fingerprint(source)
        row = self.rows.get(key)
        if row is not None and row.fingerprint == print_:
            return
        if row is not None:
            update = have.get(row.local_id)
            if update is None:
                return  # deleted here since: not brought back
        else:
            # Past words of a public page, brought in as history and not published here:
            # nobody is notified (the `import.*` audit entries say what came in), and their
            # audience is everyone, as `audience.published_for` records for public words.
            update = Update(
                id=self.ids[key],
                author=self.actor.name,
                author_id=self.actor.id,
                state=UpdateState.PUBLISHED.value,
                published_by=self.actor.name,
            )
            incident.updates.append(update)
        update.status = source.status
        update.body = source.body
        update.published_at = source.display_at
        update.deliver_notifications = source.deliver_notifications
        update.affected_components = [
            {
                "code": self.local[("component", a.code)],
                "name": a.name,
                "old_status": a.old_status,
                "new_status": a.new_status,
            }
            for a in source.affected or []
            if ("component", a.code) in self.local
        ] or None
        update.created_at, update.updated_at = source.created_at, source.updated_at
        self._remember("update", source.id, update.id, print_)


def _kind(step: Step) -> str:
    return "incident" if step.kind == "maintenance" else step.kind


def _stamp(row: Any, created: datetime | None, updated: datetime | None) -> None:
    """Keep the source's times; a source that gives none gets now (as a new row would)."""
    now = utcnow()
    if created is not None or row.created_at is None:
        row.created_at = created or now
    row.updated_at = updated or created or now


async def apply_plan(
    session: AsyncSession,
    *,
    actor: Actor,
    plan: ImportPlan,
    rows: dict[tuple[str, str], ImportMapping],
    existing: Existing,
    progress: Progress | None = None,
) -> None:
    """Write every change `plan` holds; unchanged steps are left alone."""
    applier = Applier(
        session, actor=actor, plan=plan, rows=rows, existing=existing, progress=progress
    )
    await applier.run()
