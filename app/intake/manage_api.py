"""The Statuspage Manage API v1 under `/v1/pages/{page_id}/`: thin handlers over
`app.intake.manage`, so tools that push incidents into Statuspage work unchanged.

Paths answer with and without `.json`; bodies are JSON (whatever the Content-Type says)
or Rails-style forms; lists are bare arrays; errors are `{"error": ..., "message": ...}`.
Auth is the same API keys and roles, sent as `Authorization: OAuth <key>`.
"""

from __future__ import annotations

from typing import Any

from litestar import HttpMethod, Request, Response, Router, delete, get, post, route
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.params import Parameter
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.accounts.auth import CurrentActor
from app.accounts.models import Role
from app.intake import manage
from app.intake.forms import parse_body
from app.lib.errors import DomainError, NotFound
from app.lib.numbers import MAX_OFFSET, MAX_PAGE
from app.public import statuspage
from app.settings import Settings, page_id_for
from app.subscribers import service as subscribers
from app.web.deps import AppSettings, Db
from app.web.errors import CANNOT_STORE, log, refused_value

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


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response({"error": message, "message": message}, status_code=status, headers=headers)


def on_domain_error(_request: Request, exc: DomainError) -> Response[Any]:
    return _error(exc.status_code, exc.message)


def on_validation_error(_request: Request, exc: ValidationException) -> Response[Any]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    parts = [f"{e.get('key')}: {e.get('message')}" if e.get("key") else str(e) for e in errors]
    return _error(422, "; ".join(parts) or str(exc.detail))


def on_http_error(_request: Request, exc: HTTPException) -> Response[Any]:
    return _error(exc.status_code, str(exc.detail), exc.headers)


def on_integrity_error(request: Request, exc: IntegrityError) -> Response[Any]:
    log.info("integrity error on %s: %s", request.url.path, exc.orig)
    return _error(409, "this conflicts with a change made at the same time; retry")


def on_database_error(request: Request, exc: DBAPIError) -> Response[Any]:
    if refused_value(exc):
        log.info("refused value on %s: %s", request.url.path, exc.orig)
        return _error(422, CANNOT_STORE)
    return on_unexpected(request, exc)


