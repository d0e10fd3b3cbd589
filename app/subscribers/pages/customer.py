"""The desk's customer pages: add a customer, choose the components it uses, see and rotate
its private page link, add and import its contacts.

The list of customers is `app.comms.pages.templates`'s; these are the pages it links to. Thin
handlers over `app.customers.service` (who the customers are: an admin's call) and this
package's services (contacts: a comms lead's). A customer's private link is shown to comms
leads and admins only: it is the key to that customer's page.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from app.accounts.actor import Actor
from app.accounts.http.admin import admin_page, back
from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act, may
from app.components.service import list_components
from app.customers import service as customers
from app.customers.schemas import CustomerCreate, CustomerUpdate
from app.lib.errors import DomainError
from app.lib.languages import LANGUAGES
from app.subscribers import contacts, service
from app.subscribers.pages.helpers import channels
from app.subscribers.schemas import SubscriberCreate
from app.web.deps import AppSettings, Db

LIST = "/admin/customers"


def _text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()


def _chosen(form: Any) -> list[str]:
    return [str(c) for c in form.getall("components", [])]


async def _customer_page(
    request: Request,
    db: Db,
    actor: Actor,
    settings: AppSettings,
    customer_id: str,
    imported: contacts.Imported | None = None,
) -> Response[Any]:
    """A customer's desk page; `imported` shows an import's refused lines, kept to fix."""
    customer = await customers.get_customer(db, customer_id)
    sees_contacts = may(actor, Act.MANAGE_SUBSCRIBERS)
    return admin_page(
        request,
        "admin/customer.html",
        customer=customer,
        languages=LANGUAGES,
        components=await list_components(db),
        chosen={c.id for c in customer.components},
        may_manage=may(actor, Act.MANAGE_CUSTOMERS),
        # The private link and the contacts: comms leads and admins only.
        page_url=customers.page_url(settings.base_url, customer) if sees_contacts else None,
        contacts=(
            await service.list_subscribers(db, customer_id=customer.id, limit=1000)
            if sees_contacts
            else []
        ),
        sees_contacts=sees_contacts,
        imported=imported,
    )


class CustomerDeskPages(Controller):
    path = LIST
    opt = {"act": Act.READ_DESK}
    include_in_schema = False

    @get("/new", opt={"act": Act.MANAGE_CUSTOMERS})
    async def new(self, request: Request, db: Db, actor: CurrentActor) -> Response[Any]:
        return admin_page(
            request,
            "admin/customer_new.html",
            components=await list_components(db),
            languages=LANGUAGES,
        )

    @post("/new", opt={"act": Act.MANAGE_CUSTOMERS})
    async def create(self, request: Request, db: Db, actor: CurrentActor) -> Redirect:
        form = await request.form()
        try:
            customer = await customers.create_customer(
                db,
                actor=actor,
                data=CustomerCreate(
                    name=_text(form, "name"),
                    components=_chosen(form),
                    language=_text(form, "language") or None,
                ),
            )
        except DomainError as exc:
            await db.rollback()
            return back(f"{LIST}/new", error=exc.message)
        return back(f"{LIST}/{customer.id}", notice=f"Added {customer.name}.")

    @get("/{customer_id:str}")
    async def customer(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        customer_id: str,
    ) -> Response[Any]:
        return await _customer_page(request, db, actor, settings, customer_id)

    @post("/{customer_id:str}", opt={"act": Act.MANAGE_CUSTOMERS})
    async def update(
        self, request: Request, db: Db, actor: CurrentActor, customer_id: str
    ) -> Redirect:
        form = await request.form()
        here = f"{LIST}/{customer_id}"
        try:
            await customers.update_customer(
                db,
                actor=actor,
                customer_id=customer_id,
                data=CustomerUpdate(
                    name=_text(form, "name") or None,
                    components=_chosen(form),
                    language=_text(form, "language") or None,
                ),
            )
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message)
        return back(here, notice="Saved.")

    @post("/{customer_id:str}/rotate", opt={"act": Act.MANAGE_CUSTOMERS})
    async def rotate(self, db: Db, actor: CurrentActor, customer_id: str) -> Redirect:
        await customers.rotate_token(db, actor=actor, customer_id=customer_id)
        return back(
            f"{LIST}/{customer_id}",
            notice="New link made. The old link no longer opens their page: send them this one.",
            anchor="link",
        )

    @post("/{customer_id:str}/contacts", opt={"act": Act.MANAGE_SUBSCRIBERS})
    async def add_contact(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        customer_id: str,
    ) -> Redirect:
        form = await request.form()
        here = f"{LIST}/{customer_id}"
        try:
            subscriber = await service.add_subscriber(
                db,
                actor=actor,
                data=SubscriberCreate(
                    kind="email", address=_text(form, "address"), customer=customer_id
                ),
                allow_private=settings.webhook_allow_private,
                channels=channels(request),
            )
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message, anchor="contacts")
        return back(here, notice=f"Added {subscriber.address}, confirmed.", anchor="contacts")

    @post(
        "/{customer_id:str}/contacts/import",
        opt={"act": Act.MANAGE_SUBSCRIBERS},
        status_code=200,
    )
    async def import_contacts(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        customer_id: str,
    ) -> Response[Any] | Redirect:
        form = await request.form()
        here = f"{LIST}/{customer_id}"
        text = str(form.get("csv") or "")
        if not text.strip():
            return back(here, error="paste the contacts, one a line", anchor="contacts")
        try:
            done = await contacts.import_contacts(
                db, actor=actor, csv_text=text, customer_id=customer_id
            )
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message, anchor="contacts")
        if done.errors:  # the lines to fix stay in the form, each refusal listed
            return await _customer_page(request, db, actor, settings, customer_id, imported=done)
        return back(here, notice=done.notice, anchor="contacts")
