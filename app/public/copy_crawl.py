"""The walk over the static copy's public routes: which paths the copy holds, where each
lives in the folder, and every public file fetched from the app with its links rewritten
to resolve inside the copy. Nothing here touches the disk (`app.public.copy_files` does).
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from app.public.copy_paths import CORE, FEEDS

log = logging.getLogger("tidings.static_copy")

# (status, content type, body) of one GET of a path on the app.
Fetch = Callable[[str], Awaitable[tuple[int, str, bytes]]]

# Every public file the copy starts from: the pages and files a change may rewrite (the
# front page, the badge, the JSON, the feeds), the history, and the files that change only
# with a release (the embed script, the styles).
SEEDS = (
    *CORE,
    "/history",
    *FEEDS,
    "/embed.js",
    "/favicon.ico",
    "/static/tidings.css",
    "/static/localtime.js",
    "/theme/theme.css",
)
# Public paths the copy may hold; anything else a page links to is the app's to answer.
_PUBLIC = re.compile(
    r"^/(?:$|history(?:/\d+)?$|incidents/[A-Za-z0-9_-]+$|(?:feed|history)\.(?:rss|atom)$"
    r"|maintenance\.ics$|badge\.svg$|embed\.js$|favicon\.ico$"
    r"|components/[A-Za-z0-9_-]+/(?:badge\.svg|feed\.atom|feed\.rss)$"
    r"|api/v2/[a-z/-]+\.json$|static/(?!admin)[A-Za-z0-9_.-]+$|theme/[A-Za-z0-9_.-]+$)"
)
_HISTORY_PAGE = re.compile(r"^/history\?page=(\d+)$")
# The pages written in every language (under `/de/`, ...); feeds, badges, the JSON and the
# styles are the site language's alone, at the root.
LANGUAGE_PAGE = re.compile(r"^/(?:$|history(?:/\d+)?$|incidents/[A-Za-z0-9_-]+$)")
# A language switch or `hreflang` link: a page's path with `lang=xx` (after `page=N&`).
_SWITCH = re.compile(r"^(?P<path>/[^?]*)\?(?:page=(?P<page>\d+)&)?lang=(?P<lang>[a-z]{2})$")
_LINK = re.compile(rb"""(?P<attr>\b(?:href|src|action)=)(?P<q>["'])(?P<url>[^"'<>]*)(?P=q)""")
_CSS_URL = re.compile(rb"""url\((?P<q>["']?)(?P<url>[^"')]*)(?P=q)\)""")


def file_for(path: str) -> str:
    """Where a public path lives in the copy, relative to its folder."""
    if path == "/":
        return "index.html"
    clean = path.strip("/")
    if "." in clean.rsplit("/", 1)[-1]:
        return clean
    return f"{clean}/index.html"


def language_page_path(path: str, prefix: str) -> str:
    """Where the page at `path` lives in the copy of the language at `prefix` ("" for the
    site's language at the root, "/de" for German)."""
    return prefix + path if path != "/" or not prefix else prefix + "/"


def _switch_target(url: str, prefixes: dict[str, str]) -> str | None:
    """The copy's page a language switch link leads to, or None when it is not one (or its
    page or language is not in the copy)."""
    match = _SWITCH.match(url)
    if match is None or match.group("lang") not in prefixes:
        return None
    page = match.group("page")
    path = match.group("path") + (f"?page={page}" if page else "")
    target = _copy_path(path)
    if target is None or not LANGUAGE_PAGE.match(target):
        return None
    return language_page_path(target, prefixes[match.group("lang")])


def _copy_path(url: str) -> str | None:
    """The copy's path for a root-relative link, or None when the copy does not hold it."""
    page = _HISTORY_PAGE.match(url)
    if page:
        n = int(page.group(1))
        return "/history" if n <= 1 else f"/history/{n}"
    if "?" in url:
        return None
    return url if _PUBLIC.match(url) else None


# What a reader during an outage looks at first: written before the rest (feeds, history,
# the longer JSON), so the front page is fresh as soon as it can be.
FIRST = ("/", "/api/v2/summary.json", "/api/v2/status.json", "/badge.svg")
FIRST_LINKS = re.compile(r"^/(?:incidents/[A-Za-z0-9_-]+|static/.*|theme/.*|favicon\.ico)$")


# Which links found on a page are asked for in turn.
Follow = Callable[[str], object]


async def crawl(
    fetch: Fetch,
    app_url: str,
    *,
    seeds: Iterable[str] = SEEDS,
    follow: Follow | None = None,
    done: dict[str, bytes] | None = None,
    superseded: Callable[[], bool] = lambda: False,
    gone: set[str] | None = None,
    skipped: set[str] | None = None,
    prefix: str = "",
    prefixes: dict[str, str] | None = None,
) -> dict[str, bytes] | None:
    """Every public file of the copy, links rewritten, by following links from the seeds
    (only links `follow` accepts, when given). Files in `done` are not asked for again.
    None when `superseded()` says a newer change came meanwhile (the copy starts over).
    `gone` collects the files of paths the app answers 404 or 410 for (no longer public);
    `skipped` the links `follow` turned down. `prefix`: the copy of one language other than
    the site's ("/de"), which holds its pages only and links to the root for the rest;
    `prefixes`: where each language's pages are, for the language switch links."""
    app_url = app_url.rstrip("/")
    host = urlsplit(app_url).netloc
    files: dict[str, bytes] = dict(done or {})
    seen: set[str] = set()
    queue = deque(seeds)
    while queue:
        if superseded():
            return None
        path = queue.popleft()
        if path in seen or (prefix and not LANGUAGE_PAGE.match(path)):
            continue
        seen.add(path)
        name = file_for(path)
        if name in files:  # fetched by an earlier part: only its links are wanted
            found: list[str] = []
            if name.endswith(".html"):
                _rewrite(files[name], _LINK, found, app_url, host, True, prefix, prefixes)
            _follow(found, follow, queue, skipped)
            continue
        fetched = await _fetch_path(fetch, path)
        if fetched is None:
            continue
        status, content_type, body = fetched
        if status != 200:
            if gone is not None and status in (404, 410):
                gone.add(name)
            continue
        found = []
        if content_type.startswith("text/html"):
            body = _rewrite(body, _LINK, found, app_url, host, True, prefix, prefixes)
            body = _x_default_at_root(body, prefix)
        elif content_type.startswith("text/css"):
            body = _rewrite(body, _CSS_URL, found, app_url, host, False, prefix, prefixes)
        _follow(found, follow, queue, skipped)
        files[name] = body
    return files


def _follow(
    found: list[str], follow: Follow | None, queue: deque[str], skipped: set[str] | None
) -> None:
    for path in found:
        if follow is None or follow(path):
            queue.append(path)
        elif skipped is not None:
            skipped.add(path)


def rewrite_html(
    body: bytes, app_url: str, prefix: str = "", prefixes: dict[str, str] | None = None
) -> tuple[bytes, list[str]]:
    """A page got otherwise than by `crawl` with its links rewritten as `crawl` does, and
    the copy's paths it links to."""
    app_url = app_url.rstrip("/")
    found: list[str] = []
    host = urlsplit(app_url).netloc
    body = _rewrite(body, _LINK, found, app_url, host, True, prefix, prefixes)
    return _x_default_at_root(body, prefix), found


def _x_default_at_root(body: bytes, prefix: str) -> bytes:
    """A language's page names the root's (the site's language) as the one for readers whose
    language has no page of its own (`hreflang="x-default"`), as the live site names the
    page without a choice."""
    if not prefix:
        return body
    return re.sub(
        rb'(hreflang="x-default" href=")' + re.escape(prefix.encode()) + rb"(/[^\"]*\")",
        rb"\1\2",
        body,
    )


INCIDENT_PAGE = re.compile(r"^/incidents/([A-Za-z0-9_-]+)$")


async def _fetch_path(fetch: Fetch, path: str) -> tuple[int, str, bytes] | None:
    """A history page is asked for by its query string; everything else by its path. None
    when the app could not be asked (nothing is concluded from that)."""
    asked = path
    match = re.match(r"^/history/(\d+)$", path)
    if match:
        asked = f"/history?page={match.group(1)}"
    try:
        return await fetch(asked)
    except Exception:
        log.warning("the static copy could not read %s", asked, exc_info=True)
        return None


def _rewrite(
    body: bytes,
    pattern: re.Pattern[bytes],
    queue: list[str],
    app_url: str,
    host: str,
    html: bool,
    prefix: str = "",
    prefixes: dict[str, str] | None = None,
) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        raw = match.group("url").decode()
        url, hash_, fragment = raw.partition("#")
        url = url.replace("&amp;", "&")
        if url.startswith(app_url + "/") or url == app_url:
            url = url[len(app_url) :] or "/"
        elif not url.startswith("/") or url.startswith("//"):
            return match.group(0)  # another site, a fragment, a relative data: URL
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != host:
            return match.group(0)
        switch = _switch_target(url, prefixes) if prefixes else None
        target = _copy_path(url)
        if switch is not None:
            new = switch  # another language's copy of this page: its own walk writes it
        elif target is None:
            new = app_url + url  # only the app can answer this (a form, a customer page)
        elif prefix and not LANGUAGE_PAGE.match(target):
            new = target  # a feed, a badge, the styles: the root's, in the site's language
        else:
            if target not in queue:
                queue.append(target)
            new = language_page_path(target, prefix)
        new = new + hash_ + fragment
        if html:
            new = new.replace("&", "&amp;")
            return match.group("attr") + match.group("q") + new.encode() + match.group("q")
        return b"url(" + match.group("q") + new.encode() + match.group("q") + b")"

    return pattern.sub(replace, body)
