"""Asking for ever new URLs does not grow the server: the page cache holds a bounded number
of renderings and nothing per URL once a request is answered (finding: 30,000 random
`/incidents/x`, `/c/x/` and badge URLs added 8-9 MB that never came back: a lock per URL
was kept for good)."""

from __future__ import annotations

import asyncio
import secrets

from app.public.cache import MAX_ENTRIES, PageCache, Rendered


async def test_random_urls_leave_nothing_behind_in_the_page_cache(client, app):
    paths = (
        "/incidents/{}",
        "/c/{}/",
        "/components/{}/badge.svg",
        "/c/{}/api/v2/status.json",
        "/history?page={}",
    )
    for n in range(1200):
        kind = paths[n % len(paths)]
        path = kind.format(n // len(paths) + 1 if "page" in kind else secrets.token_hex(6))
        response = await client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
    kept, rendering = app.state.page_cache.held()
    # Only the real pages (the history pages) are kept; nothing for the unknown URLs.
    assert kept == 240, kept
    assert rendering == 0
    renders = app.state.page_cache.renders
    assert (await client.get("/history?page=3")).status_code == 200
    assert app.state.page_cache.renders == renders  # served from memory


async def test_the_page_cache_keeps_at_most_its_bound_dropping_the_least_recently_used(
    sessionmaker,
):
    cache = PageCache(sessionmaker, max_entries=5)
    assert MAX_ENTRIES >= 100

    def page(n: int):
        async def build(_snapshot, _session) -> Rendered:
            return Rendered.of(f"page {n}", "text/plain")

        return build

    try:
        # Ten requests for the same page at once render it once and share the result (the
        # first takes the render before its first wait, on the database: the others find it).
        same = await asyncio.gather(*(cache.get("same", page(0)) for _ in range(10)))
        assert {r.body for r in same} == {b"page 0"} and cache.renders == 1
        for n in range(1, 21):
            await cache.get(("page", n), page(n))
            await cache.get("same", page(0))  # used again and again: stays
        assert cache.held() == (5, 0)
        renders = cache.renders
        await cache.get("same", page(0))
        await cache.get(("page", 20), page(20))
        assert cache.renders == renders
        await cache.get(("page", 1), page(1))
        assert cache.renders == renders + 1  # dropped long ago: rendered again
    finally:
        cache.close()
