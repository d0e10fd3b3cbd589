"""Who is calling, and may they: the guard of every route.

A route states the act it needs in its `opt`, `opt={"act": Act.X}` (a controller may state
one for all its routes; a route's own wins). The app-level guard `needs_act` finds the
caller, a desk session on `/admin` or an API key in `Authorization`, answers 401 without
one, and asks `permissions.require` whether the caller may do the act, so the refusal is
the table's own 403. A route without an act is public; the route test lists every such
route by name, so a route that forgets its act fails there.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.service import actor_for_key, touch_key

ACT = "act"  # the key of a route's `opt` naming its act

# Statuspage clients send `OAuth <key>`; ours send `Bearer <key>`. Both name the same keys.
_SCHEMES = {"bearer", "oauth", "token"}


def bearer_key(request: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in _SCHEMES and value.strip():
        return value.strip()
    return None


async def authenticate(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """The caller of this request, found once: the desk session (read by the session
    middleware on `/admin`), else the API key; 401 when there is neither."""
    state = connection.scope.setdefault("state", {})  # type: ignore[typeddict-item]
    actor = state.get("actor") or state.get("session_actor")
    if actor is not None:
        state["actor"] = actor
        return actor  # type: ignore[no-any-return]
    raw = bearer_key(connection)
    if raw is None:
        raise NotAuthorizedException("an API key is required: send `Authorization: Bearer <key>`")
    # The key is checked in a session of its own, not the request's: a 401 raised here must
    # not leave the request's session half-open, and `last_used_at` is kept even on reads.
    async with connection.app.state.sessionmaker() as session:
        found = await actor_for_key(session, raw)
        if found is None:
            raise NotAuthorizedException("the API key is not valid or has been revoked")
        key, actor = found
        await touch_key(session, key)
        await session.commit()
    state["actor"] = actor
    state["actor_key_id"] = key.id
    return actor


async def needs_act(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """The guard of every route (registered once on the app): the act in the route's `opt`,
    checked against the permissions table."""
    act = handler.opt.get(ACT)
    if act is None:
        return  # public: listed as such in tests/web/test_route_guards.py
    permissions.require(await authenticate(connection), act)


async def provide_actor(request: Request) -> Actor:
    """The `actor` dependency: the caller the guard found (a route that takes an actor but
    states no act still needs one)."""
    return await authenticate(request)


CurrentActor = NamedDependency[Actor]
