"""From a page's decoded JSON documents to a `SourcePage`: pure, lenient, never raising.

Real pages are untidy: nulls where a field is expected, a group with no components, ids
listed twice, a component pointing at a group that is not there. Whatever can be imported
is, with a note saying what was adjusted; whatever cannot is listed with its reason.
"""

from __future__ import annotations

import hashlib
from typing import Any

from app.components.status import ComponentStatus
from app.incidents.status import IncidentKind
from app.statuspage.importer import values as v
from app.statuspage.importer.incidents import parse_incidents
from app.statuspage.importer.source import (
    Problem,
    SourceComponent,
    SourceGroup,
    SourceIncident,
    SourcePage,
)

MAX_NAME = 200

# Statuspage's public lists stop at the 50 most recent; a full list means older history
# exists that the public API does not show.
PUBLIC_LIST_LIMIT = 50

# The documents read from `<url>/api/v2/`, by the name a caller keys them with.
DOCUMENTS = {
    "summary": "summary.json",
    "components": "components.json",
    "incidents": "incidents.json",
    "maintenances": "scheduled-maintenances.json",
}


def _list(document: Any, key: str) -> list[Any] | None:
    if isinstance(document, dict) and isinstance(document.get(key), list):
        return list(document[key])
    return None


def parse_page(url: str, documents: dict[str, Any]) -> SourcePage:
    """Read the page at `url` from its documents (a missing one is None)."""
    summary = documents.get("summary")
    page_info: dict[str, Any] = {}
    for name in ("summary", "components", "incidents", "maintenances"):
        doc = documents.get(name)
        if isinstance(doc, dict) and isinstance(doc.get("page"), dict):
            page_info = doc["page"]
            break
    page_id = v.ident(page_info.get("id"))
    page = SourcePage(
        url=url,
        key=f"statuspage:{page_id}" if page_id else _url_key(url),
        page_id=page_id,
        name=v.text(page_info.get("name")),
    )
    components = _list(documents.get("components"), "components")
    if components is None:
        components = _list(summary, "components") or []
    _read_components(page, components)
    known = {c.id for c in page.components}
    listed_incidents = _list(documents.get("incidents"), "incidents")
    listed_maintenances = _list(documents.get("maintenances"), "scheduled_maintenances")
    for listed, what in ((listed_incidents, "incidents"), (listed_maintenances, "maintenances")):
        if listed is not None and len(listed) >= PUBLIC_LIST_LIMIT:
            page.notes.append(
                Problem(
                    "page",
                    None,
                    None,
                    f"it lists {len(listed)} {what}, the most its public API shows; "
                    "older ones are not in it and cannot be imported from it",
                )
            )
    incidents = _merge(listed_incidents, _list(summary, "incidents"))
    maintenances = _merge(listed_maintenances, _list(summary, "scheduled_maintenances"))
    page.incidents = parse_incidents(
        page, maintenances, IncidentKind.MAINTENANCE, known
    ) + parse_incidents(page, incidents, IncidentKind.INCIDENT, known)
    _drop_repeats(page)
    return page


def _url_key(url: str) -> str:
    """A page without an id is known by its address (hashed when too long to store)."""
    if len(url) <= 300:
        return url
    return "url:" + hashlib.sha256(url.encode()).hexdigest()


def _merge(listed: list[Any] | None, summarised: list[Any] | None) -> list[Any]:
    """The full list plus what only the summary has: the summary may be fresher (it is
    fetched first) but the list is the longer one."""
    items = list(listed or [])
    ids = {item.get("id") for item in items if isinstance(item, dict)}
    items += [i for i in summarised or [] if isinstance(i, dict) and i.get("id") not in ids]
    return items


def _drop_repeats(page: SourcePage) -> None:
    """An id in both the incident and the maintenance lists is read once, as maintenance."""
    seen: set[str] = set()
    kept: list[SourceIncident] = []
    for incident in page.incidents:
        if incident.id in seen:
            continue
        seen.add(incident.id)
        kept.append(incident)
    page.incidents = kept


