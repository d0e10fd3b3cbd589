"""What an approval binds: who the words reach, as the reviewer is shown it.

Words submitted for review record the incident's visibility, the customers it names, its
components and the component statuses the words set; words approved in advance for a
maintenance window record the plan's visibility, customers and components. A draft's record
also holds its words in every language it carries (as short digests): the reviewer approves
all of them together, as shown. An approval holds only while these still say the same: if
any changed, the reviewer looks again first.
A short fingerprint (`version`) of what a client displayed lets it bind its approval to
exactly that.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.comms.models import DraftReview
from app.components.models import Component
from app.customers.models import Customer
from app.incidents.models import Incident, Update
from app.incidents.status import UpdateState
from app.lib.errors import Conflict
from app.lib.languages import LANGUAGES

LOOK_AGAIN = "changed since it was submitted: look again"

Snapshot = dict[str, Any]


def incident_audience(incident: Incident) -> Snapshot:
    """Who an incident's words reach, as the facts that decide it."""
    return {
        "visibility": incident.visibility,
        "customers": sorted(incident.customer_ids),
        "components": sorted(incident.component_ids),
    }


def _digest(words: str) -> str:
    return hashlib.sha256(words.encode()).hexdigest()[:12]


def draft_words(draft: Update) -> dict[str, str]:
    """The draft's words as its reviewer is shown them, one digest per language ("body":
    the site's language)."""
    words = {"body": _digest(draft.body)}
    words.update({lang: _digest(w) for lang, w in sorted((draft.translations or {}).items())})
    return words


def draft_audience(incident: Incident, draft: Update) -> Snapshot:
    """Who a draft reaches, what it sets and what it says, as its reviewer is shown it."""
    sets = {p["code"]: p["new_status"] for p in draft.affected_components or []}
    return {
        **incident_audience(incident),
        "sets": dict(sorted(sets.items())),
        "customer": draft.customer_id,
        "words": draft_words(draft),
    }


def _comparable(recorded: Snapshot | None, current: Snapshot) -> Snapshot:
    """`current` as `recorded` can be compared with: a record made before words were bound
    holds no `words`, and such a draft is held to its audience alone."""
    if recorded is not None and "words" not in recorded:
        return {k: v for k, v in current.items() if k != "words"}
    return current


def _words_changes(before: Snapshot, after: Snapshot) -> list[str]:
    if "words" not in before or before.get("words") == after.get("words"):
        return []
    old, new = before.get("words") or {}, after.get("words") or {}
    said = []
    for key in sorted(set(old) | set(new), key=lambda k: (k != "body", k)):
        what = "the words" if key == "body" else f"the words in {LANGUAGES.get(key, key)}"
        if key not in old:
            said.append(f"{what} added")
        elif key not in new:
            said.append(f"{what} removed")
        elif old[key] != new[key]:
            said.append(f"{what} changed")
    return said


def fingerprint(snapshot: Snapshot) -> str:
    """A short version of `snapshot`: equal snapshots, equal versions."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


async def _names(session: AsyncSession, model: type[Any], ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = await session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    return {i: n for i, n in rows.all()}


async def describe_changes(session: AsyncSession, before: Snapshot, after: Snapshot) -> list[str]:
    """What differs between two snapshots, as a reviewer reads it ("customers: Initech
    added"); [] when nothing that decides who reads the words changed."""
    changes = []
    if before.get("visibility") != after.get("visibility"):
        changes.append(f"visibility {before.get('visibility')} → {after.get('visibility')}")
    for key, model in (("customers", Customer), ("components", Component)):
        old, new = set(before.get(key) or []), set(after.get(key) or [])
        if old == new:
            continue
        names = await _names(session, model, old | new)
        parts = [f"{names.get(i, i)} added" for i in sorted(new - old)]
        parts += [f"{names.get(i, i)} removed" for i in sorted(old - new)]
        changes.append(f"{key}: {', '.join(parts)}")
    if (before.get("sets") or {}) != (after.get("sets") or {}):
        changes.append("the component statuses the words set")
    if before.get("customer") != after.get("customer"):
        changes.append("the customer the words are for")
    return changes + _words_changes(before, after)


async def check_bound(
    session: AsyncSession, *, recorded: Snapshot | None, current: Snapshot, version: str | None
) -> list[str]:
    """Refuse (409) an approval whose reviewer saw another audience than the words reach now.

    The approval binds `version` when the client sent one (what it displayed), else the
    version recorded on submission. Returns what changed since the submission when the
    client approved the current version anyway (it looked again), for the audit log.
    """
    current = _comparable(recorded, current)
    now = fingerprint(current)
    changes = await describe_changes(session, recorded, current) if recorded is not None else []
    bound = version if version is not None else (fingerprint(recorded) if recorded else None)
    if bound is None or bound == now:
        return changes
    if changes:
        raise Conflict(f"{LOOK_AGAIN} ({'; '.join(changes)})", field="version")
    raise Conflict(
        f"version {version!r} is not what these words reach now ({now}): look again",
        field="version",
    )


async def as_shown(
    session: AsyncSession, incident: Incident, draft: Update, review: DraftReview | None
) -> tuple[str | None, list[str]]:
    """The version a reviewer's screen shows for `draft` now (None once published) and what
    changed about who it reaches since it was submitted ([] when nothing did)."""
    if draft.state == UpdateState.PUBLISHED:
        return None, []
    recorded = review.submitted_audience if review is not None else None
    current = _comparable(recorded, draft_audience(incident, draft))
    changed = []
    if draft.state == UpdateState.SUBMITTED and recorded is not None:
        changed = await describe_changes(session, recorded, current)
    return fingerprint(current), changed
