"""The worker's outbound POSTs (webhooks, Slack, Teams) over aiohttp, under the same address
rule as `app.lib.netguard`: global unicast only, resolved once, dialled as checked.

Why aiohttp here and httpx elsewhere: a fan-out sends thousands of these, and aiohttp's
request path (its HTTP parser is compiled, and it runs on asyncio without a compatibility
layer) takes about a fifth of httpx's CPU per request, measured on the same receiver
(`docs/benchmarks.md`). The rare requests elsewhere (the Statuspage importer) keep httpx.

How the rule is kept: the session's connector resolves every name through
`GuardedResolver`, which asks `netguard.checked_address` (refusing the name unless every
address is public) and hands back only the address it checked, so the connection goes to
that address while the Host header and the TLS server name stay the URL's. aiohttp skips
the resolver for a URL whose host is an address already, so `post` checks those itself.
No redirect is followed, no proxy from the environment is used, no cookie is kept, and
answers are not decompressed (a compressed bomb stays small).
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator

import aiohttp
import certifi
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from app.lib.netguard import AddressRefused, Resolver, checked_address, system_resolve


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
    """An aiohttp session for URLs someone else chose; `limit` connections at most."""

    def __init__(
        self,
        *,
        allow_private: bool,
        tls: ssl.SSLContext | None = None,
        limit: int = 4,
        resolve: Resolver = system_resolve,
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
        )

    @contextlib.asynccontextmanager
    async def post(
        self, url: str, *, content: bytes, headers: dict[str, str]
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """POST `content` to `url`; AddressRefused if its host may not be a target."""
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
        async with self.session.post(
            parsed, data=content, headers=headers, allow_redirects=False
        ) as response:
            yield response

    async def close(self) -> None:
        await self.session.close()

    async def __aenter__(self) -> GuardedSession:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
