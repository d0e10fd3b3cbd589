"""The Statuspage Manage API v1 under `/v1/pages/{page_id}/`: thin handlers over the
`manage_*` translations and our own services, so tools that push incidents into
Statuspage work unchanged.

Paths answer with and without `.json`; bodies are JSON (whatever the Content-Type says)
or Rails-style forms; lists are bare arrays; errors are `{"error": ..., "message": ...}`.
Auth is the same API keys and roles, sent as `Authorization: OAuth <key>`.
"""

from __future__ import annotations

from typing import Any

from litestar import HttpMethod, Request, Response, Router, delete, get, post, route
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.params import Parameter

from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.components import service as components
from app.incidents import service as incidents
from app.lib.errors import NotFound
from app.lib.numbers import MAX_OFFSET, MAX_PAGE
from app.public import current
from app.public import statuspage_shapes as shapes
from app.settings import Settings, page_id_for
from app.statuspage import manage_components, manage_incidents, manage_subscribers
from app.statuspage.forms import parse_body, read
from app.subscribers import service as subscribers
from app.web.deps import AppSettings, Db
from app.web.errors import RENDERING, Failure

# Statuspage caps list pages at 100 items; a larger ask gets 100, not an error.
MAX_PER_PAGE = 100
_LIMIT = Parameter(default=MAX_PER_PAGE, ge=1, le=MAX_OFFSET)
_PER_PAGE = Parameter(default=MAX_PER_PAGE, ge=1, le=MAX_OFFSET)
_PAGE = Parameter(default=1, ge=1, le=MAX_PAGE)


def _json_paths(*paths: str) -> list[str]:
    return [p for path in paths for p in (path, path + ".json")]


def _bare(value: str) -> str:
    """An id from a path that may end in `.json` (`incidents/abc123.json`)."""
    return value.removesuffix(".json")


def statuspage_error(_request: Request, failure: Failure) -> Response[Any]:
    """Errors as Statuspage writes them: `{"error": ..., "message": ...}`, the same words."""
    body = {"error": failure.detail, "message": failure.detail}
    return Response(body, status_code=failure.status, headers=failure.headers or None)


