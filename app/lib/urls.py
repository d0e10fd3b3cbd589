"""Outbound URLs we agree to call: http(s) only, and (unless allowed) public hosts only.

A webhook is a URL someone else typed; without this check it could make the server call
into its own network (SSRF). It is checked when a webhook is added and again before each
send, since a host name may be pointed elsewhere in between.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from app.lib.errors import InvalidInput


def _forbidden_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


async def check_webhook_url(url: str | None, *, allow_private: bool, field: str = "url") -> str:
    """An http(s) URL whose host resolves only to public addresses (unless allowed)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(url) > 2000:
        raise InvalidInput(f"{field} must be an http(s) URL", field=field)
    if allow_private:
        return url
    host = parts.hostname
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, parts.port or 443, type=socket.SOCK_STREAM
            )
        except OSError:
            raise InvalidInput(
                f"{field}: the host {host!r} does not resolve", field=field
            ) from None
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if any(_forbidden_ip(ip) for ip in addresses):
        raise InvalidInput(
            f"{field} points to a private, loopback or link-local address, which is refused "
            "(TIDINGS_WEBHOOK_ALLOW_PRIVATE=1 allows it)",
            field=field,
        )
    return url
