"""JSON API for customers (admin only: who the customers are is not a responder's call)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, patch, post

from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.customers import service
from app.customers.models import Customer
from app.customers.schemas import CustomerCreate, CustomerRead, CustomerUpdate
from app.lib.shapes import shape
from app.web.deps import AppSettings, Db
from app.web.idempotency import create_once


def customer_read(customer: Customer, settings: AppSettings) -> CustomerRead:
    return shape(
        CustomerRead,
        customer,
        components=[c.id for c in customer.components],
        page_url=service.page_url(settings.base_url, customer),
    )


class CustomerController(Controller):
    path = "/api/v1/customers"
    tags = ["customers"]
    opt = {"act": Act.MANAGE_CUSTOMERS}

    @get("/")
    async def list_customers(
        self, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> list[CustomerRead]:
        return [customer_read(c, settings) for c in await service.list_customers(db)]

    @post("/", status_code=201)
    async def create_customer(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        data: CustomerCreate,
    ) -> Response[Any]:
        async def create() -> CustomerRead:
            customer = await service.create_customer(db, actor=actor, data=data)
            return customer_read(customer, settings)

        return await create_once(request, db, create)

    @get("/{customer_id:str}")
    async def get_customer(
        self, db: Db, actor: CurrentActor, settings: AppSettings, customer_id: str
    ) -> CustomerRead:
        return customer_read(await service.get_customer(db, customer_id), settings)

    @patch("/{customer_id:str}")
    async def update_customer(
        self,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        customer_id: str,
        data: CustomerUpdate,
    ) -> CustomerRead:
        customer = await service.update_customer(
            db, actor=actor, customer_id=customer_id, data=data
        )
        return customer_read(customer, settings)

    @post("/{customer_id:str}/rotate-token", status_code=200)
    async def rotate_token(
        self, db: Db, actor: CurrentActor, settings: AppSettings, customer_id: str
    ) -> CustomerRead:
        customer = await service.rotate_token(db, actor=actor, customer_id=customer_id)
        return customer_read(customer, settings)
