"""Components and the groups that arrange them on the page."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.components.status import ComponentStatus
from app.db.base import Base, IdMixin, TimestampMixin


class ComponentGroup(IdMixin, TimestampMixin, Base):
    __tablename__ = "component_groups"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    components: Mapped[list[Component]] = relationship(
        back_populates="group", order_by="Component.position"
    )


class Component(IdMixin, TimestampMixin, Base):
    __tablename__ = "components"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    group_id: Mapped[str | None] = mapped_column(
        ForeignKey("component_groups.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(32), default=ComponentStatus.OPERATIONAL.value)
    showcase: Mapped[bool] = mapped_column(Boolean, default=True)
    only_show_if_degraded: Mapped[bool] = mapped_column(Boolean, default=False)

    group: Mapped[ComponentGroup | None] = relationship(back_populates="components")
