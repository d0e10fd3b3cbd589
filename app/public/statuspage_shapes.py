"""The JSON objects of both Statuspage APIs: the status API v2, built from the views a
reader may see, and the Manage API v1, built from the team's own records.

Only enum values the format defines are ever emitted; timestamps are UTC with milliseconds
and `Z`; updates are newest first; `page` is always present.
"""

from __future__ import annotations

from typing import Any, Protocol

from app.components.models import Component, ComponentGroup
from app.components.status import ComponentStatus
from app.incidents.models import Incident, Update
from app.incidents.status import POSTMORTEM, IncidentKind, UpdateState
from app.lib import phones
from app.lib.clock import iso_z
from app.public.front_page import StatusPage


class IncidentTold(Protocol):
    """An incident as one reader has been told it: the page's `IncidentView`, or the
    worker's own view of it (`app.delivery.news.Told`) for a webhook body."""

    @property
    def incident(self) -> Incident: ...
    @property
    def updates(self) -> list[Update]: ...  # visible ones, newest first
    @property
    def timeline(self) -> list[Update]: ...  # the same without the postmortem
    @property
    def components(self) -> list[tuple[Component, ComponentStatus]]: ...


def page_object(
    *, page_id: str, name: str, url: str, time_zone: str, updated_at: Any
) -> dict[str, Any]:
    return {
        "id": page_id,
        "name": name,
        "url": url,
        "time_zone": time_zone,
        "updated_at": iso_z(updated_at),
    }


def _listed(thing: Component | ComponentGroup, status: ComponentStatus | str) -> dict[str, Any]:
    """What a component and a group share in Statuspage's component list."""
    return {
        "id": thing.id,
        "name": thing.name,
        "status": str(status),
        "created_at": iso_z(thing.created_at),
        "updated_at": iso_z(thing.updated_at),
        "position": thing.position,
        "description": thing.description,
    }


def component_object(
    component: Component, status: ComponentStatus | str, *, page_id: str
) -> dict[str, Any]:
    return {
        **_listed(component, status),
        "showcase": component.showcase,
        "start_date": None,
        "group_id": component.group_id,
        "page_id": page_id,
        "group": False,
        "only_show_if_degraded": component.only_show_if_degraded,
    }


def group_object(
    group: ComponentGroup, status: ComponentStatus, member_ids: list[str], *, page_id: str
) -> dict[str, Any]:
    """A group is listed as a component that holds others' ids."""
    return {
        **_listed(group, status),
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": page_id,
        "group": True,
        "only_show_if_degraded": False,
        "components": member_ids,
    }


def components_list(
    page: StatusPage, groups: list[ComponentGroup], *, page_id: str
) -> list[dict[str, Any]]:
    """Groups and their members as Statuspage lists them: groups carry their children's ids."""
    by_group = {g.name: g for g in groups}
    out: list[dict[str, Any]] = []
    for view in page.groups:
        group = by_group.get(view.name) if view.name else None
        if group is not None:
            out.append(
                group_object(
                    group, view.status, [c.component.id for c in view.components], page_id=page_id
                )
            )
        out.extend(
            component_object(c.component, c.status, page_id=page_id) for c in view.components
        )
    return out


def update_object(update: Update) -> dict[str, Any]:
    stamp = iso_z(update.published_at or update.created_at)
    return {
        "id": update.id,
        "status": update.status,
        "body": update.body,
        "incident_id": update.incident_id,
        "created_at": stamp,
        "updated_at": iso_z(update.updated_at),
        "display_at": stamp,
        "affected_components": update.affected_components or None,
        "deliver_notifications": update.deliver_notifications,
        "custom_tweet": None,
        "tweet_id": None,
    }


def postmortem_fields(updates: list[Update]) -> dict[str, Any]:
    """Statuspage's postmortem fields from the published postmortem among `updates` (those
    a reader may see, or the team's own)."""
    postmortem = next(
        (u for u in updates if u.status == POSTMORTEM and u.state == UpdateState.PUBLISHED),
        None,
    )
    if postmortem is None:
        return {
            "postmortem_body": None,
            "postmortem_body_last_updated_at": None,
            "postmortem_published_at": None,
            "postmortem_notified_subscribers": False,
        }
    return {
        "postmortem_body": postmortem.body,
        "postmortem_body_last_updated_at": iso_z(postmortem.updated_at),
        "postmortem_published_at": iso_z(postmortem.published_at),
        "postmortem_notified_subscribers": postmortem.deliver_notifications,
    }


def _incident_fields(
    incident: Incident,
    *,
    postmortem: dict[str, Any],
    updates: list[dict[str, Any]],
    components: list[dict[str, Any]],
    page_id: str,
    base_url: str,
) -> dict[str, Any]:
    """The fields both APIs give an incident, in the order Statuspage writes them. With a
    published postmortem, a resolved incident's status is `postmortem`, as on Statuspage."""
    return {
        "id": incident.id,
        "name": incident.title,
        "status": POSTMORTEM if postmortem.get("postmortem_body") else incident.status,
        "created_at": iso_z(incident.created_at),
        "updated_at": iso_z(incident.updated_at),
        "monitoring_at": iso_z(incident.monitoring_at),
        "resolved_at": iso_z(incident.resolved_at),
        "impact": incident.impact,
        "shortlink": f"{base_url}/incidents/{incident.id}",
        "started_at": iso_z(incident.started_at),
        "page_id": page_id,
        "incident_updates": updates,
        "components": components,
        "reminder_intervals": None,
    }


