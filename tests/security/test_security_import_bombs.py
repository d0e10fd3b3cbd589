"""A Statuspage page that answers bombs: small bodies that inflate to a gigabyte, and JSON
nested 200,000 deep. Importing it answers a 422 naming the limit, never a 500, and memory
stays near the size cap of one document instead of following what the page claims."""

from __future__ import annotations

import tracemalloc

import pytest

from app.statuspage.importer.fetch import MAX_BYTES

PATH = "/api/v1/imports/statuspage"
MIB = 1024 * 1024

# The bomb server is on loopback, as an operator's own network would be.
pytestmark = pytest.mark.settings(webhook_allow_private=True)


@pytest.mark.parametrize("encoding", ["gzip", "br"])
async def test_a_page_answering_a_compression_bomb_is_refused_at_the_cap_without_inflating_it(
    client, keys, bomb_pages, encoding
):
    url = bomb_pages.url(encoding)
    tracemalloc.start()
    try:
        answer = await client.post(PATH, json={"url": url}, headers=keys["comms_lead"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert answer.status_code == 422, answer.text
    # Each document stops at the cap (10 MiB); inflated whole, one would be 1 GiB.
    assert peak < MAX_BYTES + 16 * MIB, f"{peak / MIB:.0f} MiB at the peak"
    assert answer.json()["detail"] == (
        f"url: {url} does not serve a Statuspage v2 API (summary.json inflates to more than "
        f"{MAX_BYTES:,} bytes, the most one document may hold; not read)"
    )
    assert len(bomb_pages.requests) == 4  # every document tried, each refused


async def test_a_page_answering_json_nested_200000_deep_is_refused_naming_the_depth(
    client, keys, bomb_pages
):
    url = bomb_pages.url("deep")

    answer = await client.post(PATH, json={"url": url}, headers=keys["comms_lead"])

    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"] == (
        f"url: {url} does not serve a Statuspage v2 API "
        "(summary.json is nested deeper than 64 levels; not read)"
    )
