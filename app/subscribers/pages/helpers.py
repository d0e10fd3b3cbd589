"""What the public subscribe pages share: rendering a page, reading the subscribe form,
finding the customer of a `/c/{token}` address, and the outbox's services kept on the app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import MediaType, Request, Response

from app.components.service import list_components
from app.customers.models import Customer
from app.customers.service import components_by_customer, get_customer_by_token
from app.lib import translations
from app.lib.errors import NotFound
from app.lib.languages import known_language
from app.lib.translations import N_
from app.public.render import page_frame
from app.settings import Settings
from app.subscribers.kinds import Channels, url_kinds
from app.subscribers.subscribing import ConfirmationMail
from app.web.deps import AppSettings, Db
from app.web.page_language import keep_choice, reader_language

# The largest body a public subscribe or preferences form may send: an address, a URL and a
# box per component fit many times over; anything larger is refused (413) before it is read.
FORM_BODY_CAP = 64 * 1024


def client_host(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def channels(request: Request) -> Channels:
    """The delivery channels, one per subscriber kind (kept on the app by `create_app`)."""
    return request.app.state.channels  # type: ignore[no-any-return]


def confirmation_mail(request: Request) -> ConfirmationMail:
    """The outbox's confirmation email, with its limits (kept for the app's lifetime)."""
    return request.app.state.confirmation_mail  # type: ignore[no-any-return]


def sms_offered(settings: Settings) -> bool:
    """An SMS provider account is set up, so the subscribe pages may offer SMS."""
    return bool(settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from)


def render_page(
    request: Request,
    settings: AppSettings,
    template: str,
    *,
    customer: Customer | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response[str]:
    language = page_language_of(request, settings, customer)
    # Sentences the handlers pass whole (a heading, a confirmation, a refusal) are looked up
    # in the catalogue; one not in it (a sentence naming a value) shows as it is.
    for key in ("heading", "message", "error"):
        if isinstance(context.get(key), str):
            context[key] = translations.gettext(language, context[key])
    frame = page_frame(
        settings,
        prefix=f"/c/{customer.token}" if customer else "",
        customer_name=customer.name if customer else None,
        language=language,
        path=request.url.path,
    )
    html = request.app.state.renderer.render(
        template, **frame, sms_offered=sms_offered(settings), **context
    )
    response = Response(
        html,
        status_code=status_code,
        media_type=MediaType.HTML,
        headers={
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "Content-Language": language,
            "Vary": "Accept-Language, Cookie",
        },
    )
    return keep_choice(request, response)


def page_language_of(request: Request, settings: Settings, customer: Customer | None) -> str:
    """The language this subscribe or preferences page is shown in (and, on subscribing,
    the one the new subscriber is given unless they chose another on the form)."""
    return reader_language(
        request, settings, customer_language=customer.language if customer else None
    )


def page_gettext(
    request: Request, settings: Settings, customer: Customer | None
) -> Callable[[str], str]:
    """The page's translator, for sentences built around a value."""
    return translations.translations(page_language_of(request, settings, customer)).gettext


# What a reader may be told on the subscribe, confirmation and preferences pages, written
# where the rules refuse; listed here so that `make messages` offers them for translation.
REFUSALS = (
    N_("email: must be an email address like ops@example.com"),
    N_("phone: must be a phone number with its country code, like +14155550100"),
    N_("url must be an http(s) URL"),
    N_("too many subscriptions from here; try again later"),
    N_("a code was sent to this number a moment ago; check your messages"),
    N_("a confirmation was sent there a moment ago; check your inbox"),
    N_("a confirmation was sent there a moment ago; check your endpoint's log"),
    N_("too many wrong codes; ask for a new one in an hour"),
    N_("this subscription was cancelled; subscribe again"),
    N_("this link is not valid"),
    N_("this link has expired; subscribe again for a new one"),
    N_("SMS updates are not offered here"),
    N_("too many test messages from here; try again in a few minutes"),
    N_("too many test messages are being sent just now; try again in a few minutes"),
    N_("That code is not the one we sent; check it and try again."),
    N_("Check your inbox"),
    N_("Subscription confirmed"),
    N_("Confirm your subscription"),
    N_("Your subscription"),
    N_("You are unsubscribed."),
    N_("Saved."),
    N_("Unsubscribe"),
    N_("Unsubscribed"),
    N_("You will receive no more status updates at this address."),
)


async def subscriber_language(
    request: Request, settings: Settings, customer: Customer | None
) -> str:
    """The language a new subscriber asks for on the form, else the page's."""
    form = await request.form()
    return known_language(str(form.get("language") or "")) or page_language_of(
        request, settings, customer
    )


async def customer_for(db: Db, token: str | None) -> Customer | None:
    if token is None:
        return None
    customer = await get_customer_by_token(db, token)
    if customer is None:
        raise NotFound("there is no status page at this address")
    return customer


async def component_choices(db: Db, customer: Customer | None) -> dict[str, Any]:
    """The components a subscribe form offers, in page order; on a customer's page its own
    services first (`own_ids`), so a customer finds what it uses without scrolling."""
    components = await list_components(db)
    if customer is None:
        return {"components": components, "own_ids": set()}
    own = (await components_by_customer(db)).get(customer.id, set())
    ordered = [c for c in components if c.id in own] + [c for c in components if c.id not in own]
    return {"components": ordered, "own_ids": own}


async def form_fields(request: Request) -> tuple[str, str, str, list[str]]:
    """(channel, email, url, components) of a subscribe form."""
    form = await request.form()
    chosen = str(form.get("channel") or "")
    channel = chosen if chosen in url_kinds(channels(request)) else "email"
    components = [str(c) for c in form.getall("components")] if "components" in form else []
    return channel, str(form.get("email") or ""), str(form.get("url") or ""), components
