"""Request and response shapes of the components API."""

from __future__ import annotations

from datetime import datetime

import msgspec

from app.components.status import ComponentStatus
from app.lib.numbers import Position


class ComponentCreate(msgspec.Struct, kw_only=True):
    name: str
    description: str | None = None
    group: str | None = None  # a group id or a group name (created if new)
    status: ComponentStatus = ComponentStatus.OPERATIONAL
    position: Position | None = None


class ComponentUpdate(msgspec.Struct, kw_only=True):
    name: str | None = None
    description: str | None = None
    group: str | None = None
    status: ComponentStatus | None = None
    position: Position | None = None


class ComponentRead(msgspec.Struct, kw_only=True):
    id: str
    name: str
    description: str | None
    group_id: str | None
    group: str | None
    status: ComponentStatus
    position: int
    created_at: datetime
    updated_at: datetime


class GroupCreate(msgspec.Struct, kw_only=True):
    name: str
    description: str | None = None
    position: Position | None = None


class GroupUpdate(msgspec.Struct, kw_only=True):
    name: str | None = None
    description: str | None = None
    position: Position | None = None


class GroupRead(msgspec.Struct, kw_only=True):
    id: str
    name: str
    description: str | None
    position: int
    components: list[str]