def _name(page: SourcePage, kind: str, item_id: str, raw: Any) -> str | None:
    name = v.text(raw)
    if name is None:
        page.skipped.append(Problem(kind, item_id, None, "it has no name"))
        return None
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        page.notes.append(Problem(kind, item_id, name[:60], f"name cut to {MAX_NAME} characters"))
        name = name[:MAX_NAME]
    return name


def _description(raw: Any) -> str | None:
    return raw if isinstance(raw, str) else None


def _is_group(item: dict[str, Any]) -> bool:
    if "group" in item:
        return item["group"] is True
    return isinstance(item.get("components"), list)


def _read_components(page: SourcePage, items: list[Any]) -> None:
    groups: dict[str, SourceGroup] = {}
    alias: dict[str, str] = {}  # a repeated group name's id -> the first group's id
    listed: dict[str, str] = {}  # child id -> group id, from the groups' `components`
    raw_children: list[tuple[SourceComponent, str | None]] = []
    seen: set[str] = set()
    by_name: dict[str, str] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            page.skipped.append(Problem("component", None, None, "not a JSON object"))
            continue
        kind = "group" if _is_group(item) else "component"
        item_id = v.ident(item.get("id"))
        if item_id is None:
            name = v.text(item.get("name"))
            page.skipped.append(Problem(kind, None, name, "it has no id"))
            continue
        if item_id in seen:
            page.notes.append(Problem(kind, item_id, None, "listed twice; the first was kept"))
            continue
        seen.add(item_id)
        name = _name(page, kind, item_id, item.get("name"))
        if name is None:
            continue
        if kind == "group":
            if name in by_name:
                alias[item_id] = by_name[name]
                page.notes.append(
                    Problem("group", item_id, name, "a second group of that name; merged")
                )
            else:
                by_name[name] = item_id
                groups[item_id] = SourceGroup(
                    id=item_id,
                    name=name,
                    description=_description(item.get("description")),
                    position=v.position(item.get("position"), index + 1),
                    created_at=v.when(item.get("created_at")),
                    updated_at=v.when(item.get("updated_at")),
                )
            for child in item.get("components") or []:
                child_id = v.ident(child)
                if child_id is not None:
                    listed.setdefault(child_id, alias.get(item_id, item_id))
            continue
        status = v.component_status(item.get("status"))
        if status is None:
            raw = item.get("status")
            said = "no status" if raw is None else f"status {raw!r} is not a component status"
            page.notes.append(Problem("component", item_id, name, f"{said}; read as operational"))
            status = ComponentStatus.OPERATIONAL.value
        component = SourceComponent(
            id=item_id,
            name=name,
            description=_description(item.get("description")),
            status=status,
            group_id=None,
            position=v.position(item.get("position"), index + 1),
            showcase=v.flag(item.get("showcase"), True),
            only_show_if_degraded=v.flag(item.get("only_show_if_degraded"), False),
            created_at=v.when(item.get("created_at")),
            updated_at=v.when(item.get("updated_at")),
        )
        raw_children.append((component, v.ident(item.get("group_id"))))
    for component, group_id in raw_children:
        group_id = alias.get(group_id, group_id) if group_id else listed.get(component.id)
        if group_id is not None and group_id not in groups:
            page.notes.append(
                Problem(
                    "component",
                    component.id,
                    component.name,
                    f"its group {group_id!r} is not on the page; imported without a group",
                )
            )
            group_id = None
        component.group_id = group_id
        page.components.append(component)
    used = {c.group_id for c in page.components}
    for group in groups.values():
        if group.id not in used:
            page.notes.append(
                Problem(
                    "group",
                    group.id,
                    group.name,
                    "it has no components; kept, and shown once a component joins it",
                )
            )
    page.groups = list(groups.values())
