"""Admin pages for subscribers and customer contacts: list, add one (an email address, a
webhook, a Slack or a Teams channel), try a Slack or Teams URL with a test message, import
CSV, choose a subscriber's language, unsubscribe, release from quarantine.

The public subscribe and preferences pages are in `pages.py`; one subscriber's page, which
shows what was sent to it, is with the deliveries in `app.delivery.pages`.

Thin handlers over `app.subscribers.service`; the whole area needs a comms lead, as the
subscribers API does (addresses are personal data).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect

from app.accounts.http.admin import admin_page, back
from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.components.service import list_components
from app.customers.service import list_customers
from app.lib.errors import DomainError
from app.subscribers import chat, contacts, quarantine, service
from app.subscribers.kinds import labels, url_kinds
from app.subscribers.pages.helpers import channels
from app.subscribers.schemas import SubscriberCreate
from app.web.deps import AppSettings, Db

PUBLIC = "public"  # the filter value for subscribers linked to no customer
QUARANTINED = "quarantined"  # the filter value for those quarantined, whoever they are for
MAX_CSV = 2_000_000


def _text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()


def _list_url(customer: str) -> str:
    return f"/admin/subscribers?customer={customer}" if customer else "/admin/subscribers"


def _url_labels(request: Request) -> dict[str, str]:
    """The URL kinds' names, in the registry's order (the URL form's choices)."""
    every = channels(request)
    return {kind: label for kind, label in labels(every).items() if kind in url_kinds(every)}


async def _page(
    request: Request, db: Db, chosen: str, *, status_code: int = 200, **extra: Any
) -> Response[Any]:
    """The list (everyone, one customer's contacts or the public ones) and the add forms;
    `extra` fills in the URL form again after a test message or a refusal."""
    customers = await list_customers(db)
    names = {c.id: c.name for c in customers}
    rows = await service.list_subscribers(
        db,
        customer_id=chosen if chosen in names else None,
        public=chosen == PUBLIC,
        quarantined=chosen == QUARANTINED,
        limit=1000,
    )
    context: dict[str, Any] = {
        "url_form": {"kind": "slack", "url": "", "customer": "", "components": []},
        "tested": None,
        "url_error": "",
        "secret": None,
        "imported": None,
        **extra,
    }
    return admin_page(
        request,
        "admin/subscribers.html",
        status_code=status_code,
        rows=rows,
        customers=customers,
        names=names,
        chosen=chosen if chosen in names or chosen in (PUBLIC, QUARANTINED) else "",
        components=await list_components(db),
        kind_labels=_url_labels(request),
        **context,
    )


def _url_form(request: Request, form: Any) -> dict[str, Any]:
    kind = _text(form, "kind")
    kinds = url_kinds(channels(request))
    return {
        "kind": kind if kind in kinds else kinds[0],
        "url": _text(form, "url"),
        "customer": _text(form, "customer"),
        "components": [str(c) for c in form.getall("components", [])],
    }


class SubscriberPages(Controller):
    path = "/admin/subscribers"
    include_in_schema = False
    opt = {"act": Act.MANAGE_SUBSCRIBERS}

    @get("/")
    async def subscribers(self, request: Request, db: Db, actor: CurrentActor) -> Response[Any]:
        return await _page(request, db, request.query_params.get("customer", ""))

    @post("/")
    async def add_contact(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Redirect:
        form = await request.form()
        customer = _text(form, "customer")
        try:
            subscriber = await service.add_subscriber(
                db,
                actor=actor,
                data=SubscriberCreate(
                    kind="email",
                    address=_text(form, "address"),
                    customer=customer or None,
                    components=[str(c) for c in form.getall("components", [])] or None,
                ),
                allow_private=settings.webhook_allow_private,
                channels=channels(request),
            )
        except DomainError as exc:
            await db.rollback()
            return back(_list_url(customer), error=exc.message)
        return back(_list_url(customer), notice=f"Added {subscriber.address}, confirmed.")

    @post("/channel", status_code=200)
    async def add_channel(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Response[Any]:
        """Add a webhook, Slack or Teams subscriber: active at once, as the team's contacts
        are. A webhook's signing secret is shown on the page that answers, once."""
        form = await request.form()
        fields = _url_form(request, form)
        customer = fields["customer"]
        try:
            subscriber = await service.add_subscriber(
                db,
                actor=actor,
                data=SubscriberCreate(
                    kind=fields["kind"],
                    url=fields["url"],
                    customer=customer or None,
                    components=fields["components"] or None,
                ),
                allow_private=settings.webhook_allow_private,
                channels=channels(request),
            )
        except DomainError as exc:
            await db.rollback()
            return await _page(
                request,
                db,
                customer,
                status_code=exc.status_code,
                url_form=fields,
                url_error=exc.message,
            )
        label = labels(channels(request))[subscriber.kind]
        notice = f"Added the {label} {subscriber.url}, active."
        if subscriber.secret is None:  # a signing secret is shown once, on this page
            return back(_list_url(customer), notice=notice)
        # Rendered, not redirected: the secret must not travel in a URL.
        return await _page(request, db, customer, notice=notice, secret=subscriber.secret)

    @post("/test", status_code=200)
    async def test_channel(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Response[Any]:
        """Post a test message to a Slack or Teams URL before it is saved; show the answer."""
        form = await request.form()
        fields = _url_form(request, form)
        try:
            outcome = await chat.try_chat_url(
                db,
                fields["kind"],
                fields["url"],
                client=f"desk:{actor.name}",
                tester=request.app.state.chat_tester,
                allow_private=settings.webhook_allow_private,
            )
        except DomainError as exc:
            return await _page(
                request,
                db,
                fields["customer"],
                status_code=exc.status_code,
                url_form=fields,
                url_error=exc.message,
            )
        return await _page(request, db, fields["customer"], url_form=fields, tested=outcome)

    @post("/import", status_code=200)
    async def import_contacts(
        self, request: Request, db: Db, actor: CurrentActor
    ) -> Response[Any] | Redirect:
        form = await request.form()
        customer = _text(form, "customer")
        text = str(form.get("csv") or "")
        upload = form.get("file")
        if isinstance(upload, UploadFile):
            raw = await upload.read(MAX_CSV)
            await upload.close()
            if raw:
                text = raw.decode("utf-8-sig", errors="replace")
        here = _list_url(customer)
        if not text.strip():
            return back(here, error="give the contacts as CSV: paste them or choose a file")
        try:
            done = await contacts.import_contacts(
                db, actor=actor, csv_text=text, customer_id=customer or None
            )
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message)
        if done.errors:  # the lines to fix stay in the form, each refusal listed
            return await _page(request, db, customer, imported=done)
        return back(here, notice=done.notice)

    @post("/{subscriber_id:str}/language")
    async def choose_language(
        self, request: Request, db: Db, actor: CurrentActor, subscriber_id: str
    ) -> Redirect:
        subscriber = await service.get_subscriber(db, subscriber_id)
        chosen = _text(await request.form(), "language") or None
        here = f"/admin/subscribers/{subscriber_id}"
        try:
            await service.choose_language(db, subscriber=subscriber, language=chosen, actor=actor)
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message)
        return back(here, notice="Language saved: its next messages are written in it.")

    @post("/{subscriber_id:str}/unsubscribe")
    async def unsubscribe(self, db: Db, actor: CurrentActor, subscriber_id: str) -> Redirect:
        subscriber = await service.get_subscriber(db, subscriber_id)
        await service.unsubscribe(db, subscriber=subscriber, actor=actor)
        return back(
            f"/admin/subscribers/{subscriber_id}", notice="Unsubscribed: nothing more is sent."
        )

    @post("/{subscriber_id:str}/release")
    async def release(self, db: Db, actor: CurrentActor, subscriber_id: str) -> Redirect:
        subscriber = await service.get_subscriber(db, subscriber_id)
        await quarantine.release(db, subscriber=subscriber, actor=actor)
        return back(
            f"/admin/subscribers/{subscriber_id}", notice="Released: updates are sent again."
        )
