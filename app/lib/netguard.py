"""Which addresses outbound HTTP may reach when someone else chose the URL: global unicast only.

A webhook URL is typed by a subscriber, so without a guard the server would POST wherever
it is told: to a cloud metadata service (100.100.100.200, 169.254.169.254), the CGNAT
range, loopback, the LAN, or to any of those through an IPv6 wrapping (IPv4-mapped, 6to4,
NAT64, Teredo). Two rules close that:

1. **Only global unicast addresses.** `is_public` holds the list, from the IANA
   special-purpose registries rather than Python's `is_global` alone (which, depending on
   the Python version, counts 192.88.99.0/24, 6to4 and NAT64 wrappings of loopback, and
   multicast as global). An address that wraps an IPv4 address is judged by that address.
2. **Resolve once, connect to what was checked.** Checking a name and then letting the
   HTTP client resolve it again leaves a window in which the name can be pointed inwards
   (DNS rebinding). `checked_address` resolves once and answers the one address to dial;
   the one outbound client (`app.lib.guarded_http`) asks it each time it opens a
   connection and dials that address, keeping the Host header and the TLS server name (and
   so certificate checks) of the URL.

`check_url` applies the same rule to a URL when it is typed (a webhook added), so a bad
target is refused with a clear message before anything is sent; the client's check at
connect time is the one that cannot be slipped past.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from app.lib.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# IPv4 ranges that are not globally reachable unicast (RFC 6890 and the IANA registry),
# with 192.88.99.0/24 (the retired 6to4 relay anycast) and multicast added.
_V4_REFUSED = tuple(
    _V4(net)
    for net in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
_V6_GLOBAL_UNICAST = _V6("2000::/3")
# Inside 2000::/3, ranges that are not ordinary global unicast: IETF protocol assignments
# (Teredo among them), documentation, and the new documentation prefix.
_V6_REFUSED = tuple(_V6(net) for net in ("2001::/23", "2001:db8::/32", "3fff::/20"))
_NAT64 = _V6("64:ff9b::/96")  # well-known prefix: the last 32 bits are an IPv4 address
_SIXTOFOUR = _V6("2002::/16")


def is_public(ip: IPAddress) -> bool:
    """Is `ip` a global unicast address, also once unwrapped from any IPv6 wrapping?"""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public(ip.ipv4_mapped)
        if ip in _NAT64:
            return is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip in _SIXTOFOUR:
            return ip.sixtofour is not None and is_public(ip.sixtofour)
        if ip.scope_id or ip not in _V6_GLOBAL_UNICAST:
            return False
        return ip.is_global and not any(ip in net for net in _V6_REFUSED)
    return ip.is_global and not any(ip in net for net in _V4_REFUSED)


class AddressRefused(InvalidInput):
    """The host is not allowed as a target (or does not resolve)."""


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for `host`, in its order of preference."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def checked_address(
    host: str,
    port: int,
    *,
    allow_private: bool,
    resolve: Resolver = system_resolve,
    field: str = "url",
) -> IPAddress:
    """Resolve `host` once; the address to connect to, or AddressRefused (naming `field`)
    when it does not resolve or when any of its addresses is not public (unless private
    targets are allowed). One bad address refuses the name: a client may pick any of them."""
    unresolved = AddressRefused(f"{field}: the host {host!r} does not resolve", field=field)
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        addresses = []
    if not addresses:
        try:
            found = await resolve(host, port)
        except OSError:
            raise unresolved from None
        # A zone index (`fe80::1%eth0`) is not part of the address proper.
        addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
    if not addresses:
        raise unresolved
    if not allow_private:
        for ip in addresses:
            if not is_public(ip):
                raise AddressRefused(
                    f"{field} points to {ip}, which is not a public internet address "
                    "(private, loopback, link-local, shared, reserved or a wrapping of one); "
                    "it is refused (TIDINGS_WEBHOOK_ALLOW_PRIVATE=1 allows it)",
                    field=field,
                )
    return addresses[0]


async def check_url(
    url: str, *, allow_private: bool, field: str = "url", resolve: Resolver = system_resolve
) -> str:
    """`url` if it is an http(s) URL whose host may be a target; AddressRefused otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise AddressRefused(f"{field} must be an http(s) URL", field=field)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AddressRefused(f"{field} has a port that is not a number", field=field) from None
    await checked_address(
        parts.hostname, port, allow_private=allow_private, resolve=resolve, field=field
    )
    return url
