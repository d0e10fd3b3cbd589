"""JSON API for components and component groups (a component's PATCH, which can notify
webhooks, is `app.comms.api.publishing`)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post

from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.components import service
from app.components.models import Component, ComponentGroup
from app.components.schemas import (
    ComponentCreate,
    ComponentRead,
    GroupCreate,
    GroupRead,
    GroupUpdate,
)
from app.components.status import ComponentStatus
from app.lib.shapes import shape
from app.web.deps import Db
from app.web.idempotency import create_once


def component_read(component: Component, status: ComponentStatus | None = None) -> ComponentRead:
    """`status` is the one the pages show now (`app.public.current`, which the API that
    serves these routes passes); without it, the component's own."""
    return shape(
        ComponentRead,
        component,
        group=component.group.name if component.group else None,
        status=status or ComponentStatus(component.status),
    )


def group_read(group: ComponentGroup) -> GroupRead:
    return shape(GroupRead, group, components=[c.id for c in group.components])


class ComponentController(Controller):
    path = "/api/v1/components"
    opt = {"act": Act.READ_DESK}
    tags = ["components"]

    @get("/")
    async def list_components(self, db: Db, actor: CurrentActor) -> list[ComponentRead]:
        return [component_read(c) for c in await service.list_components(db)]

    @post("/", opt={"act": Act.MANAGE_COMPONENTS}, status_code=201)
    async def create_component(
        self, request: Request, db: Db, actor: CurrentActor, data: ComponentCreate
    ) -> Response[Any]:
        async def create() -> ComponentRead:
            return component_read(await service.create_component(db, actor=actor, data=data))

        return await create_once(request, db, create)

    @get("/{component_id:str}")
    async def get_component(self, db: Db, actor: CurrentActor, component_id: str) -> ComponentRead:
        return component_read(await service.get_component(db, component_id))

    @delete("/{component_id:str}", opt={"act": Act.MANAGE_COMPONENTS}, status_code=204)
    async def delete_component(self, db: Db, actor: CurrentActor, component_id: str) -> None:
        await service.delete_component(db, actor=actor, component_id=component_id)


class GroupController(Controller):
    path = "/api/v1/component-groups"
    opt = {"act": Act.READ_DESK}
    tags = ["components"]

    @get("/")
    async def list_groups(self, db: Db, actor: CurrentActor) -> list[GroupRead]:
        return [group_read(g) for g in await service.list_groups(db)]

    @post("/", opt={"act": Act.MANAGE_COMPONENTS}, status_code=201)
    async def create_group(
        self, request: Request, db: Db, actor: CurrentActor, data: GroupCreate
    ) -> Response[Any]:
        async def create() -> GroupRead:
            return group_read(await service.create_group(db, actor=actor, data=data))

        return await create_once(request, db, create)

    @get("/{group_id:str}")
    async def get_group(self, db: Db, actor: CurrentActor, group_id: str) -> GroupRead:
        return group_read(await service.get_group(db, group_id))

    @patch("/{group_id:str}", opt={"act": Act.MANAGE_COMPONENTS})
    async def update_group(
        self, db: Db, actor: CurrentActor, group_id: str, data: GroupUpdate
    ) -> GroupRead:
        group = await service.update_group(db, actor=actor, group_id=group_id, data=data)
        return group_read(await service.get_group(db, group.id))
