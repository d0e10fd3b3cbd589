"""The one outbound HTTP client: every request Tidings makes to a URL someone else chose (the
worker's webhook, Slack and Teams POSTs, the "send a test message" button, the Statuspage
importer's GETs) goes through `GuardedSession`, under the address rule of
`app.lib.netguard`: global unicast only, resolved once, dialled as checked.

Why aiohttp: a fan-out sends thousands of POSTs, and aiohttp's request path (its HTTP parser
is compiled, and it runs on asyncio without a compatibility layer) takes about a fifth of
httpx's CPU per request, measured on the same receiver (`docs/benchmarks.md`). One client
means one place where the rule is kept, rather than a guard per client.

How the rule is kept: the session's connector resolves every name through
`GuardedResolver`, which asks `netguard.checked_address` (refusing the name unless every
address is public) and hands back only the address it checked, so the connection goes to
that address while the Host header and the TLS server name stay the URL's. The check is made
when a connection is opened, so a name pointed inwards after an earlier check (DNS
rebinding) is refused then. aiohttp skips the resolver for a URL whose host is an address
already, so `request` checks those itself.

What else every request gets: no redirect is followed (a caller that wants them follows them
by hand, and each hop goes through the same connector), no proxy from the environment is
used (a proxy would resolve the name again, out of our sight), no cookie is kept, answers
are not decompressed (a compressed bomb stays small: `read_raw` reads up to a cap,
`read_inflated` inflates under a cap), the certifi certificate authorities are the one TLS
context, and each socket has its own connect and read timeouts; a caller bounds a whole
exchange with `asyncio.timeout` (`bounded_post` does).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import aiohttp
import certifi
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from app.lib.inflate import read_capped
from app.lib.netguard import AddressRefused, Resolver, checked_address, system_resolve

# What a failed exchange raises, besides AddressRefused (a target that is not allowed) and
# TimeoutError: the client's own errors, the socket's, and ValueError for a URL that does not
# parse. Callers catch this tuple rather than naming the client's exception classes.
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (aiohttp.ClientError, OSError, ValueError)

CONNECT_TIMEOUT = 10.0  # seconds to open a connection (TLS included)
READ_TIMEOUT = 20.0  # seconds without a byte from the peer


@functools.cache
def trusted_certificates() -> ssl.SSLContext:
    """The certificate authorities HTTPS targets are checked against (certifi's bundle),
    loaded once per process: loading them takes tens of milliseconds."""
    return ssl.create_default_context(cafile=certifi.where())


class GuardedResolver(AbstractResolver):
    """Resolves a name once and answers with the one address `checked_address` allowed."""

    def __init__(self, *, allow_private: bool, resolve: Resolver = system_resolve) -> None:
        self.allow_private = allow_private
        self._resolve = resolve

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        address = await checked_address(
            host, port, allow_private=self.allow_private, resolve=self._resolve
        )
        return [
            {
                "hostname": host,
                "host": str(address),
                "port": port,
                "family": socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


class GuardedSession:
    """An HTTP session for URLs someone else chose; `limit` connections at most."""

    def __init__(
        self,
        *,
        allow_private: bool,
        tls: ssl.SSLContext | None = None,
        limit: int = 4,
        resolve: Resolver = system_resolve,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        self.allow_private = allow_private
        self._resolve = resolve
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(allow_private=allow_private, resolve=resolve),
            use_dns_cache=False,  # every new connection is checked again
            family=socket.AF_UNSPEC,
            limit=limit,
            ssl=tls if tls is not None else trusted_certificates(),
        )
        self.session = aiohttp.ClientSession(
            connector=connector,
            trust_env=False,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=connect_timeout, sock_read=read_timeout
            ),
        )

    @contextlib.asynccontextmanager
    async def request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """The answer to one request, its body still to read; AddressRefused if the URL is not
        http(s) or its host may not be a target, TRANSPORT_ERRORS when the exchange fails."""
        parsed = URL(url)
        if parsed.scheme not in {"http", "https"} or not parsed.host:
            raise AddressRefused("url must be an http(s) URL", field="url")
        if _is_address(parsed.host):
            await checked_address(
                parsed.host,
                parsed.port or 0,
                allow_private=self.allow_private,
                resolve=self._resolve,
            )
        async with self.session.request(
            method, parsed, data=content, headers=headers, allow_redirects=False
        ) as response:
            yield response

    def post(
        self, url: str, *, content: bytes, headers: Mapping[str, str]
    ) -> contextlib.AbstractAsyncContextManager[aiohttp.ClientResponse]:
        """POST `content` to `url` (see `request`)."""
        return self.request("POST", url, content=content, headers=headers)

    async def close(self) -> None:
        await self.session.close()

    async def __aenter__(self) -> GuardedSession:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()


async def read_raw(response: aiohttp.ClientResponse, *, cap: int) -> bytes:
    """At most `cap` bytes of the answer, as sent. The rest is never read: leaving the
    request closes the connection, so a huge error page costs `cap` bytes, not its size."""
    body = bytearray()
    while len(body) < cap:
        chunk = await response.content.read(cap - len(body))
        if not chunk:
            break
        body += chunk
    return bytes(body)


async def read_inflated(response: aiohttp.ClientResponse, *, max_bytes: int) -> bytes:
    """The whole answer, decompressed under `max_bytes` as it streams
    (`app.lib.inflate.read_capped`: BodyRefused past the cap or for an encoding not asked for).
    Ask with `inflate.ACCEPT_ENCODING` as the accept-encoding header."""
    return await read_capped(
        response.content.iter_any(),
        encoding=response.headers.get("content-encoding", ""),
        max_bytes=max_bytes,
    )


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes  # at most the cap

    def text(self, limit: int = 200) -> str:
        return self.body[:limit].decode("utf-8", "replace")


async def bounded_post(
    client: GuardedSession,
    url: str,
    *,
    content: bytes,
    headers: Mapping[str, str],
    deadline: float,
    cap: int,
) -> Reply:
    """One POST bounded as a whole: the peer's answer, `cap` bytes of its body at most.

    The socket timeouts bound each read, so a peer that trickles a byte every few seconds
    never trips them; the deadline over connect, send and the entire answer does.
    TimeoutError past `deadline`, AddressRefused for a target that is not allowed,
    TRANSPORT_ERRORS when the exchange fails."""
    async with asyncio.timeout(deadline), client.post(url, content=content, headers=headers) as r:
        return Reply(r.status, r.headers, await read_raw(r, cap=cap))


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
