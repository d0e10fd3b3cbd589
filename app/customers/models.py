"""Customers, the components each one uses, and their private page token."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.components.models import Component
from app.db.base import Base, IdMixin, TimestampMixin
from app.lib.ids import new_token

customer_components = Table(
    "customer_components",
    Base.metadata,
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "component_id",
        ForeignKey("components.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Customer(IdMixin, TimestampMixin, Base):
    __tablename__ = "customers"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The secret in the customer's page URL; rotating it revokes every old link at once.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    # The language its page and its readers' messages are written in (None: the site's).
    language: Mapped[str | None] = mapped_column(String(8))

    components: Mapped[list[Component]] = relationship(
        secondary=customer_components, order_by=Component.position
    )
