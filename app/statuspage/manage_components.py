"""Statuspage's components, as the Manage API v1 sends them, through our components' verbs.

Any key may set a component's status; renaming, describing or moving one needs an admin,
exactly as over our own API.
"""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.comms.review import publishing
from app.components import service as components
from app.components.models import Component
from app.components.schemas import ComponentCreate, ComponentUpdate
from app.components.status import ComponentStatus
from app.lib.errors import InvalidInput


class SpComponent(msgspec.Struct, kw_only=True):
    """The `component` object of a create/update request; unknown fields are ignored."""

    name: str | None = None
    description: str | None = None
    status: str | None = None
    group_id: str | None = None


def component_status(value: str, field: str) -> ComponentStatus:
    """A Statuspage component status word, or a 422 naming `field`."""
    try:
        return ComponentStatus(value)
    except ValueError:
        raise InvalidInput(
            f"{field} must be one of {', '.join(s.value for s in ComponentStatus)}, got {value!r}",
            field=field,
        ) from None


async def list_components(session: AsyncSession, *, limit: int, page: int) -> list[Component]:
    everything = await components.list_components(session)
    return everything[(page - 1) * limit : page * limit]


async def create_component(session: AsyncSession, *, actor: Actor, data: SpComponent) -> Component:
    if not data.name:
        raise InvalidInput("component[name] must not be blank", field="component[name]")
    return await components.create_component(
        session,
        actor=actor,
        data=ComponentCreate(
            name=data.name,
            description=data.description,
            group=data.group_id,
            status=component_status(data.status or "operational", "component[status]"),
        ),
    )


async def change_component(
    session: AsyncSession, *, actor: Actor, component_id: str, data: SpComponent
) -> Component:
    """PATCH/PUT components/{id}: any key may set a status; the rest needs an admin."""
    if any(v is not None for v in (data.name, data.description, data.group_id)):
        # The same check, from the same service, as our own API's component update.
        components.require_admin(actor)
    status = component_status(data.status, "component[status]") if data.status else None
    # Through publishing, so that a new status reaches the webhooks that follow it.
    return await publishing.update_component(
        session,
        actor=actor,
        component_id=component_id,
        data=ComponentUpdate(
            name=data.name, description=data.description, group=data.group_id, status=status
        ),
    )
