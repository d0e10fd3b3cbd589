"""What an import would do: compare a read page with what earlier imports stored (pure).

A step per group, component, incident and maintenance: create it, update it (its source
changed, or it has new updates), or leave it (unchanged). The plan is also the answer a
dry run prints, the API returns and a page can show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.statuspage.importer.source import (
    Problem,
    SourceComponent,
    SourceGroup,
    SourceIncident,
    SourcePage,
    fingerprint,
)

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
KINDS = ("group", "component", "incident", "maintenance")
_SHOWN_SKIPS = 5


@dataclass(frozen=True)
class Known:
    """What an earlier import stored for one source object."""

    local_id: str
    fingerprint: str
    present: bool  # whether the local row still exists


# (mapping kind, source id) -> Known. Mapping kinds: group, component, incident, update.
Existing = dict[tuple[str, str], Known]


@dataclass
class Step:
    verb: str
    kind: str
    source_id: str
    name: str
    local_id: str | None
    record: SourceGroup | SourceComponent | SourceIncident
    new_updates: int = 0
    changed_updates: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.verb,
            "kind": self.kind,
            "source_id": self.source_id,
            "name": self.name,
            "local_id": self.local_id,
            "new_updates": self.new_updates,
            "changed_updates": self.changed_updates,
        }


@dataclass
class ImportPlan:
    page: SourcePage
    steps: list[Step]
    skipped: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    dry_run: bool = True

    def count(self, verb: str, kind: str) -> int:
        return sum(1 for s in self.steps if s.verb == verb and s.kind == kind)

    def new_updates(self, verb: str) -> int:
        return sum(s.new_updates for s in self.steps if s.verb == verb)

    @property
    def changes(self) -> list[Step]:
        return [s for s in self.steps if s.verb != UNCHANGED]

    def summary(self) -> str:
        """One line, e.g. "42 components in 6 groups, 318 incidents, 1,204 updates,
        12 maintenances; 2 skipped: …"."""
        parts = []
        if any(self.count(CREATE, k) for k in KINDS):
            parts.append(
                f"{_n(self.count(CREATE, 'component'), 'component')} in "
                f"{_n(self.count(CREATE, 'group'), 'group')}, "
                f"{_n(self.count(CREATE, 'incident'), 'incident')}, "
                f"{_n(self.new_updates(CREATE), 'update')}, "
                f"{_n(self.count(CREATE, 'maintenance'), 'maintenance')}"
            )
        changed = [_n(self.count(UPDATE, k), k) for k in KINDS if self.count(UPDATE, k)]
        if changed:
            edited = sum(s.changed_updates for s in self.steps)
            detail = (
                [_n(self.new_updates(UPDATE), "new update")] if self.new_updates(UPDATE) else []
            )
            detail += [_n(edited, "edited update")] if edited else []
            parts.append(
                "changed: " + ", ".join(changed) + (f" ({', '.join(detail)})" if detail else "")
            )
        if not parts:
            kept = [_n(self.count(UNCHANGED, k), k) for k in KINDS if self.count(UNCHANGED, k)]
            parts.append(
                "nothing new" + (f" ({', '.join(kept)} already up to date)" if kept else "")
            )
        line = "; ".join(parts)
        if self.skipped:
            shown = "; ".join(p.describe() for p in self.skipped[:_SHOWN_SKIPS])
            more = len(self.skipped) - _SHOWN_SKIPS
            line += f"; {len(self.skipped)} skipped: {shown}" + (
                f"; and {more} more" if more > 0 else ""
            )
        return line

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON: what a dry run would do, or what the import did."""
        counts: dict[str, Any] = {
            verb: {kind: self.count(verb, kind) for kind in KINDS}
            for verb in (CREATE, UPDATE, UNCHANGED)
        }
        counts["new_updates"] = self.new_updates(CREATE) + self.new_updates(UPDATE)
        counts["skipped"] = len(self.skipped)
        return {
            "source": {
                "url": self.page.url,
                "page_id": self.page.page_id,
                "name": self.page.name,
            },
            "dry_run": self.dry_run,
            "summary": self.summary(),
            "counts": counts,
            "steps": [s.to_dict() for s in self.changes],
            "skipped": [_problem(p) for p in self.skipped],
            "notes": [_problem(p) for p in self.notes],
        }


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "kind": problem.kind,
        "source_id": problem.source_id,
        "name": problem.name,
        "reason": problem.reason,
    }


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def update_fingerprint(update: Any) -> str:
    return fingerprint(update)


def incident_fingerprint(incident: SourceIncident) -> str:
    return fingerprint(incident, leave_out=("updates",))


def make_plan(page: SourcePage, existing: Existing, *, dry_run: bool) -> ImportPlan:
    """Compare `page` with `existing`; objects deleted here since an earlier import are
    listed as skipped, not brought back."""
    plan = ImportPlan(
        page=page,
        steps=[],
        skipped=list(page.skipped),
        notes=list(page.notes),
        dry_run=dry_run,
    )
    records: list[tuple[str, str, SourceGroup | SourceComponent | SourceIncident, str]] = [
        *(("group", "group", g, fingerprint(g)) for g in page.groups),
        *(("component", "component", c, fingerprint(c)) for c in page.components),
        *(("incident", i.kind, i, incident_fingerprint(i)) for i in page.incidents),
    ]
    for mapping_kind, kind, record, print_ in records:
        known = existing.get((mapping_kind, record.id))
        if known is None:
            step = Step(CREATE, kind, record.id, record.name, None, record)
            if isinstance(record, SourceIncident):
                step.new_updates = len(record.updates)
            plan.steps.append(step)
            continue
        if not known.present:
            plan.skipped.append(
                Problem(kind, record.id, record.name, "deleted here after an earlier import")
            )
            continue
        step = Step(UNCHANGED, kind, record.id, record.name, known.local_id, record)
        if isinstance(record, SourceIncident):
            for update in record.updates:
                seen = existing.get(("update", update.id))
                if seen is None:
                    step.new_updates += 1
                elif seen.present and seen.fingerprint != update_fingerprint(update):
                    step.changed_updates += 1
        if known.fingerprint != print_ or step.new_updates or step.changed_updates:
            step.verb = UPDATE
        plan.steps.append(step)
    return plan