def on_unexpected(request: Request, exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error(500, "something went wrong on our side; it has been logged")


def known_page(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    settings: Settings = connection.app.state.settings
    if connection.path_params.get("page_id") != page_id_for(settings):
        raise NotFound("there is no page with this id here; see `tidings page-id`")


async def _body(request: Request) -> dict[str, Any]:
    return parse_body(await request.body(), request.headers.get("content-type"))


def _incident(incident: Any, settings: Settings) -> dict[str, Any]:
    return statuspage.manage_incident_object(
        incident, page_id=page_id_for(settings), base_url=settings.base_url
    )


def _component(component: Any, settings: Settings) -> dict[str, Any]:
    return statuspage.manage_component_object(component, page_id=page_id_for(settings))


async def _list(db: Db, settings: Settings, which: str, per_page: int, page: int) -> list[Any]:
    found = await manage.list_incidents(
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
    found = await manage.list_incidents(
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


@post(_json_paths("/incidents"))
async def create_incident(
    request: Request, db: Db, actor: CurrentActor, settings: AppSettings
) -> Response[Any]:
    data = manage.read(await _body(request), "incident", manage.SpIncident)
    incident = await manage.create_incident(db, actor=actor, data=data)
    return Response(_incident(incident, settings), status_code=201)


@get("/incidents/{incident_id:str}")
async def get_incident(
    db: Db, actor: CurrentActor, settings: AppSettings, incident_id: str
) -> dict[str, Any]:
    return _incident(await manage.get_incident(db, _bare(incident_id)), settings)


# Statuspage's PUT takes the same partial body as PATCH.
@route("/incidents/{incident_id:str}", http_method=[HttpMethod.PATCH, HttpMethod.PUT])
async def change_incident(
    request: Request, db: Db, actor: CurrentActor, settings: AppSettings, incident_id: str
) -> dict[str, Any]:
    data = manage.read(await _body(request), "incident", manage.SpIncident)
    incident = await manage.change_incident(
        db, actor=actor, incident_id=_bare(incident_id), data=data
    )
    return _incident(incident, settings)


@delete("/incidents/{incident_id:str}", opt={"role": Role.COMMS_LEAD}, status_code=200)
async def delete_incident(
    db: Db, actor: CurrentActor, settings: AppSettings, incident_id: str
) -> dict[str, Any]:
    """Answers the incident as it was, as Statuspage does."""
    incident = await manage.get_incident(db, _bare(incident_id))
    gone = _incident(incident, settings)
    await manage.delete_incident(db, actor=actor, incident_id=incident.id)
    return gone


@route(
    "/incidents/{incident_id:str}/incident_updates/{update_id:str}",
    http_method=[HttpMethod.PATCH, HttpMethod.PUT],
)
async def change_incident_update(
    request: Request, db: Db, actor: CurrentActor, incident_id: str, update_id: str
) -> dict[str, Any]:
    data = manage.read(await _body(request), "incident_update", manage.SpIncidentUpdate)
    update = await manage.change_update(
        db, actor=actor, incident_id=incident_id, update_id=_bare(update_id), data=data
    )
    return statuspage.manage_update_object(update)


# Components


@get(_json_paths("/components"))
async def list_components(
    db: Db, actor: CurrentActor, settings: AppSettings, per_page: int = _PER_PAGE, page: int = _PAGE
) -> list[dict[str, Any]]:
    found = await manage.list_components(db, limit=min(per_page, MAX_PER_PAGE), page=page)
    return [_component(c, settings) for c in found]


@post(_json_paths("/components"), opt={"role": Role.ADMIN})
async def create_component(
    request: Request, db: Db, actor: CurrentActor, settings: AppSettings
) -> Response[Any]:
    data = manage.read(await _body(request), "component", manage.SpComponent)
    component = await manage.create_component(db, actor=actor, data=data)
    return Response(_component(component, settings), status_code=201)


@get("/components/{component_id:str}")
async def get_component(
    db: Db, actor: CurrentActor, settings: AppSettings, component_id: str
) -> dict[str, Any]:
    return _component(await manage.get_component(db, _bare(component_id)), settings)


@route("/components/{component_id:str}", http_method=[HttpMethod.PATCH, HttpMethod.PUT])
async def change_component(
    request: Request, db: Db, actor: CurrentActor, settings: AppSettings, component_id: str
) -> dict[str, Any]:
    data = manage.read(await _body(request), "component", manage.SpComponent)
    component = await manage.change_component(
        db, actor=actor, component_id=_bare(component_id), data=data
    )
    return _component(component, settings)


@delete("/components/{component_id:str}", opt={"role": Role.ADMIN}, status_code=204)
async def delete_component(db: Db, actor: CurrentActor, component_id: str) -> None:
    await manage.delete_component(db, actor=actor, component_id=_bare(component_id))


# Subscribers


async def _subscriber(db: Db, subscriber: Any) -> dict[str, Any]:
    components = await subscribers.component_ids(db, subscriber.id)
    return statuspage.manage_subscriber_object(subscriber, components)


@get(_json_paths("/subscribers"), opt={"role": Role.COMMS_LEAD})
async def list_subscribers(
    db: Db, actor: CurrentActor, per_page: int = _PER_PAGE, page: int = _PAGE
) -> list[dict[str, Any]]:
    limit = min(per_page, MAX_PER_PAGE)
    found = await subscribers.list_subscribers(
        db, customer_id=None, limit=limit, offset=(page - 1) * limit
    )
    return [await _subscriber(db, s) for s in found]


@post(_json_paths("/subscribers"), opt={"role": Role.COMMS_LEAD})
async def create_subscriber(
    request: Request, db: Db, actor: CurrentActor, settings: AppSettings
) -> Response[Any]:
    data = manage.read(await _body(request), "subscriber", manage.SpSubscriber)
    subscriber = await subscribers.add_subscriber(
        db,
        actor=actor,
        data=manage.subscriber_create(data),
        allow_private=settings.webhook_allow_private,
    )
    body = await _subscriber(db, subscriber)
    return Response(body, status_code=201)


@get("/subscribers/{subscriber_id:str}", opt={"role": Role.COMMS_LEAD})
async def get_subscriber(db: Db, actor: CurrentActor, subscriber_id: str) -> dict[str, Any]:
    return await _subscriber(db, await subscribers.get_subscriber(db, _bare(subscriber_id)))


@delete("/subscribers/{subscriber_id:str}", opt={"role": Role.COMMS_LEAD}, status_code=200)
async def delete_subscriber(db: Db, actor: CurrentActor, subscriber_id: str) -> dict[str, Any]:
    subscriber = await subscribers.get_subscriber(db, _bare(subscriber_id))
    await subscribers.unsubscribe(db, subscriber=subscriber, actor=actor.name)
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
    exception_handlers={
        DomainError: on_domain_error,
        ValidationException: on_validation_error,
        HTTPException: on_http_error,
        IntegrityError: on_integrity_error,
        DBAPIError: on_database_error,
        Exception: on_unexpected,
    },
)
