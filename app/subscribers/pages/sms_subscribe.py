"""The subscribe page's SMS form: give a number, then type the code texted to it.

Both steps answer the same whether or not the number is subscribed already (see
`app.subscribers.sms_subscribing`). The form is offered only when the operator has set up
an SMS provider account.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, post

from app.components.service import list_components
from app.customers.models import Customer
from app.lib.errors import DomainError, InvalidInput
from app.settings import Settings
from app.subscribers import sms_subscribing
from app.subscribers.pages.helpers import (
    FORM_BODY_CAP,
    client_host,
    confirmation_mail,
    customer_for,
    render_page,
    sms_offered,
    subscriber_language,
)
from app.web.deps import AppSettings, Db


def _code_page(
    request: Request,
    settings: Settings,
    customer: Customer | None,
    *,
    phone: str,
    ticket: str,
    error: str | None = None,
    status_code: int = 200,
) -> Response[str]:
    return render_page(
        request,
        settings,
        "subscribe_sms.html",
        customer=customer,
        status_code=status_code,
        phone=phone,
        ticket=ticket,
        error=error,
        confirmed=False,
    )


async def sms_post(
    request: Request, db: Db, settings: AppSettings, token: str | None
) -> Response[str]:
    """A number given: its code is texted, and the page asks for it."""
    customer = await customer_for(db, token)
    form = await request.form()
    phone = str(form.get("phone") or "")
    components = [str(c) for c in form.getall("components")] if "components" in form else []
    try:
        if not sms_offered(settings):
            raise InvalidInput("SMS updates are not offered here", field="phone")
        ticket = await sms_subscribing.subscribe_sms(
            db,
            number=phone,
            customer_id=customer.id if customer else None,
            components=components,
            client=client_host(request),
            mail=confirmation_mail(request),
            secret=settings.secret_key,
            language=await subscriber_language(request, settings, customer),
        )
    except DomainError as exc:
        await db.rollback()
        return render_page(
            request,
            settings,
            "subscribe.html",
            customer=customer,
            status_code=exc.status_code,
            components=await list_components(db),
            done=False,
            error=exc.message,
            error_channel="sms",
            email=None,
            phone=phone,
            chosen=components,
        )
    return _code_page(request, settings, customer, phone=phone, ticket=ticket)


async def code_post(
    request: Request, db: Db, settings: AppSettings, token: str | None
) -> Response[str]:
    """The code typed: the number is confirmed, or the page asks again."""
    customer = await customer_for(db, token)
    form = await request.form()
    phone, ticket = str(form.get("phone") or ""), str(form.get("ticket") or "")
    try:
        confirmed = await sms_subscribing.confirm_code(
            db, secret=settings.secret_key, ticket=ticket, code=str(form.get("code") or "")
        )
    except DomainError as exc:
        # Nothing to roll back: a refused attempt still counts against the limit.
        return _code_page(
            request,
            settings,
            customer,
            phone=phone,
            ticket=ticket,
            error=exc.message,
            status_code=exc.status_code,
        )
    if confirmed is None:
        return _code_page(
            request,
            settings,
            customer,
            phone=phone,
            ticket=ticket,
            error="That code is not the one we sent; check it and try again.",
            status_code=422,
        )
    return render_page(
        request,
        settings,
        "subscribe_sms.html",
        customer=customer,
        phone=phone,
        ticket="",
        error=None,
        confirmed=True,
    )


class SmsSubscribePages(Controller):
    include_in_schema = False

    @post("/subscribe/sms", status_code=200, request_max_body_size=FORM_BODY_CAP)
    async def subscribe(self, request: Request, db: Db, settings: AppSettings) -> Response[str]:
        return await sms_post(request, db, settings, None)

    @post("/c/{token:str}/subscribe/sms", status_code=200, request_max_body_size=FORM_BODY_CAP)
    async def customer_subscribe(
        self, request: Request, db: Db, settings: AppSettings, token: str
    ) -> Response[str]:
        return await sms_post(request, db, settings, token)

    @post("/subscribe/sms/code", status_code=200, request_max_body_size=FORM_BODY_CAP)
    async def code(self, request: Request, db: Db, settings: AppSettings) -> Response[str]:
        return await code_post(request, db, settings, None)

    @post("/c/{token:str}/subscribe/sms/code", status_code=200, request_max_body_size=FORM_BODY_CAP)
    async def customer_code(
        self, request: Request, db: Db, settings: AppSettings, token: str
    ) -> Response[str]:
        return await code_post(request, db, settings, token)
