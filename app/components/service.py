"""Rules for components and groups.

Anyone may push a component's status (monitoring does); naming, grouping, ordering, adding
and removing components is an admin's. Telling webhooks of a new status is publishing's
work (`app.comms.review.publishing.update_component`).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.audit.service import note
from app.components.models import Component, ComponentGroup
from app.components.schemas import ComponentCreate, ComponentUpdate, GroupCreate, GroupUpdate
from app.components.status import ComponentStatus
from app.db.changes import mark_changed
from app.lib.errors import Conflict, InvalidInput, NotFound


def _clean_name(name: str, field: str = "name") -> str:
    name = name.strip()
    if not name:
        raise InvalidInput(f"{field} must not be blank", field=field)
    if len(name) > 200:
        raise InvalidInput(f"{field} must be at most 200 characters", field=field)
    return name


async def list_components(session: AsyncSession) -> list[Component]:
    """All components in page order: ungrouped first, then group by group."""
    query = (
        select(Component)
        .outerjoin(ComponentGroup, Component.group_id == ComponentGroup.id)
        .options(selectinload(Component.group))
        .order_by(
            ComponentGroup.position.is_not(None),
            ComponentGroup.position,
            Component.position,
            Component.name,
        )
    )
    return list((await session.scalars(query)).all())


async def get_component(session: AsyncSession, component_id: str) -> Component:
    component = await session.get(
        Component, component_id, options=[selectinload(Component.group)], populate_existing=True
    )
    if component is None:
        raise NotFound(f"no component with id {component_id!r}")
    return component


async def get_components(session: AsyncSession, ids: list[str], *, field: str) -> list[Component]:
    """The components with these ids, or a 422 naming the first unknown one."""
    if not ids:
        return []
    found = {c.id: c for c in await session.scalars(select(Component).where(Component.id.in_(ids)))}
    for component_id in ids:
        if component_id not in found:
            raise InvalidInput(f"{field}: no component with id {component_id!r}", field=field)
    return [found[i] for i in ids]


async def list_groups(session: AsyncSession) -> list[ComponentGroup]:
    query = select(ComponentGroup).options(selectinload(ComponentGroup.components))
    return list((await session.scalars(query.order_by(ComponentGroup.position))).all())


async def get_group(session: AsyncSession, group_id: str) -> ComponentGroup:
    group = await session.get(
        ComponentGroup,
        group_id,
        options=[selectinload(ComponentGroup.components)],
        populate_existing=True,
    )
    if group is None:
        raise NotFound(f"no component group with id {group_id!r}")
    return group


async def _resolve_group(session: AsyncSession, ref: str | None) -> ComponentGroup | None:
    """A group given by id or by name; a new name creates the group."""
    if ref is None or not ref.strip():
        return None
    group = await session.get(ComponentGroup, ref)
    if group is not None:
        return group
    name = _clean_name(ref, "group")
    group = await session.scalar(select(ComponentGroup).where(ComponentGroup.name == name))
    if group is None:
        position = await session.scalar(select(func.coalesce(func.max(ComponentGroup.position), 0)))
        group = ComponentGroup(name=name, position=(position or 0) + 1)
        session.add(group)
        await session.flush()
    return group


async def _next_position(session: AsyncSession, group_id: str | None) -> int:
    current = await session.scalar(
        select(func.coalesce(func.max(Component.position), 0)).where(Component.group_id == group_id)
    )
    return (current or 0) + 1


async def create_group(session: AsyncSession, *, actor: Actor, data: GroupCreate) -> ComponentGroup:
    permissions.require(actor, Act.MANAGE_COMPONENTS)
    name = _clean_name(data.name)
    if await session.scalar(select(ComponentGroup.id).where(ComponentGroup.name == name)):
        raise Conflict(f"a component group named {name!r} already exists", field="name")
    position = data.position
    if position is None:
        position = (
            await session.scalar(select(func.coalesce(func.max(ComponentGroup.position), 0))) or 0
        ) + 1
    group = ComponentGroup(name=name, description=data.description, position=position)
    session.add(group)
    await session.flush()
    await note(session, actor.name, "group.create", ("group", group.id), {"name": name})
    await mark_changed(session)
    return await get_group(session, group.id)


async def update_group(
    session: AsyncSession, *, actor: Actor, group_id: str, data: GroupUpdate
) -> ComponentGroup:
    permissions.require(actor, Act.MANAGE_COMPONENTS)
    group = await get_group(session, group_id)
    if data.name is not None:
        group.name = _clean_name(data.name)
    if data.description is not None:
        group.description = data.description
    if data.position is not None:
        group.position = data.position
    await session.flush()
    await note(session, actor.name, "group.update", ("group", group.id))
    await mark_changed(session)
    return group


async def create_component(
    session: AsyncSession, *, actor: Actor, data: ComponentCreate
) -> Component:
    permissions.require(actor, Act.MANAGE_COMPONENTS)
    group = await _resolve_group(session, data.group)
    group_id = group.id if group else None
    position = (
        data.position if data.position is not None else await _next_position(session, group_id)
    )
    component = Component(
        name=_clean_name(data.name),
        description=data.description,
        group_id=group_id,
        status=data.status.value,
        position=position,
    )
    session.add(component)
    await session.flush()
    subject = ("component", component.id)
    await note(session, actor.name, "component.create", subject, {"name": component.name})
    await mark_changed(session)
    return await get_component(session, component.id)


async def update_component(
    session: AsyncSession, *, actor: Actor, component_id: str, data: ComponentUpdate
) -> Component:
    wanted = {"status": data.status, "name": data.name, "description": data.description}
    wanted |= {"group": data.group, "position": data.position}
    permissions.require_component_change(
        actor, changed=[name for name, value in wanted.items() if value is not None]
    )
    component = await get_component(session, component_id)
    changes: dict[str, object] = {}
    if data.name is not None:
        component.name = changes["name"] = _clean_name(data.name)
    if data.description is not None:
        component.description = changes["description"] = data.description
    if data.group is not None:
        group = await _resolve_group(session, data.group)
        component.group_id = changes["group_id"] = group.id if group else None
    if data.position is not None:
        component.position = changes["position"] = data.position
    if data.status is not None and data.status.value != component.status:
        changes["status"] = {"old": component.status, "new": data.status.value}
        component.status = data.status.value
    await session.flush()
    await note(session, actor.name, "component.update", ("component", component.id), changes)
    # Moved or renamed, it shows differently on every page naming it: the copy rewrites all.
    moved = {"group_id", "position", "name"} & changes.keys()
    await mark_changed(session, component_id=None if moved else component.id)
    return await get_component(session, component.id)


async def delete_component(session: AsyncSession, *, actor: Actor, component_id: str) -> None:
    permissions.require(actor, Act.MANAGE_COMPONENTS)
    component = await get_component(session, component_id)
    await session.delete(component)
    subject = ("component", component_id)
    await note(session, actor.name, "component.delete", subject, {"name": component.name})
    await mark_changed(session)


def component_status(value: str) -> ComponentStatus:
    try:
        return ComponentStatus(value)
    except ValueError:
        raise InvalidInput(
            f"status must be one of {', '.join(s.value for s in ComponentStatus)}, got {value!r}",
            field="status",
        ) from None


def require_admin(actor: Actor) -> None:
    """Refuse early, before any change: `update_component` applies the same rule itself."""
    permissions.require_component_change(actor, changed=["name"])