def known_page(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    settings: Settings = connection.app.state.settings
    if connection.path_params.get("page_id") != page_id_for(settings):
        raise NotFound("there is no page with this id here; see `tidings page-id`")


async def _body(request: Request) -> dict[str, Any]:
    return parse_body(await request.body(), request.headers.get("content-type"))


def _incident(incident: Any, settings: Settings) -> dict[str, Any]:
    return shapes.manage_incident_object(
        incident, page_id=page_id_for(settings), base_url=settings.base_url
    )


async def _component(db: Db, component: Any, settings: Settings) -> dict[str, Any]:
    """A component with the status every page and API says it has now."""
    status = (await current.statuses_now(db)).get(component.id)
    return shapes.manage_component_object(component, page_id=page_id_for(settings), status=status)


async def _list(db: Db, settings: Settings, which: str, per_page: int, page: int) -> list[Any]:
    found = await manage_incidents.list_incidents(
        db, which=which, limit=min(per_page, MAX_PER_PAGE), page=page
    )
    return [_incident(i, settings) for i in found]


# Incidents


@get(_json_paths("/incidents"))
async def list_incidents(
    db: Db,
    actor: CurrentActor,
    settings: AppSettings,
    q: str | None = None,
    limit: int = _LIMIT,
    page: int = _PAGE,
) -> list[dict[str, Any]]:
    found = await manage_incidents.list_incidents(
        db, which="all", q=q, limit=min(limit, MAX_PER_PAGE), page=page
    )
    return [_incident(i, settings) for i in found]


def _incident_list(which: str) -> HTTPRouteHandler:
    """A GET of one of Statuspage's incident lists (`incidents/<which>`)."""

    @get(_json_paths(f"/incidents/{which}"), name=f"manage_incidents_{which}")
    async def handler(
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        per_page: int = _PER_PAGE,
        page: int = _PAGE,
    ) -> list[dict[str, Any]]:
        return await _list(db, settings, which, per_page, page)

    return handler


list_unresolved = _incident_list("unresolved")
list_upcoming = _incident_list("upcoming")
list_scheduled = _incident_list("scheduled")
list_active_maintenance = _incident_list("active_maintenance")


@post(_json_paths("/incidents"), opt={"act": Act.OPEN_INCIDENT})
async def create_incident(
    request: Request, db: Db, actor: CurrentActor, settings: AppSettings
) -> Response[Any]:
    data = read(await _body(request), "incident", manage_incidents.SpIncident)
    incident = await manage_incidents.create_incident(db, actor=actor, data=data)
    return Response(_incident(incident, settings), status_code=201)


@get("/incidents/{incident_id:str}")
async def get_incident(
    db: Db, actor: CurrentActor, settings: AppSettings, incident_id: str
) -> dict[str, Any]:
    return _incident(await incidents.get_incident(db, _bare(incident_id)), settings)


# Statuspage's PUT takes the same partial body as PATCH.
@route(
    "/incidents/{incident_id:str}",
    http_method=[HttpMethod.PATCH, HttpMethod.PUT],
    opt={"act": Act.OPEN_INCIDENT},
)
async def change_incident(
    request: Request, db: Db, actor: CurrentActor, settings: AppSettings, incident_id: str
) -> dict[str, Any]:
    data = read(await _body(request), "incident", manage_incidents.SpIncident)
    incident = await manage_incidents.change_incident(
        db, actor=actor, incident_id=_bare(incident_id), data=data
    )
    return _incident(incident, settings)


@delete("/incidents/{incident_id:str}", opt={"act": Act.DELETE_INCIDENT}, status_code=200)
async def delete_incident(
    db: Db, actor: CurrentActor, settings: AppSettings, incident_id: str
) -> dict[str, Any]:
    """Answers the incident as it was, as Statuspage does."""
    incident = await incidents.get_incident(db, _bare(incident_id))
    gone = _incident(incident, settings)
    await incidents.delete_incident(db, actor=actor, incident_id=incident.id)
    return gone


@route(
    "/incidents/{incident_id:str}/incident_updates/{update_id:str}",
    http_method=[HttpMethod.PATCH, HttpMethod.PUT],
    opt={"act": Act.DRAFT},
)
async def change_incident_update(
    request: Request, db: Db, actor: CurrentActor, incident_id: str, update_id: str
) -> dict[str, Any]:
    data = read(await _body(request), "incident_update", manage_incidents.SpIncidentUpdate)
    update = await manage_incidents.change_update(
        db, actor=actor, incident_id=incident_id, update_id=_bare(update_id), data=data
    )
    return shapes.manage_update_object(update)


# Components


@get(_json_paths("/components"))
async def list_components(
    db: Db, actor: CurrentActor, settings: AppSettings, per_page: int = _PER_PAGE, page: int = _PAGE
) -> list[dict[str, Any]]:
    found = await manage_components.list_components(
        db, limit=min(per_page, MAX_PER_PAGE), page=page
    )
    now = await current.statuses_now(db)
    page_id = page_id_for(settings)
    return [shapes.manage_component_object(c, page_id=page_id, status=now.get(c.id)) for c in found]


@post(_json_paths("/components"), opt={"act": Act.MANAGE_COMPONENTS})
async def create_component(
    request: Request, db: Db, actor: CurrentActor, settings: AppSettings
) -> Response[Any]:
    data = read(await _body(request), "component", manage_components.SpComponent)
    component = await manage_components.create_component(db, actor=actor, data=data)
    return Response(await _component(db, component, settings), status_code=201)


@get("/components/{component_id:str}")
async def get_component(
    db: Db, actor: CurrentActor, settings: AppSettings, component_id: str
) -> dict[str, Any]:
    return await _component(db, await components.get_component(db, _bare(component_id)), settings)


@route(
    "/components/{component_id:str}",
    http_method=[HttpMethod.PATCH, HttpMethod.PUT],
    opt={"act": Act.SET_COMPONENT_STATUS},
)
async def change_component(
    request: Request, db: Db, actor: CurrentActor, settings: AppSettings, component_id: str
) -> dict[str, Any]:
    data = read(await _body(request), "component", manage_components.SpComponent)
    component = await manage_components.change_component(
        db, actor=actor, component_id=_bare(component_id), data=data
    )
    return await _component(db, component, settings)


@delete("/components/{component_id:str}", opt={"act": Act.MANAGE_COMPONENTS}, status_code=204)
async def delete_component(db: Db, actor: CurrentActor, component_id: str) -> None:
    await components.delete_component(db, actor=actor, component_id=_bare(component_id))


# Subscribers


async def _subscriber(db: Db, subscriber: Any) -> dict[str, Any]:
    component_ids = await subscribers.component_ids(db, subscriber.id)
    return shapes.manage_subscriber_object(subscriber, component_ids)


@get(_json_paths("/subscribers"), opt={"act": Act.MANAGE_SUBSCRIBERS})
async def list_subscribers(
    db: Db, actor: CurrentActor, per_page: int = _PER_PAGE, page: int = _PAGE
) -> list[dict[str, Any]]:
    limit = min(per_page, MAX_PER_PAGE)
    found = await subscribers.list_subscribers(
        db, customer_id=None, limit=limit, offset=(page - 1) * limit
    )
    return [await _subscriber(db, s) for s in found]


@post(_json_paths("/subscribers"), opt={"act": Act.MANAGE_SUBSCRIBERS})
async def create_subscriber(
    request: Request, db: Db, actor: CurrentActor, settings: AppSettings
) -> Response[Any]:
    data = read(await _body(request), "subscriber", manage_subscribers.SpSubscriber)
    subscriber = await subscribers.add_subscriber(
        db,
        actor=actor,
        data=manage_subscribers.subscriber_create(data),
        allow_private=settings.webhook_allow_private,
        channels=request.app.state.channels,
    )
    body = await _subscriber(db, subscriber)
    return Response(body, status_code=201)


@get("/subscribers/{subscriber_id:str}", opt={"act": Act.MANAGE_SUBSCRIBERS})
async def get_subscriber(db: Db, actor: CurrentActor, subscriber_id: str) -> dict[str, Any]:
    return await _subscriber(db, await subscribers.get_subscriber(db, _bare(subscriber_id)))


@delete("/subscribers/{subscriber_id:str}", opt={"act": Act.MANAGE_SUBSCRIBERS}, status_code=200)
async def delete_subscriber(db: Db, actor: CurrentActor, subscriber_id: str) -> dict[str, Any]:
    subscriber = await subscribers.get_subscriber(db, _bare(subscriber_id))
    await subscribers.unsubscribe(db, subscriber=subscriber, actor=actor)
    body = await _subscriber(db, subscriber)
    return body


manage_router = Router(
    path="/v1/pages/{page_id:str}",
    route_handlers=[
        list_incidents,
        list_unresolved,
        list_upcoming,
        list_scheduled,
        list_active_maintenance,
        create_incident,
        get_incident,
        change_incident,
        delete_incident,
        change_incident_update,
        list_components,
        create_component,
        get_component,
        change_component,
        delete_component,
        list_subscribers,
        create_subscriber,
        get_subscriber,
        delete_subscriber,
    ],
    guards=[known_page],
    tags=["manage (Statuspage v1)"],
    # Reading is any key's; each write states its own act.
    opt={RENDERING: statuspage_error, "act": Act.READ_DESK},
)
