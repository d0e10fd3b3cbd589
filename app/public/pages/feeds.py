"""Feeds outsiders subscribe to: RSS 2.0 and Atom of incidents, iCalendar of maintenance.

The same audience rule as the pages (`visible_incidents`), cut from the same snapshot, and
served through the same cache with ETag and Last-Modified. The Atom and RSS shape follows
what status-page tools parse: one entry per incident, its updates
newest first, each `<strong>`-labelled with its status.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event
from litestar import Controller, Request, Response, get
from sqlalchemy.ext.asyncio import AsyncSession

from app.incidents.status import IncidentKind
from app.lib import translations
from app.lib.clock import as_utc, in_zone
from app.lib.errors import NotFound
from app.lib.text import markdown_to_safe_html, plain_excerpt
from app.lib.translations import N_
from app.public.cache import Rendered
from app.public.http import serve
from app.public.render import Reader, customer_language, reader_for
from app.public.snapshot import Snapshot
from app.public.views import IncidentView, update_status_words, visible_incidents
from app.settings import Settings
from app.web.deps import AppSettings
from app.web.page_language import reader_language

MAX_ENTRIES = 50
ATOM = "application/atom+xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ICS = "text/calendar; charset=utf-8"


def _published(view: IncidentView) -> datetime:
    return as_utc(view.updates[-1].published_at or view.updates[-1].created_at)


def _updated(view: IncidentView) -> datetime:
    return as_utc(view.latest.published_at or view.latest.created_at)


def feed_views(
    snapshot: Snapshot, reader: Reader, component_id: str | None = None
) -> list[IncidentView]:
    """The incidents this reader may see (optionally of one component), newest first."""
    views = visible_incidents(snapshot, reader.audience)
    if component_id is not None:
        if component_id not in {c.id for c in snapshot.components}:
            raise NotFound("there is no such component on this page")
        views = [v for v in views if any(c.id == component_id for c, _s in v.components)]
    views.sort(key=_updated, reverse=True)
    return views[:MAX_ENTRIES]


def _body_html(source: str) -> str:
    html = markdown_to_safe_html(source).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def entry_html(view: IncidentView, settings: Settings, language: str = "en") -> str:
    parts = []
    for update in view.updates:
        at = in_zone(update.published_at or update.created_at, settings.zone)
        label = translations.gettext(language, update_status_words(update.status))
        parts.append(
            f"<p><small>{at:%b} <var data-var='date'>{at.day}</var>, "
            f"<var data-var='time'>{at:%H:%M}</var> {escape(at.tzname() or 'UTC')}</small><br>"
            f"<strong>{escape(label)}</strong> - {_body_html(update.body)}</p>"
        )
    return "\n".join(parts)


def build_feed(
    snapshot: Snapshot,
    reader: Reader,
    settings: Settings,
    *,
    kind: str,
    path: str,
    component_id: str | None = None,
    language: str = "en",
) -> Rendered:
    _ = translations.translations(language).gettext
    views = feed_views(snapshot, reader, component_id)
    host = urlsplit(settings.base_url).hostname or "localhost"
    page_url = f"{settings.base_url}{reader.prefix}/"
    name = _page_name(settings, reader, language)
    if component_id is not None:
        component = next(c for c in snapshot.components if c.id == component_id)
        name = f"{name} - {component.name}"
    feed = FeedGenerator()
    feed.id(
        f"tag:{host},2005:{reader.prefix}/history" + (f"/{component_id}" if component_id else "")
    )
    feed.title(_("%(name)s - Incident History") % {"name": name})
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(
        href=f"{settings.base_url}{reader.prefix}{path}",
        rel="self",
        type="application/atom+xml" if kind == "atom" else "application/rss+xml",
    )
    feed.description(_("Incidents and maintenance on %(name)s") % {"name": name})
    feed.language(language)
    updated = max((_updated(v) for v in views), default=None)
    feed.updated(updated or as_utc(snapshot.taken_at))
    for view in views:
        url = f"{settings.base_url}{reader.prefix}/incidents/{view.id}"
        entry = feed.add_entry(order="append")
        entry.id(f"tag:{host},2005:Incident/{view.id}")
        entry.guid(f"tag:{host},2005:Incident/{view.id}", permalink=False)
        entry.title(view.incident.title)
        entry.link(href=url, rel="alternate", type="text/html")
        entry.published(_published(view))
        entry.updated(_updated(view))
        html = entry_html(view, settings, language)
        entry.content(html, type="html")
        entry.description(html)
    if kind == "atom":
        return Rendered.of(
            feed.atom_str(pretty=True), ATOM, last_modified=updated, language=language
        )
    return Rendered.of(feed.rss_str(pretty=True), RSS, last_modified=updated, language=language)


def _page_name(settings: Settings, reader: Reader, language: str) -> str:
    if reader.customer_name is None:
        return settings.page_name
    return translations.gettext(language, N_("%(page)s for %(customer)s")) % {
        "page": settings.page_name,
        "customer": reader.customer_name,
    }


def build_calendar(
    snapshot: Snapshot, reader: Reader, settings: Settings, language: str = "en"
) -> Rendered:
    """The maintenance windows this reader may see, as iCalendar (RFC 5545) events.

    `icalendar` escapes text and folds long lines; times are UTC, so no VTIMEZONE is needed.
    """
    host = urlsplit(settings.base_url).hostname or "localhost"
    name = _page_name(settings, reader, language)
    calendar = Calendar()
    calendar.add("prodid", "-//Tidings//Status page//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # A name is one line: a line break typed into it must not end the property early.
    calname = translations.gettext(language, N_("%(name)s maintenance")) % {"name": name}
    calendar.add("x-wr-calname", " ".join(calname.split()))
    views = [
        v
        for v in visible_incidents(snapshot, reader.audience)
        if v.incident.kind == IncidentKind.MAINTENANCE and v.incident.scheduled_for
    ]
    views.sort(key=lambda v: as_utc(v.incident.scheduled_for))  # type: ignore[arg-type]
    last = None
    for view in views:
        incident = view.incident
        starts = as_utc(incident.scheduled_for)  # type: ignore[arg-type]
        ends = as_utc(incident.scheduled_until or incident.scheduled_for)  # type: ignore[arg-type]
        stamp = _updated(view)
        last = max(last, stamp) if last else stamp
        event = Event()
        event.add("uid", f"maintenance-{incident.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("dtstart", starts)
        event.add("dtend", ends)
        event.add("summary", incident.title)
        event.add("description", plain_excerpt(view.latest.body, 2000))
        event.add("url", f"{settings.base_url}{reader.prefix}/incidents/{incident.id}")
        event.add("status", "CONFIRMED")
        # A window is something to know about, not time the reader is busy: a calendar
        # that imports the feed must not mark its owner unavailable for it.
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return Rendered.of(calendar.to_ical(), ICS, last_modified=last, language=language)


async def _feed(
    request: Request,
    settings: Settings,
    token: str | None,
    kind: str,
    path: str,
    component_id: str | None = None,
) -> Response[Any]:
    language = await _language(request, settings, token)

    async def build(snapshot: Snapshot, _session: AsyncSession) -> Rendered:
        reader = reader_for(snapshot, token)
        return build_feed(
            snapshot,
            reader,
            settings,
            kind=kind,
            path=path,
            component_id=component_id,
            language=language,
        )

    return await serve(
        request,
        (token, "feed", kind, path, component_id),
        build,
        private=token is not None,
        language=language,
    )


async def _calendar(request: Request, settings: Settings, token: str | None) -> Response[Any]:
    language = await _language(request, settings, token)

    async def build(snapshot: Snapshot, _session: AsyncSession) -> Rendered:
        return build_calendar(snapshot, reader_for(snapshot, token), settings, language)

    return await serve(
        request, (token, "maintenance.ics"), build, private=token is not None, language=language
    )


async def _language(request: Request, settings: Settings, token: str | None) -> str:
    """A feed's labels follow the page's rule (feed readers mostly send no preference, so
    the customer's language or the site's decides)."""
    snapshot = await request.app.state.page_cache.current_snapshot()
    return reader_language(request, settings, customer_language=customer_language(snapshot, token))


class PublicFeeds(Controller):
    path = "/"
    include_in_schema = False

    @get(["/feed.atom", "/history.atom"])
    async def atom(self, request: Request, settings: AppSettings) -> Response[Any]:
        return await _feed(request, settings, None, "atom", request.url.path)

    @get(["/feed.rss", "/history.rss"])
    async def rss(self, request: Request, settings: AppSettings) -> Response[Any]:
        return await _feed(request, settings, None, "rss", request.url.path)

    @get("/components/{component_id:str}/feed.atom")
    async def component_atom(
        self, request: Request, settings: AppSettings, component_id: str
    ) -> Response[Any]:
        path = f"/components/{component_id}/feed.atom"
        return await _feed(request, settings, None, "atom", path, component_id)

    @get("/components/{component_id:str}/feed.rss")
    async def component_rss(
        self, request: Request, settings: AppSettings, component_id: str
    ) -> Response[Any]:
        path = f"/components/{component_id}/feed.rss"
        return await _feed(request, settings, None, "rss", path, component_id)

    @get("/maintenance.ics")
    async def calendar(self, request: Request, settings: AppSettings) -> Response[Any]:
        return await _calendar(request, settings, None)


class CustomerFeeds(Controller):
    path = "/c/{token:str}"
    include_in_schema = False

    @get(["/feed.atom", "/history.atom"])
    async def atom(self, request: Request, settings: AppSettings, token: str) -> Response[Any]:
        path = "/" + request.url.path.rsplit("/", 1)[1]
        return await _feed(request, settings, token, "atom", path)

    @get(["/feed.rss", "/history.rss"])
    async def rss(self, request: Request, settings: AppSettings, token: str) -> Response[Any]:
        path = "/" + request.url.path.rsplit("/", 1)[1]
        return await _feed(request, settings, token, "rss", path)

    @get("/components/{component_id:str}/feed.atom")
    async def component_atom(
        self, request: Request, settings: AppSettings, token: str, component_id: str
    ) -> Response[Any]:
        path = f"/components/{component_id}/feed.atom"
        return await _feed(request, settings, token, "atom", path, component_id)

    @get("/components/{component_id:str}/feed.rss")
    async def component_rss(
        self, request: Request, settings: AppSettings, token: str, component_id: str
    ) -> Response[Any]:
        path = f"/components/{component_id}/feed.rss"
        return await _feed(request, settings, token, "rss", path, component_id)

    @get("/maintenance.ics")
    async def calendar(self, request: Request, settings: AppSettings, token: str) -> Response[Any]:
        return await _calendar(request, settings, token)
