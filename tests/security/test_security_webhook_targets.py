"""Outbound targets (webhooks, chat URLs, pages to import): global unicast addresses only,
the address checked is the one dialled, the name and certificate of the URL are kept, and
redirects are not followed. The one outbound client keeps this for every request it makes."""

from __future__ import annotations

import http.server
import ipaddress
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from app.lib.guarded_http import GuardedSession
from app.lib.netguard import AddressRefused, check_url, is_public
from tests.support.peers import free_port

INTERNAL = [
    "100.100.100.200",  # a cloud metadata service, in the CGNAT range
    "100.64.0.1",  # CGNAT
    "192.88.99.1",  # the retired 6to4 relay anycast
    "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
    "[::ffff:127.0.0.1]",  # IPv4-mapped loopback
    "[::ffff:a9fe:a9fe]",  # IPv4-mapped 169.254.169.254
    "[64:ff9b::a9fe:a9fe]",  # NAT64 of 169.254.169.254
    "[64:ff9b:1::a00:1]",  # local-use NAT64
    "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",  # Teredo
    "[::127.0.0.1]",  # IPv4-compatible (deprecated)
    "169.254.169.254",
    "127.0.0.1",
    "10.1.2.3",
    "224.0.1.1",  # multicast
    "192.0.0.8",
    "[fd00::1]",
    "[fe80::1]",
    "[ff0e::1]",
    "0.0.0.0",
]


@pytest.mark.parametrize("host", INTERNAL)
async def test_a_webhook_to_an_internal_address_is_refused_at_subscribe(client, keys, host):
    response = await client.post(
        "/api/v1/subscribers",
        json={"kind": "webhook", "url": f"http://{host}/hook"},
        headers=keys["comms_lead"],
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "url"
    assert "not a public internet address" in response.json()["detail"]


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"]
)
def test_global_unicast_addresses_and_their_wrappings_are_allowed(address):
    assert is_public(ipaddress.ip_address(address))


def _resolver(*answers: list[str]):  # type: ignore[no-untyped-def]
    """A DNS server's answers, one list per lookup, in order (the last one repeats)."""
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[min(len(calls), len(answers)) - 1]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


async def test_a_name_with_one_internal_address_among_public_ones_is_refused():
    resolve = _resolver(["93.184.216.34", "10.0.0.5"])
    with pytest.raises(AddressRefused, match=r"10\.0\.0\.5"):
        await check_url("https://hooks.example.test/x", allow_private=False, resolve=resolve)


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[tuple[str, str]]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.do_GET()

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers["host"]))
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("location", "/internal-only")
        else:
            self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


def _serve(context: ssl.SSLContext | None = None) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    seen: list[tuple[str, str]] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield port, seen
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def http_receiver() -> Iterator[tuple[int, list[tuple[str, str]]]]:
    yield from _serve()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=hooks.example.test",
            "-addext", "subjectAltName=DNS:hooks.example.test",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def https_receiver(certificate) -> Iterator[tuple[int, list[tuple[str, str]]]]:  # type: ignore[no-untyped-def]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    yield from _serve(context)


# -- the one outbound client: the same rule for the worker, the chat check and the importer --


@pytest.mark.parametrize("host", INTERNAL)
async def test_the_client_refuses_to_post_to_an_internal_address(host):
    async with GuardedSession(allow_private=False) as session:
        with pytest.raises(AddressRefused, match="not a public internet address"):
            async with session.post(f"http://{host}/hook", content=b"{}", headers={}):
                pass


async def test_the_client_dials_the_address_it_checked_and_keeps_the_host_header(http_receiver):
    port, seen = http_receiver
    resolve = _resolver(["127.0.0.1"])  # hooks.example.test exists only in this resolver
    async with (
        GuardedSession(allow_private=True, resolve=resolve) as session,
        session.post(
            f"http://hooks.example.test:{port}/hook", content=b"{}", headers={}
        ) as response,
    ):
        assert response.status == 200
    assert seen == [("/hook", f"hooks.example.test:{port}")]
    assert resolve.calls == ["hooks.example.test"]


async def test_the_client_refuses_a_name_pointed_inwards_after_the_check(http_receiver):
    port, seen = http_receiver
    resolve = _resolver(["93.184.216.34"], ["127.0.0.1"])  # public, then loopback
    url = f"http://rebind.example.test:{port}/hook"
    assert await check_url(url, allow_private=False, resolve=resolve) == url
    async with GuardedSession(allow_private=False, resolve=resolve) as session:
        with pytest.raises(AddressRefused, match=r"127\.0\.0\.1"):
            async with session.post(url, content=b"{}", headers={}):
                pass
    assert seen == []


async def test_the_client_checks_the_certificate_of_the_name_it_dials(https_receiver, certificate):
    port, seen = https_receiver
    trusted = ssl.create_default_context(cafile=str(certificate[0]))
    resolve = _resolver(["127.0.0.1"])
    async with GuardedSession(allow_private=True, tls=trusted, resolve=resolve) as session:
        async with session.post(
            f"https://hooks.example.test:{port}/hook", content=b"{}", headers={}
        ) as response:
            assert response.status == 200
        # The same certificate does not vouch for another name on the same address.
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            async with session.post(
                f"https://other.example.test:{port}/hook", content=b"{}", headers={}
            ):
                pass
    assert seen == [("/hook", f"hooks.example.test:{port}")]


async def test_the_client_does_not_follow_redirects(http_receiver):
    port, seen = http_receiver
    resolve = _resolver(["127.0.0.1"])
    async with (
        GuardedSession(allow_private=True, resolve=resolve) as session,
        session.post(
            f"http://hooks.example.test:{port}/moved", content=b"{}", headers={}
        ) as response,
    ):
        assert response.status == 302
    assert [path for path, _host in seen] == ["/moved"]


@pytest.mark.parametrize("host", INTERNAL)
async def test_the_client_refuses_to_get_from_an_internal_address(host):
    async with GuardedSession(allow_private=False) as session:
        with pytest.raises(AddressRefused, match="not a public internet address"):
            async with session.request("GET", f"http://{host}/api/v2/summary.json"):
                pass


async def test_a_get_refuses_a_name_pointed_inwards_after_the_check(http_receiver):
    port, seen = http_receiver
    resolve = _resolver(["93.184.216.34"], ["127.0.0.1"])  # public, then loopback
    url = f"http://rebind.example.test:{port}/api/v2/summary.json"
    assert await check_url(url, allow_private=False, resolve=resolve) == url
    async with GuardedSession(allow_private=False, resolve=resolve) as session:
        with pytest.raises(AddressRefused, match=r"127\.0\.0\.1"):
            async with session.request("GET", url):
                pass
    assert seen == []


@pytest.mark.parametrize("url", ["ftp://hooks.example.test/x", "file:///etc/passwd", "/relative"])
async def test_the_client_refuses_a_url_that_is_not_http(url):
    async with GuardedSession(allow_private=True) as session:
        with pytest.raises(AddressRefused, match="must be an http"):
            async with session.request("GET", url):
                pass
