"""What other sites embed: status badges (SVG) and `/embed.js`, a banner script.

Badges show the public view only and come from the page cache like every page; the script
is a static file that reads `summary.json` from this page's origin (CORS is open there).
"""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Controller, Request, Response, get
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience as aud
from app.components.status import ComponentStatus
from app.lib import translations
from app.lib.errors import NotFound
from app.lib.paths import STATIC
from app.lib.translations import N_
from app.public.cache import Rendered
from app.public.front_page import status_page
from app.public.http import serve
from app.public.snapshot import Snapshot
from app.public.views import component_statuses, visible_incidents
from app.settings import Settings
from app.web.deps import AppSettings
from app.web.page_language import reader_language

SVG = "image/svg+xml; charset=utf-8"
JS = "text/javascript; charset=utf-8"

# The page indicator as a word and a colour (WCAG AA contrast with white text).
_OVERALL = {
    "none": (N_("operational"), "#1f7a44"),
    "minor": (N_("degraded"), "#8a5a00"),
    "major": (N_("partial outage"), "#b3470b"),
    "critical": (N_("major outage"), "#b3261e"),
    "maintenance": (N_("maintenance"), "#1d5fbf"),
}
_STATUS = N_("status")
_COMPONENT_COLOUR = {
    ComponentStatus.OPERATIONAL: "#1f7a44",
    ComponentStatus.DEGRADED_PERFORMANCE: "#8a5a00",
    ComponentStatus.PARTIAL_OUTAGE: "#b3470b",
    ComponentStatus.MAJOR_OUTAGE: "#b3261e",
    ComponentStatus.UNDER_MAINTENANCE: "#1d5fbf",
}


def _text_width(text: str) -> int:
    # About 6.5 px per character of 11 px Verdana/DejaVu Sans, plus padding.
    return int(len(text) * 6.5) + 12


def badge_svg(label: str, message: str, colour: str) -> str:
    """A flat two-part badge, readable by screen readers (role img + title)."""
    left, right = _text_width(label), _text_width(message)
    total = left + right
    label_e, message_e = escape(label), escape(message)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{label_e}: {message_e}">'
        f"<title>{label_e}: {message_e}</title>"
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        '<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" '
        'text-anchor="middle">'
        f'<text x="{left / 2}" y="14">{label_e}</text>'
        f'<text x="{left + right / 2}" y="14">{message_e}</text>'
        "</g></svg>"
    )


def render_overall_badge(snapshot: Snapshot, settings: Settings, language: str = "en") -> Rendered:
    page = status_page(snapshot, aud.PUBLIC, zone=settings.zone)
    word, colour = _OVERALL.get(page.indicator, _OVERALL["minor"])
    _ = translations.translations(language).gettext
    return Rendered.of(badge_svg(_(_STATUS), _(word), colour), SVG, language=language)


def render_component_badge(snapshot: Snapshot, component_id: str, language: str = "en") -> Rendered:
    component = next((c for c in snapshot.components if c.id == component_id), None)
    if component is None:
        raise NotFound("there is no component with this id on this page")
    status = component_statuses(snapshot, visible_incidents(snapshot, aud.PUBLIC))[component.id]
    word = translations.gettext(language, status.label)
    # English badges say it in lower case ("partial outage"); a German noun keeps its capital.
    word = word.lower() if language == "en" else word
    return Rendered.of(
        badge_svg(component.name, word, _COMPONENT_COLOUR[status]), SVG, language=language
    )


def render_embed_script() -> Rendered:
    return Rendered.of((STATIC / "embed.js").read_text(), JS)


class Embeds(Controller):
    path = "/"
    include_in_schema = False

    @get("/badge.svg")
    async def overall_badge(self, request: Request, settings: AppSettings) -> Response[Any]:
        language = reader_language(request, settings)

        async def build(snapshot: Snapshot, _session: AsyncSession) -> Rendered:
            return render_overall_badge(snapshot, settings, language)

        return await serve(request, (None, "badge.svg"), build, language=language)

    @get("/components/{component_id:str}/badge.svg")
    async def component_badge(
        self, request: Request, settings: AppSettings, component_id: str
    ) -> Response[Any]:
        language = reader_language(request, settings)

        async def build(snapshot: Snapshot, _session: AsyncSession) -> Rendered:
            return render_component_badge(snapshot, component_id, language)

        return await serve(request, (None, "badge", component_id), build, language=language)

    @get("/embed.js")
    async def embed_script(self, request: Request) -> Response[Any]:
        async def build(_snapshot: Snapshot, _session: AsyncSession) -> Rendered:
            return render_embed_script()

        return await serve(request, (None, "embed.js"), build)
