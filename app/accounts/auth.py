"""Who is calling: API keys in `Authorization`, and the role a route asks for.

A route states the role it needs in `opt={"role": Role.X}` (responder when absent); the
`actor` dependency answers 401 without a valid key and 403 when the role is too low.
"""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from app.accounts.actor import Actor
from app.accounts.models import Role
from app.accounts.service import actor_for_key, touch_key

# Statuspage clients send `OAuth <key>`; ours send `Bearer <key>`. Both name the same keys.
_SCHEMES = {"bearer", "oauth", "token"}


def bearer_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in _SCHEMES and value.strip():
        return value.strip()
    return None


async def provide_actor(request: Request, state: State) -> Actor:
    # The key is checked in a session of its own, not the request's: a 401 raised here must
    # not leave the request's session half-open, and `last_used_at` is kept even on reads.
    actor = request.scope.get("state", {}).get("session_actor")
    key_id = None
    if actor is None:
        raw = bearer_key(request)
        if raw is None:
            raise NotAuthorizedException(
                "an API key is required: send `Authorization: Bearer <key>`"
            )
        async with state.sessionmaker() as session:
            found = await actor_for_key(session, raw)
            if found is not None:
                key, actor = found
                key_id = key.id
                await touch_key(session, key)
                await session.commit()
        if actor is None:
            raise NotAuthorizedException("the API key is not valid or has been revoked")
    needed = request.route_handler.opt.get("role", Role.RESPONDER)
    if not actor.has_role(needed):
        raise PermissionDeniedException(
            f"this needs the {needed.value} role; the key has {actor.role.value}"
        )
    request.state.actor_key_id = key_id
    return actor


CurrentActor = NamedDependency[Actor]
