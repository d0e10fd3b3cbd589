"""Rules for customers: who they are, what they use, and their private page token."""

from __future__ import annotations

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.audit.service import note
from app.components.service import get_components
from app.customers.models import Customer, customer_components
from app.customers.page_links import page_url as page_url
from app.customers.schemas import CustomerCreate, CustomerUpdate
from app.db.changes import CUSTOMERS, mark_changed
from app.lib.errors import Conflict, InvalidInput, NotFound
from app.lib.ids import new_token
from app.lib.languages import check_language


async def list_customers(session: AsyncSession) -> list[Customer]:
    query = select(Customer).options(selectinload(Customer.components)).order_by(Customer.name)
    return list((await session.scalars(query)).all())


async def get_customer(session: AsyncSession, customer_id: str) -> Customer:
    customer = await session.get(Customer, customer_id, options=[selectinload(Customer.components)])
    if customer is None:
        raise NotFound(f"no customer with id {customer_id!r}")
    return customer


async def get_customer_by_token(session: AsyncSession, token: str) -> Customer | None:
    return await session.scalar(select(Customer).where(Customer.token == token))


async def components_by_customer(session: AsyncSession) -> dict[str, set[str]]:
    """customer id -> ids of the components it uses (the input of the audience rule)."""
    mapping: dict[str, set[str]] = {}
    rows = await session.execute(
        select(customer_components.c.customer_id, customer_components.c.component_id)
    )
    for customer_id, component_id in rows:
        mapping.setdefault(customer_id, set()).add(component_id)
    return mapping


async def check_customer_ids(session: AsyncSession, ids: list[str], *, field: str) -> list[str]:
    if not ids:
        return []
    found = set(await session.scalars(select(Customer.id).where(Customer.id.in_(ids))))
    for customer_id in ids:
        if customer_id not in found:
            raise InvalidInput(f"{field}: no customer with id {customer_id!r}", field=field)
    return list(dict.fromkeys(ids))


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("name must not be blank", field="name")
    # A name lands in subjects, headers and calendar lines: it is one line of plain text.
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise InvalidInput("name must not contain line breaks or control characters", field="name")
    return name


def _clean_language(language: str | None) -> str | None:
    """One of the languages we speak (`DE`, `de-AT` are `de`), or None for the site's."""
    if language is None or not language.strip():
        return None
    try:
        return check_language(language, what="language")
    except ValueError as exc:
        raise InvalidInput(str(exc), field="language") from exc


async def _ensure_unique(session: AsyncSession, name: str, exclude: str | None = None) -> None:
    query = select(Customer.id).where(Customer.name == name)
    if exclude:
        query = query.where(Customer.id != exclude)
    if await session.scalar(query):
        raise Conflict(f"a customer named {name!r} already exists", field="name")


async def create_customer(session: AsyncSession, *, actor: Actor, data: CustomerCreate) -> Customer:
    permissions.require(actor, Act.MANAGE_CUSTOMERS)
    name = _clean_name(data.name)
    await _ensure_unique(session, name)
    components = await get_components(
        session, list(dict.fromkeys(data.components)), field="components"
    )
    customer = Customer(name=name, components=components, language=_clean_language(data.language))
    session.add(customer)
    await session.flush()
    await note(session, actor.name, "customer.create", ("customer", customer.id), {"name": name})
    await mark_changed(session, subject=CUSTOMERS)
    return customer


async def update_customer(
    session: AsyncSession, *, actor: Actor, customer_id: str, data: CustomerUpdate
) -> Customer:
    permissions.require(actor, Act.MANAGE_CUSTOMERS)
    customer = await get_customer(session, customer_id)
    if data.name is not None:
        name = _clean_name(data.name)
        await _ensure_unique(session, name, exclude=customer.id)
        customer.name = name
    if data.components is not None:
        customer.components = await get_components(
            session, list(dict.fromkeys(data.components)), field="components"
        )
    if not isinstance(data.language, msgspec.UnsetType):
        customer.language = _clean_language(data.language)
    await session.flush()
    await note(session, actor.name, "customer.update", ("customer", customer.id))
    await mark_changed(session, subject=CUSTOMERS)
    return customer


async def rotate_token(session: AsyncSession, *, actor: Actor, customer_id: str) -> Customer:
    """Give the customer a new page token; every old link stops working at once."""
    permissions.require(actor, Act.MANAGE_CUSTOMERS)
    customer = await get_customer(session, customer_id)
    customer.token = new_token()
    await session.flush()
    await note(session, actor.name, "customer.rotate_token", ("customer", customer.id))
    await mark_changed(session, subject=CUSTOMERS)
    return customer