def incident_object(
    view: IncidentTold, statuses: dict[str, ComponentStatus], *, page_id: str, base_url: str
) -> dict[str, Any]:
    """An incident as a reader sees it: its visible updates, its components' statuses now;
    a maintenance adds its window."""
    incident: Incident = view.incident
    obj = _incident_fields(
        incident,
        postmortem=(postmortem := postmortem_fields(view.updates)),
        updates=[update_object(u) for u in view.timeline],
        components=[
            component_object(c, statuses.get(c.id, c.status), page_id=page_id)
            for c, _s in view.components
        ],
        page_id=page_id,
        base_url=base_url,
    )
    if incident.kind == IncidentKind.MAINTENANCE:
        obj["scheduled_for"] = iso_z(incident.scheduled_for)
        obj["scheduled_until"] = iso_z(incident.scheduled_until)
    else:
        obj["postmortem_body"] = postmortem["postmortem_body"]
        obj["postmortem_published_at"] = postmortem["postmortem_published_at"]
    return obj


def component_status_map(page: StatusPage) -> dict[str, ComponentStatus]:
    return {c.component.id: c.status for g in page.groups for c in g.components}


def status_object(page: StatusPage) -> dict[str, str]:
    return {"indicator": page.indicator, "description": page.description}


def summary(
    page: StatusPage, groups: list[ComponentGroup], *, page_obj: dict[str, Any], base_url: str
) -> dict[str, Any]:
    page_id = page_obj["id"]
    statuses = component_status_map(page)
    return {
        "page": page_obj,
        "components": components_list(page, groups, page_id=page_id),
        "incidents": [
            incident_object(v, statuses, page_id=page_id, base_url=base_url)
            for v in page.open_incidents
        ],
        "scheduled_maintenances": [
            incident_object(v, statuses, page_id=page_id, base_url=base_url)
            for v in page.active_maintenance + page.upcoming_maintenance
        ],
        "status": status_object(page),
    }


# Manage API v1 objects: the team's view of one incident, update, component or subscriber,
# every field of the generated client's models, enum values only.


def manage_update_object(update: Update) -> dict[str, Any]:
    return {**update_object(update), "twitter_updated_at": None, "wants_twitter_update": False}


def manage_component_object(
    component: Component, *, page_id: str, status: ComponentStatus | str | None = None
) -> dict[str, Any]:
    """`status`: the one the pages show now (`app.public.current`); else its own."""
    return {
        **component_object(component, status or component.status, page_id=page_id),
        "automation_email": None,
    }


def manage_incident_object(incident: Incident, *, page_id: str, base_url: str) -> dict[str, Any]:
    """An incident as the team sees it: every update, each component with the status the
    incident gave it, and the fields of Statuspage's model we have no use for."""
    maintenance = incident.kind == IncidentKind.MAINTENANCE
    postmortem = postmortem_fields(incident.updates)
    return {
        **_incident_fields(
            incident,
            postmortem=postmortem,
            updates=[manage_update_object(u) for u in incident.updates if u.status != POSTMORTEM],
            components=[
                component_object(link.component, link.status, page_id=page_id)
                for link in incident.components
            ],
            page_id=page_id,
            base_url=base_url,
        ),
        "impact_override": None,
        "metadata": {},
        "backfilled": False,
        "postmortem_body": postmortem["postmortem_body"],
        "postmortem_body_last_updated_at": postmortem["postmortem_body_last_updated_at"],
        "postmortem_ignored": False,
        "postmortem_notified_subscribers": postmortem["postmortem_notified_subscribers"],
        "postmortem_notified_twitter": False,
        "postmortem_published_at": postmortem["postmortem_published_at"],
        "scheduled_for": iso_z(incident.scheduled_for) if maintenance else None,
        "scheduled_until": iso_z(incident.scheduled_until) if maintenance else None,
        "scheduled_remind_prior": False,
        "scheduled_reminded_at": None,
        "scheduled_auto_in_progress": False,
        "scheduled_auto_completed": False,
        "auto_transition_deliver_notifications_at_end": False,
        "auto_transition_deliver_notifications_at_start": False,
        "auto_transition_to_maintenance_state": False,
        "auto_transition_to_operational_state": False,
    }


def manage_subscriber_object(subscriber: Any, components: list[str] | None) -> dict[str, Any]:
    """A subscriber as the Manage API describes it (an SMS one's number in E.164)."""
    sms = subscriber.kind == "sms"
    return {
        "id": subscriber.id,
        "skip_confirmation_notification": subscriber.confirmed_at is not None,
        "mode": subscriber.kind,
        "email": None if sms else subscriber.address,
        "endpoint": subscriber.url,
        "phone_number": subscriber.address if sms else None,
        "phone_country": phones.country_of(subscriber.address) if sms else None,
        "display_phone_number": phones.display(subscriber.address) if sms else None,
        "obfuscated_channel_name": None,
        "workspace_name": None,
        "quarantined_at": iso_z(subscriber.quarantined_at or subscriber.disabled_at),
        "purge_at": None,
        "components": components or [],
        "page_access_user_id": None,
        "created_at": iso_z(subscriber.created_at),
    }
