"""create_app: the one place where Tidings is wired together, top to bottom."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router

from app import worker
from app.accounts.api import ApiKeyController
from app.accounts.http.auth import needs_act, provide_actor
from app.accounts.http.session import SessionMiddleware, refuse_forged_forms
from app.accounts.pages import SettingsPages, SignInPages
from app.comms.api.drafts import DraftController
from app.comms.api.maintenance import MaintenancePlanController
from app.comms.api.publishing import (
    ComponentApi,
    IncidentApi,
    MaintenanceApi,
    provide_affected_customers,
)
from app.comms.api.templates import ExampleController, TemplateController, ToneController
from app.comms.pages.declaring import DeclarePages
from app.comms.pages.desk import DeskPages
from app.comms.pages.drafts import DraftPages
from app.comms.pages.maintenance import MaintenancePages
from app.comms.pages.templates import WordingPages
from app.components.api import GroupController
from app.customers.api import CustomerController
from app.db.session import make_engine, make_sessionmaker
from app.delivery.api import DeliveryController, SubscriberDeliveryController
from app.delivery.channels import CHANNELS
from app.delivery.chat_check import ChatTestSender
from app.delivery.confirmations import ConfirmationOutbox
from app.delivery.pages import DeliveryPages, SubscriberHistoryPages
from app.insights.api import InsightsController
from app.insights.pages import InsightsPages, provide_incident_figures
from app.intake.api import IntakeController, TriageController
from app.intake.pages import TriagePages, provide_triage_size, provide_waiting_triage
from app.lib.paths import STATIC
from app.lib.templating import Renderer
from app.public.cache import PageCache, polling
from app.public.copy_keeper import keeping_copy
from app.public.http import cached_first
from app.public.pages.embeds import Embeds
from app.public.pages.feeds import CustomerFeeds, PublicFeeds
from app.public.pages.status_page import CustomerPages, PublicPages, favicon, livez, readyz
from app.settings import Settings, check_theme
from app.site.service import ensure_page_id
from app.statuspage.api.management import manage_router
from app.statuspage.api.status_v2 import cors_preflight, customer_status_api, public_status_api
from app.statuspage.importer.api import ImportController
from app.statuspage.importer.pages import ImportPages
from app.subscribers.api import SubscriberController
from app.subscribers.bounces.api import BounceHooks
from app.subscribers.bounces.sns import Certificates
from app.subscribers.pages.channel import ChannelTestPages
from app.subscribers.pages.customer import CustomerDeskPages
from app.subscribers.pages.desk import SubscriberPages
from app.subscribers.pages.sms import SmsReplyHooks
from app.subscribers.pages.sms_subscribe import SmsSubscribePages
from app.subscribers.pages.subscribe import SubscribePages
from app.web.deps import provide_db, provide_settings
from app.web.errors import EXCEPTION_HANDLERS
from app.web.head import answer_head
from app.web.inputs import screen_bodies


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    check_theme(settings.theme)  # also for settings built in code, not only from the env
    engine = make_engine(settings.database_url)
    sessionmaker = make_sessionmaker(engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        cache = PageCache(sessionmaker, poll_seconds=settings.state_poll_seconds, engine=engine)
        app.state.page_cache = cache
        try:
            # The stored page id, read (or created) before anything renders or sends with it.
            async with sessionmaker() as session:
                await ensure_page_id(session, settings)
                await session.commit()
            async with polling(cache), contextlib.AsyncExitStack() as stack:
                app.state.static_copy = await stack.enter_async_context(
                    keeping_copy(app, cache, settings, sessionmaker)
                )
                if settings.run_worker:
                    await stack.enter_async_context(worker.running(settings, sessionmaker))
                yield
        finally:
            await engine.dispose()

    renderer = Renderer(theme=settings.theme, zone=settings.zone, globals_={})

    route_handlers = [
        # What outsiders read.
        PublicPages,
        CustomerPages,
        favicon,
        livez,
        readyz,
        Embeds,
        PublicFeeds,
        CustomerFeeds,
        SubscribePages,
        ChannelTestPages,
        create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False),
        create_static_files_router(
            path="/theme", directories=[renderer.theme_dir], include_in_schema=False, name="theme"
        ),
        # Statuspage's APIs: the status JSON v2 (public, and per customer) for widgets and
        # monitors, and the Manage API v1 for tools that push incidents into Statuspage.
        public_status_api,
        customer_status_api,
        manage_router,
        # The team's JSON API.
        ComponentApi,
        GroupController,
        CustomerController,
        IncidentApi,
        MaintenanceApi,
        ApiKeyController,
        SubscriberController,
        SubscriberDeliveryController,
        DeliveryController,
        # Inbound: alerts that open triage incidents, and their triage; mail providers'
        # bounces and complaints.
        IntakeController,
        TriageController,
        BounceHooks,
        # Moving in: import a Statuspage page's history.
        ImportController,
        # The comms desk: templates, examples, drafts and their review, audit.
        TemplateController,
        ToneController,
        DraftController,
        MaintenancePlanController,
        ExampleController,
        InsightsController,
        # The admin pages (signed-in people).
        SignInPages,
        SettingsPages,
        DeskPages,
        DraftPages,
        DeclarePages,
        MaintenancePages,
        WordingPages,
        DeliveryPages,
        SubscriberPages,
        SmsReplyHooks,
        SmsSubscribePages,
        CustomerDeskPages,
        SubscriberHistoryPages,
        TriagePages,
        ImportPages,
        InsightsPages,
    ]

    app = Litestar(
        route_handlers=route_handlers,
        dependencies={
            "db": Provide(provide_db),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "actor": Provide(provide_actor),
            # The desk shows what waits for triage; intake answers, so comms need not import it.
            "triage_size": Provide(provide_triage_size),
            "triage": Provide(provide_waiting_triage),
            # An incident's desk page shows its insights figures, computed as the API does.
            "figures": Provide(provide_incident_figures, sync_to_thread=False),
            # The incidents API names who each incident affects: the audience rule answers
            # (asked from comms), as it reads the incidents package's models.
            "affected": Provide(provide_affected_customers, sync_to_thread=False),
        },
        # Every route passes both: an unsafe desk request needs its CSRF token (exemptions
        # in accounts.http.session.CSRF_EXEMPT), and the act a route states in its `opt` is
        # checked against the permissions table (none: the route is public).
        guards=[refuse_forged_forms, needs_act],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            screen_bodies,
            cors_preflight,
            DefineMiddleware(SessionMiddleware, settings=settings, sessionmaker=sessionmaker),
        ],
        lifespan=[lifespan],
        state=State(
            {
                "settings": settings,
                "engine": engine,
                "sessionmaker": sessionmaker,
                "renderer": renderer,
                "confirmation_mail": ConfirmationOutbox(),
                # The subscriber kinds there are: the subscribers package is handed them.
                "channels": CHANNELS,
                "chat_tester": ChatTestSender(settings),
                # SNS's signing certificates, fetched once each (bounce webhooks).
                "sns_certificates": Certificates(),
            }
        ),
        openapi_config=OpenAPIConfig(title="Tidings", version="1", path="/schema"),
        debug=False,
    )
    # Outermost, because Litestar refuses an unknown method while routing (see app.web.head).
    app.asgi_handler = answer_head(app.asgi_handler)
    # Fresh cached pages are answered before routing (the same answer, without the work).
    app.asgi_handler = cached_first(app.asgi_handler, lambda: app.state)
    return app


def create_served_app() -> object:
    """The app as `tidings serve` runs it in each server process: settings from the
    environment, and, with `trust_proxy`, the client address taken from `X-Forwarded-For`
    when the request comes from a proxy on this host (sign-in and subscribe limits count
    per client)."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    settings = Settings.from_env()
    app = create_app(settings)
    if not settings.trust_proxy:
        return app
    return ProxyHeadersMiddleware(app, trusted_hosts="127.0.0.1")
