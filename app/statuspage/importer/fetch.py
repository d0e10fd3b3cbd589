"""Fetching a page's public v2 JSON documents over HTTP, with a deadline and a size cap.

The client is the one every outbound request uses (`app.lib.guarded_http`): it checks the
address of each connection it opens and dials the very address it checked (no second lookup
for a rebinding name to answer differently), and follows no redirect by itself. Redirects
are followed here by hand (at most five), each hop going through the same check, so a page
cannot bounce the server towards an address it may not reach. Each document has a deadline
as a whole, so a server that trickles a byte at a time is cut off. The size cap holds for
what a document inflates to, counted while it streams (a compressed bomb stops at the cap),
and a document nested deeper than any Statuspage answer is refused before it is parsed.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from app.lib.errors import InvalidInput
from app.lib.guarded_http import TRANSPORT_ERRORS, GuardedSession, read_inflated
from app.lib.inflate import ACCEPT_ENCODING, BodyRefused
from app.lib.json_depth import MAX_JSON_DEPTH, too_deep
from app.lib.netguard import AddressRefused
from app.statuspage.importer.parse import DOCUMENTS
from app.statuspage.importer.source import Problem

MAX_BYTES = 10 * 1024 * 1024  # one document; a 50-incident list is well under 1 MB
DEADLINE = 60.0  # seconds for one document, all told (redirects included)
MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}
_HEADERS = {
    "user-agent": "Tidings-Import/1",
    "accept": "application/json",
    "accept-encoding": ACCEPT_ENCODING,  # only what `read_capped` inflates under its cap
}


class _Unreadable(Exception):
    """One document could not be read; the message says why, for the report."""


def page_url(url: str) -> str:
    """The page's base URL from what a person pastes: the page, or any of its API URLs."""
    raw = (url or "").strip()
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(raw) > 2000:
        raise InvalidInput(
            "url must be the http(s) address of a status page, e.g. https://status.example.com",
            field="url",
        )
    path = parts.path.rstrip("/")
    marker = path.find("/api/v2")
    if marker >= 0:
        path = path[:marker]
    elif path.endswith("/api"):
        path = path[: -len("/api")]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


async def _get_json(client: GuardedSession, url: str, *, max_bytes: int) -> Any:
    try:
        async with asyncio.timeout(DEADLINE):
            return await _follow(client, url, max_bytes=max_bytes)
    except TimeoutError:
        raise _Unreadable(f"was not read within {DEADLINE:g} s") from None


async def _follow(client: GuardedSession, url: str, *, max_bytes: int) -> Any:
    target = url
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            async with client.request("GET", target, headers=_HEADERS) as response:
                if response.status in _REDIRECTS and "location" in response.headers:
                    target = urljoin(target, response.headers["location"])
                    continue
                if response.status != 200:
                    raise _Unreadable(f"answered HTTP {response.status}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise _Unreadable(f"is larger than {max_bytes:,} bytes")
                body = await read_inflated(response, max_bytes=max_bytes)
        except BodyRefused as exc:
            raise _Unreadable(str(exc)) from None
        except AddressRefused as exc:
            raise _Unreadable(exc.message) from None
        except TRANSPORT_ERRORS as exc:
            raise _Unreadable(f"could not be fetched ({type(exc).__name__}: {exc})") from None
        if too_deep(body):
            raise _Unreadable(f"is nested deeper than {MAX_JSON_DEPTH} levels")
        try:
            return json.loads(body)
        except ValueError:
            raise _Unreadable("did not answer JSON") from None
    raise _Unreadable(f"redirected more than {MAX_REDIRECTS} times")


async def fetch_documents(
    url: str, *, allow_private: bool, max_bytes: int = MAX_BYTES
) -> tuple[dict[str, Any], list[Problem]]:
    """The page's four v2 documents (None where one could not be read) and why not.

    Raises InvalidInput (field `url`) when not one document could be read: the address is
    wrong, or unreachable, or not a Statuspage-style page.
    """
    base = page_url(url)
    documents: dict[str, Any] = {}
    problems: list[Problem] = []
    async with GuardedSession(allow_private=allow_private, limit=1) as client:
        for name, path in DOCUMENTS.items():
            try:
                documents[name] = await _get_json(
                    client, f"{base}/api/v2/{path}", max_bytes=max_bytes
                )
            except _Unreadable as exc:
                documents[name] = None
                problems.append(Problem("page", None, None, f"{path} {exc}; not read"))
    if all(doc is None for doc in documents.values()):
        reason = problems[0].reason if problems else "nothing answered"
        raise InvalidInput(
            f"url: {base} does not serve a Statuspage v2 API ({reason})", field="url"
        )
    if not any(_shaped(doc) for doc in documents.values()):
        raise InvalidInput(
            f"url: {base} does not serve a Statuspage v2 API (it answers JSON, but with no "
            "page, components, incidents or scheduled maintenances in it)",
            field="url",
        )
    return documents, problems


_KEYS = {"page", "components", "incidents", "scheduled_maintenances"}


def _shaped(document: Any) -> bool:
    """Does a document look like one of Statuspage's (an object with one of its keys)?"""
    return isinstance(document, dict) and bool(_KEYS & document.keys())
