"""The self-service pages: subscribe (double opt-in), confirm, preferences, unsubscribe.

The Slack/Teams test-message button is `app.subscribers.pages.channel`; the helpers these
pages share are `app.subscribers.pages.helpers`.

No login anywhere: the links in emails carry signed tokens. The one-click unsubscribe
POST (RFC 8058) needs no cookie or CSRF token, takes form-urlencoded or multipart bodies
and answers 200 without a redirect; a GET only shows a confirmation page.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post

from app.components.service import list_components
from app.customers.models import Customer
from app.lib.errors import DomainError
from app.public import render
from app.public.snapshot import load_snapshot
from app.subscribers import follow, public_webhooks, service, subscribing, tokens
from app.subscribers.kinds import labels, url_kinds
from app.subscribers.models import Subscriber
from app.subscribers.pages.helpers import (
    FORM_BODY_CAP,
    channels,
    client_host,
    component_choices,
    confirmation_mail,
    customer_for,
    form_fields,
    page_gettext,
    page_language_of,
    render_page,
    subscriber_language,
)
from app.web.deps import AppSettings, Db


async def subscribe_form(
    request: Request, db: Db, settings: AppSettings, token: str | None
) -> Response[str]:
    customer = await customer_for(db, token)
    return render_page(
        request,
        settings,
        "subscribe.html",
        customer=customer,
        **await component_choices(db, customer),
        done=False,
        error=None,
        email=None,
    )


async def subscribe_post(
    request: Request, db: Db, settings: AppSettings, token: str | None
) -> Response[str]:
    customer = await customer_for(db, token)
    channel, email, url, components = await form_fields(request)
    language = await subscriber_language(request, settings, customer)
    client = client_host(request)
    secret = None
    try:
        if channel in url_kinds(channels(request)):
            _sub, secret = await public_webhooks.subscribe_webhook(
                db,
                url=url,
                customer_id=customer.id if customer else None,
                components=components,
                client=client,
                mail=confirmation_mail(request),
                allow_private=settings.webhook_allow_private,
                kind=channel,
                channels=channels(request),
                language=language,
            )
        else:
            await subscribing.subscribe(
                db,
                address=email,
                customer_id=customer.id if customer else None,
                components=components,
                client=client,
                mail=confirmation_mail(request),
                language=language,
            )
    except DomainError as exc:
        await db.rollback()
        return render_page(
            request,
            settings,
            "subscribe.html",
            customer=customer,
            status_code=exc.status_code,
            **await component_choices(db, customer),
            done=False,
            error=exc.message,
            error_channel="email" if channel == "email" else "url",
            email=email,
            url=url,
            channel=channel,
            chosen=components,
        )
    return render_page(
        request,
        settings,
        "subscribe.html",
        customer=customer,
        done=channel,
        email=email,
        url=url,
        secret=secret,
        kind_name=labels(channels(request)).get(channel, ""),
        what=await subscribing.what_is_chosen(
            db,
            customer_name=customer.name if customer else None,
            components=components,
            language=page_language_of(request, settings, customer),
        ),
        components=[],
        error=None,
    )


async def follow_post(
    request: Request, db: Db, settings: AppSettings, token: str | None, incident_id: str
) -> Response[str]:
    """Follow one incident by email; only one the reader may see, and only while it runs."""
    # Read for this request in its own session: the page cache's snapshot must not be
    # bound to a session that commits (its objects would expire under other readers).
    snapshot = await load_snapshot(db, version=0)
    reader = render.reader_for(snapshot, token)
    view = await render.incident_view(snapshot, db, reader, incident_id)
    context = render.incident_context(snapshot, reader, settings, view, settings.language)
    form = await request.form()
    email = str(form.get("email") or "")
    # Read before a rollback expires the objects.
    title, back, customer = view.incident.title, f"{reader.prefix}/incidents/{view.id}", None
    if reader.customer is not None:  # a detached copy, for the page's name and links
        c = reader.customer
        customer = Customer(id=c.id, name=c.name, token=c.token, language=c.language)
    _ = page_gettext(request, settings, customer)
    try:
        await follow.follow_incident(
            db,
            address=email,
            incident_id=view.id,
            still_open=context["followable"],
            customer_id=reader.customer.id if reader.customer else None,
            client=request.client.host if request.client else "unknown",
            mail=confirmation_mail(request),
        )
    except DomainError as exc:
        await db.rollback()
        return render_page(
            request,
            settings,
            "subscription.html",
            customer=customer,
            status_code=exc.status_code,
            heading=_("Get updates on “%(title)s”") % {"title": title},
            message=exc.message,
            action="done",
            subscriber=None,
            token="",
            back=back,
        )
    return render_page(
        request,
        settings,
        "subscription.html",
        customer=customer,
        heading="Check your inbox",
        message=_(
            "If you do not follow it yet, a confirmation link is on its way to %(email)s. "
            "Once you follow it, each update on “%(title)s” comes to you by email until it "
            "is resolved."
        )
        % {"email": email, "title": title},
        action="done",
        subscriber=None,
        token="",
        back=back,
    )


async def confirm_page(
    request: Request, db: Db, settings: AppSettings, token: str | None, link: str, do: bool
) -> Response[str]:
    customer = await customer_for(db, token)
    if do:
        subscriber = await subscribing.confirm(db, secret=settings.secret_key, token=link)
        language = page_language_of(request, settings, customer)
        what = await subscribing.what_is_subscribed(db, subscriber, language=language)
        _ = page_gettext(request, settings, customer)
        where = subscriber.address or subscriber.url or _("this address")
        return render_page(
            request,
            settings,
            "subscription.html",
            customer=customer,
            heading="Subscription confirmed",
            message=_("From now on, %(where)s receives %(what)s.") % {"where": where, "what": what},
            action="done",
            subscriber=None,
            token=link,
        )
    subscriber_id = tokens.verify(settings.secret_key, tokens.CONFIRM, link)
    subscriber = await service.get_subscriber(db, subscriber_id)
    return render_page(
        request,
        settings,
        "subscription.html",
        customer=customer,
        heading="Confirm your subscription",
        message=None,
        what=await subscribing.what_is_subscribed(
            db, subscriber, language=page_language_of(request, settings, customer)
        ),
        action="confirm",
        subscriber=subscriber,
        token=link,
    )


async def _manage_context(db: Db, subscriber: Subscriber) -> dict[str, Any]:
    return {
        "components": await list_components(db),
        "chosen": await service.component_ids(db, subscriber.id),
    }


class SubscribePages(Controller):
    include_in_schema = False

    @get("/subscribe")
    async def form(self, request: Request, db: Db, settings: AppSettings) -> Response[str]:
        return await subscribe_form(request, db, settings, None)

    @post("/subscribe", status_code=200, request_max_body_size=FORM_BODY_CAP)
    async def subscribe(self, request: Request, db: Db, settings: AppSettings) -> Response[str]:
        return await subscribe_post(request, db, settings, None)

    @get("/c/{token:str}/subscribe")
    async def customer_form(
        self, request: Request, db: Db, settings: AppSettings, token: str
    ) -> Response[str]:
        return await subscribe_form(request, db, settings, token)

    @post("/c/{token:str}/subscribe", status_code=200, request_max_body_size=FORM_BODY_CAP)
    async def customer_subscribe(
        self, request: Request, db: Db, settings: AppSettings, token: str
    ) -> Response[str]:
        return await subscribe_post(request, db, settings, token)

    @post("/incidents/{incident_id:str}/follow", status_code=200)
    async def follow(
        self, request: Request, db: Db, settings: AppSettings, incident_id: str
    ) -> Response[str]:
        return await follow_post(request, db, settings, None, incident_id)

    @post("/c/{token:str}/incidents/{incident_id:str}/follow", status_code=200)
    async def customer_follow(
        self, request: Request, db: Db, settings: AppSettings, token: str, incident_id: str
    ) -> Response[str]:
        return await follow_post(request, db, settings, token, incident_id)

    @get("/subscribe/confirm/{link:str}")
    async def confirm_form(
        self, request: Request, db: Db, settings: AppSettings, link: str
    ) -> Response[str]:
        return await confirm_page(request, db, settings, None, link, do=False)

    @post("/subscribe/confirm/{link:str}", status_code=200)
    async def confirm(
        self, request: Request, db: Db, settings: AppSettings, link: str
    ) -> Response[str]:
        return await confirm_page(request, db, settings, None, link, do=True)

    @get("/c/{token:str}/subscribe/confirm/{link:str}")
    async def customer_confirm_form(
        self, request: Request, db: Db, settings: AppSettings, token: str, link: str
    ) -> Response[str]:
        return await confirm_page(request, db, settings, token, link, do=False)

    @post("/c/{token:str}/subscribe/confirm/{link:str}", status_code=200)
    async def customer_confirm(
        self, request: Request, db: Db, settings: AppSettings, token: str, link: str
    ) -> Response[str]:
        return await confirm_page(request, db, settings, token, link, do=True)

    @get("/subscription/{link:str}")
    async def preferences(
        self, request: Request, db: Db, settings: AppSettings, link: str
    ) -> Response[str]:
        subscriber = await subscribing.from_manage_token(db, secret=settings.secret_key, token=link)
        gone = subscriber.unsubscribed_at is not None
        return render_page(
            request,
            settings,
            "subscription.html",
            heading="Your subscription",
            message="You are unsubscribed." if gone else None,
            action="done" if gone else "manage",
            subscriber=subscriber,
            token=link,
            **await _manage_context(db, subscriber),
        )

    @post("/subscription/{link:str}", status_code=200, request_max_body_size=FORM_BODY_CAP)
    async def save_preferences(
        self, request: Request, db: Db, settings: AppSettings, link: str
    ) -> Response[str]:
        subscriber = await subscribing.from_manage_token(db, secret=settings.secret_key, token=link)
        form = await request.form()
        chosen = [str(c) for c in form.getall("components")] if "components" in form else []
        await service.choose_own_components(db, subscriber=subscriber, components=chosen)
        if "language" in form:
            await subscribing.choose_own_language(
                db, subscriber=subscriber, language=str(form.get("language") or "") or None
            )
        return render_page(
            request,
            settings,
            "subscription.html",
            heading="Your subscription",
            message="Saved.",
            action="manage",
            subscriber=subscriber,
            token=link,
            **await _manage_context(db, subscriber),
        )

    @get("/unsubscribe/{link:str}")
    async def unsubscribe_form(
        self, request: Request, db: Db, settings: AppSettings, link: str
    ) -> Response[str]:
        # Link scanners fetch GETs: this only asks, it never unsubscribes.
        subscriber = await subscribing.from_manage_token(db, secret=settings.secret_key, token=link)
        return render_page(
            request,
            settings,
            "subscription.html",
            heading="Unsubscribe",
            message=None,
            action="unsubscribe",
            subscriber=subscriber,
            token=link,
        )

    @post("/unsubscribe/{link:str}", status_code=200)
    async def unsubscribe(
        self, request: Request, db: Db, settings: AppSettings, link: str
    ) -> Response[str]:
        subscriber = await subscribing.from_manage_token(db, secret=settings.secret_key, token=link)
        await service.unsubscribe_by_link(db, subscriber=subscriber)
        return render_page(
            request,
            settings,
            "subscription.html",
            heading="Unsubscribed",
            message="You will receive no more status updates at this address.",
            action="done",
            subscriber=subscriber,
            token=link,
        )
