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
from app.accounts.pages import SignInPages
from app.comms.api import DraftController, ExampleController, TemplateController
from app.comms.pages import DeskPages
from app.components.api import ComponentController, GroupController
from app.customers.api import CustomerController
from app.db.session import make_engine, make_sessionmaker
from app.delivery.api import DeliveryController
from app.delivery.pages import DeliveryPages
from app.incidents.api import IncidentController, MaintenanceController
from app.intake.api import IntakeController, TriageController
from app.intake.manage_api import manage_router
from app.intake.pages import TriagePages
from app.public.cache import PageCache, polling
from app.public.embeds import Embeds
from app.public.feeds import CustomerFeeds, PublicFeeds
from app.public.pages import CustomerPages, PublicPages, livez, readyz
from app.public.status_api import CustomerStatusApi, PublicStatusApi, cors_preflight
from app.settings import Settings
from app.subscribers.api import SubscriberController
from app.subscribers.desk_pages import SubscriberPages
from app.subscribers.pages import SubscribePages
from app.web.auth import provide_actor
from app.web.deps import provide_db, provide_settings
from app.web.errors import EXCEPTION_HANDLERS
from app.web.inputs import screen_bodies
from app.web.paths import STATIC
from app.web.session import SessionMiddleware
from app.web.templating import Renderer


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    sessionmaker = make_sessionmaker(engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        cache = PageCache(sessionmaker, poll_seconds=settings.state_poll_seconds)
        app.state.page_cache = cache
        try:
            async with polling(cache), contextlib.AsyncExitStack() as stack:
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
        livez,
        readyz,
        PublicStatusApi,
        CustomerStatusApi,
        Embeds,
        PublicFeeds,
        CustomerFeeds,
        SubscribePages,
        create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False),
        create_static_files_router(
            path="/theme", directories=[renderer.theme_dir], include_in_schema=False, name="theme"
        ),
        # The team's JSON API.
        ComponentController,
        GroupController,
        CustomerController,
        IncidentController,
        MaintenanceController,
        ApiKeyController,
        # Inbound: alerts that open triage incidents, and their triage.
        IntakeController,
        TriageController,
        SubscriberController,
        DeliveryController,
        # Statuspage's Manage API v1, for tools that push incidents into Statuspage.
        manage_router,
        # The comms desk: templates, examples, drafts and their review, audit.
        TemplateController,
        DraftController,
        ExampleController,
        # The admin pages (signed-in people).
        SignInPages,
        DeskPages,
        DeliveryPages,
        SubscriberPages,
        TriagePages,
    ]

    return Litestar(
        route_handlers=route_handlers,
        dependencies={
            "db": Provide(provide_db),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "actor": Provide(provide_actor),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            screen_bodies,
            cors_preflight,
            DefineMiddleware(SessionMiddleware, settings=settings),
        ],
        lifespan=[lifespan],
        state=State(
            {
                "settings": settings,
                "engine": engine,
                "sessionmaker": sessionmaker,
                "renderer": renderer,
            }
        ),
        openapi_config=OpenAPIConfig(title="Tidings", version="1", path="/schema"),
        debug=False,
    )
