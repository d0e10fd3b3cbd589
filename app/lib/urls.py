"""Outbound URLs we agree to call: http(s) only, and (unless allowed) public hosts only.

A webhook is a URL someone else typed; without this check it could make the server call
into its own network (SSRF). It is checked when a webhook is added and again before each
send, since a host name may be pointed elsewhere in between.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from app.lib import netguard
from app.lib.errors import InvalidInput


async def check_webhook_url(url: str | None, *, allow_private: bool, field: str = "url") -> str:
    """An http(s) URL whose host resolves only to public addresses (unless allowed)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(url) > 2000:
        raise InvalidInput(f"{field} must be an http(s) URL", field=field)
    return await netguard.check_url(url, allow_private=allow_private, field=field)
