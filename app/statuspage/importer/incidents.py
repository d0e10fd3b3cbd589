"""Reading incidents and maintenances, with every update, from untidy Statuspage JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.components.status import ComponentStatus, worst
from app.incidents.status import (
    FINAL_STATUSES,
    Impact,
    IncidentKind,
    IncidentStatus,
    MaintenanceStatus,
)
from app.statuspage.importer import values as v
from app.statuspage.importer.source import (
    Affected,
    Problem,
    SourceIncident,
    SourcePage,
    SourceUpdate,
)

MAX_TITLE = 300
_FIRST = {
    IncidentKind.INCIDENT: IncidentStatus.INVESTIGATING.value,
    IncidentKind.MAINTENANCE: MaintenanceStatus.SCHEDULED.value,
}


class _Reader:
    """Reads one list (incidents, or maintenances) into `page`, noting what it adjusts."""

    def __init__(self, page: SourcePage, kind: IncidentKind, known: dict[str, str]) -> None:
        self.page = page
        self.kind = kind
        self.label = kind.value
        self.known = known  # source component id -> name

    def note(self, item_id: str | None, name: str | None, reason: str) -> None:
        self.page.notes.append(Problem(self.label, item_id, name, reason))

    def skip(self, item_id: str | None, name: str | None, reason: str) -> None:
        self.page.skipped.append(Problem(self.label, item_id, name, reason))

    def incident(self, item: Any) -> SourceIncident | None:
        if not isinstance(item, dict):
            self.skip(None, None, "not a JSON object")
            return None
        incident_id = v.ident(item.get("id"))
        name = v.text(item.get("name"))
        if incident_id is None:
            self.skip(None, name, "it has no id, so a later import could not recognise it")
            return None
        if name is None:
            self.skip(incident_id, None, "it has no name")
            return None
        name = " ".join(name.split())
        if len(name) > MAX_TITLE:
            self.note(incident_id, name[:60], f"name cut to {MAX_TITLE} characters")
            name = name[:MAX_TITLE]
        updates = self.updates(incident_id, name, item.get("incident_updates"))
        if not updates:
            self.skip(incident_id, name, "it has no readable update, so there is nothing to show")
            return None
        postmortem = self.postmortem(incident_id, item, updates)
        if postmortem is not None:
            updates.append(postmortem)
        status = v.lifecycle_status(self.kind, item.get("status"))
        if status is None:
            status = updates[-1].status
            self.note(
                incident_id,
                name,
                f"status {item.get('status')!r} is not a {self.label} status; "
                f"took its latest update's ({status})",
            )
        impact = v.impact(item.get("impact"))
        if impact is None:
            impact = Impact.NONE.value
            raw = item.get("impact")
            said = "no impact" if raw is None else f"impact {raw!r}"
            self.note(incident_id, name, f"{said} read as none")
        created = v.when(item.get("created_at")) or v.when(item.get("started_at"))
        created = created or updates[0].created_at
        scheduled_for, scheduled_until = self.window(incident_id, name, item, created)
        started = v.when(item.get("started_at")) or scheduled_for or created
        resolved = v.when(item.get("resolved_at"))
        if resolved is None and status in FINAL_STATUSES:
            resolved = next(
                (u.display_at for u in updates if u.status in FINAL_STATUSES),
                updates[-1].display_at,
            )
        return SourceIncident(
            id=incident_id,
            kind=self.label,
            name=name,
            status=status,
            impact=impact,
            created_at=created,
            updated_at=v.when(item.get("updated_at")) or max(u.updated_at for u in updates),
            started_at=started,
            identified_at=next(
                (u.display_at for u in updates if u.status == IncidentStatus.IDENTIFIED), None
            ),
            monitoring_at=v.when(item.get("monitoring_at")),
            resolved_at=resolved,
            scheduled_for=scheduled_for,
            scheduled_until=scheduled_until,
            components=self.components(item, updates, open_=status not in FINAL_STATUSES),
            updates=updates,
        )

    def postmortem(
        self, incident_id: str, item: dict[str, Any], updates: list[SourceUpdate]
    ) -> SourceUpdate | None:
        """A published postmortem as the last entry of the timeline, where the page gives its
        text (`postmortem_body`, as the Manage API shapes do) apart from the updates."""
        body = item.get("postmortem_body")
        if not isinstance(body, str) or not body.strip() or any(u.body == body for u in updates):
            return None
        if v.lifecycle_status(self.kind, item.get("status")) != IncidentStatus.RESOLVED:
            return None  # only an incident that is over has a postmortem to show
        # `postmortem_published_at` is a time on real pages (some specs type it boolean).
        when = v.when(item.get("postmortem_published_at")) or updates[-1].display_at
        return SourceUpdate(
            id=f"{incident_id}:postmortem"[:100],
            status=IncidentStatus.RESOLVED.value,
            body=body,
            created_at=when,
            display_at=when,
            updated_at=v.when(item.get("postmortem_body_last_updated_at")) or when,
            affected=None,
            deliver_notifications=False,
        )

    def window(
        self, incident_id: str, name: str, item: dict[str, Any], created: datetime
    ) -> tuple[datetime | None, datetime | None]:
        if self.kind is not IncidentKind.MAINTENANCE:
            return None, None
        starts = v.when(item.get("scheduled_for"))
        if starts is None:
            starts = v.when(item.get("started_at")) or created
            self.note(incident_id, name, "no scheduled_for; its start time was used")
        ends = v.when(item.get("scheduled_until"))
        if ends is not None and ends <= starts:
            self.note(incident_id, name, "scheduled_until is not after scheduled_for; left open")
            ends = None
        elif ends is None:
            self.note(incident_id, name, "no scheduled_until; its window is left open")
        return starts, ends

    def updates(self, incident_id: str, name: str, raw: Any) -> list[SourceUpdate]:
        read: list[tuple[SourceUpdate, bool]] = []
        seen: set[str] = set()
        for item in raw if isinstance(raw, list) else []:
            if not isinstance(item, dict):
                self.note(incident_id, name, "an update that is not a JSON object was left out")
                continue
            update_id = v.ident(item.get("id"))
            if update_id is None or update_id in seen:
                self.note(
                    incident_id, name, "an update with no id (or a repeated one) was left out"
                )
                continue
            seen.add(update_id)
            created = v.when(item.get("created_at"))
            shown = v.when(item.get("display_at")) or created
            if shown is None:
                self.note(incident_id, name, f"update {update_id!r} has no time; left out")
                continue
            status = v.lifecycle_status(self.kind, item.get("status"))
            body = item.get("body")
            update = SourceUpdate(
                id=update_id,
                status=status or "",
                body=body if isinstance(body, str) else ("" if body is None else str(body)),
                created_at=created or shown,
                display_at=shown,
                updated_at=v.when(item.get("updated_at")) or created or shown,
                affected=self.affected(incident_id, name, item.get("affected_components")),
                deliver_notifications=v.flag(item.get("deliver_notifications"), True),
            )
            read.append((update, status is None))
        read.sort(key=lambda pair: (pair[0].display_at, pair[0].created_at, pair[0].id))
        previous = _FIRST[self.kind]
        for update, unknown in read:
            if unknown:
                update.status = previous
                self.note(
                    incident_id,
                    name,
                    f"update {update.id!r} had no {self.label} status; "
                    f"took {previous!r} from the one before",
                )
            previous = update.status
        return [update for update, _unknown in read]

    def affected(self, incident_id: str, name: str, raw: Any) -> list[Affected] | None:
        """An update's `affected_components`: null and missing are both "none given"."""
        if not isinstance(raw, list):
            return None
        out: list[Affected] = []
        for entry in raw:
            code = v.ident(entry.get("code")) if isinstance(entry, dict) else None
            new = v.component_status(entry.get("new_status")) if code else None
            if code is None or new is None:
                self.note(
                    incident_id, name, "an affected component without a code or status was left out"
                )
                continue
            if code not in self.known:
                self.note(incident_id, name, f"affected component {code!r} is not on the page")
                continue
            out.append(
                Affected(
                    code=code,
                    name=v.text(entry.get("name")) or self.known[code],
                    old_status=v.component_status(entry.get("old_status")) or new,
                    new_status=new,
                )
            )
        return out or None

    def components(
        self, item: dict[str, Any], updates: list[SourceUpdate], *, open_: bool
    ) -> dict[str, str]:
        """Affected components and the status of each during the incident: while it is open,
        the latest one its updates gave (its current impact); once it is over, the worst one
        (what the uptime history should show). Without updates naming it, its listed status."""
        listed: dict[str, str] = {}
        for component in item.get("components") or []:
            cid = v.ident(component.get("id")) if isinstance(component, dict) else None
            if cid is not None and cid in self.known:
                listed[cid] = v.component_status(component.get("status")) or "operational"
        seen: dict[str, list[str]] = {}
        for update in updates:
            for entry in update.affected or []:
                seen.setdefault(entry.code, []).append(entry.new_status)
        result: dict[str, str] = {}
        for cid in [*listed, *(c for c in seen if c not in listed)]:
            statuses = seen.get(cid)
            if not statuses:
                result[cid] = listed[cid]
            elif open_:
                result[cid] = statuses[-1]
            else:
                result[cid] = worst([ComponentStatus(s) for s in statuses]).value
        return result


def parse_incidents(
    page: SourcePage, items: list[Any], kind: IncidentKind, known: set[str]
) -> list[SourceIncident]:
    names = {c.id: c.name for c in page.components if c.id in known}
    reader = _Reader(page, kind, names)
    incidents = [reader.incident(item) for item in items]
    return [i for i in incidents if i is not None]
