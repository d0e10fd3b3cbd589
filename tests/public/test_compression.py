"""Pages are compressed once, when rendered, and served in the encoding the reader accepts,
each encoding with its own ETag; the page cache stays bounded however many URLs are asked."""

from __future__ import annotations

import gzip

import brotli
import pytest

from tests.support import factories


@pytest.fixture
async def page(client, keys):  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    incident = await factories.incident(
        client,
        keys["responder"],
        "Slow API",
        components=[{"id": api["id"], "status": "degraded_performance"}],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "The API is slow.")
    return incident


async def _raw(client, path: str, **headers: str):  # type: ignore[no-untyped-def]
    """The bytes as sent on the wire (not decoded), and the response."""
    async with client.stream("GET", path, headers=headers) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return raw, response


@pytest.mark.parametrize("path", ["/", "/api/v2/summary.json", "/feed.atom", "/history"])
async def test_a_reader_asking_for_gzip_gets_the_same_page_gzipped_with_its_own_etag(
    client, page, path
):
    plain, plain_response = await _raw(client, path, **{"Accept-Encoding": "identity"})
    zipped, zipped_response = await _raw(client, path, **{"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain_response.headers
    assert zipped_response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped) == plain
    assert len(zipped) < len(plain) / 2
    assert zipped_response.headers["etag"] != plain_response.headers["etag"]
    for response in (plain_response, zipped_response):
        assert "Accept-Encoding" in response.headers["vary"]


async def test_a_reader_asking_for_brotli_gets_brotli_before_gzip(client, page):
    plain, _ = await _raw(client, "/", **{"Accept-Encoding": "identity"})
    squeezed, response = await _raw(client, "/", **{"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["content-encoding"] == "br"
    assert brotli.decompress(squeezed) == plain


async def test_an_encoding_refused_with_q_zero_is_not_used(client, page):
    _, response = await _raw(client, "/", **{"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "content-encoding" not in response.headers


async def test_a_revalidation_answers_304_only_for_the_encoding_it_names(client, page):
    _, zipped = await _raw(client, "/", **{"Accept-Encoding": "gzip"})
    tag = zipped.headers["etag"]
    again = await client.get("/", headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert again.status_code == 304
    assert again.headers["etag"] == tag
    plain = await client.get("/", headers={"Accept-Encoding": "identity", "If-None-Match": tag})
    assert plain.status_code == 200
    assert plain.headers["etag"] != tag


async def test_each_encoding_is_made_once_per_render_not_per_request(client, app, page):
    await client.get("/")
    renders = app.state.page_cache.renders
    for encoding in ("gzip", "br", "identity", "gzip", "br"):
        response = await client.get("/", headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
    assert app.state.page_cache.renders == renders


@pytest.mark.settings(state_poll_seconds=5)
async def test_the_page_cache_does_not_grow_with_the_number_of_urls_asked(client, app, page):
    cache = app.state.page_cache
    for n in range(1, 60):
        await client.get(f"/history?page={n}")
        await client.get(f"/incidents/nothing-{n}")
    assert len(cache) <= cache.max_entries
    cache.max_entries = 10
    for n in range(60, 100):
        await client.get(f"/history?page={n}")
    assert len(cache) <= 10
    assert cache.in_flight == 0


@pytest.mark.parametrize("encoding", ["gzip", "br", "identity"])
async def test_a_page_answered_from_memory_before_routing_is_the_same_answer(
    client, app, page, keys, encoding
):
    api = await factories.component(client, keys["admin"], "Search")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    customer_page = "/" + acme["page_url"].split("/", 3)[3]  # with its trailing slash
    for path in ("/", "/api/v2/summary.json", customer_page):
        headers = {"Accept-Encoding": encoding}
        renders = app.state.page_cache.renders
        routed_body, routed = await _raw(client, path, **headers)
        # Known now, and asked without cookies: the second answer comes before routing.
        assert app.state.page_cache.for_url((path.rstrip("/") or "/", b"")) is not None
        assert not client.cookies
        fast_body, fast = await _raw(client, path, **headers)
        assert app.state.page_cache.renders <= renders + 1
        assert fast_body == routed_body
        for name in ("etag", "content-type", "cache-control", "vary", "content-length"):
            assert fast.headers.get(name) == routed.headers.get(name), (path, name)
        assert fast.headers.get("content-encoding") == routed.headers.get("content-encoding")
        head = await client.head(path, headers=headers)
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["etag"] == routed.headers["etag"]
        again = await client.get(path, headers={**headers, "If-None-Match": routed.headers["etag"]})
        assert again.status_code == 304
