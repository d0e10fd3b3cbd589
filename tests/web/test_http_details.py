"""HTTP details monitors and browsers rely on: HEAD, one charset, a favicon, a theme that exists."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from app.asgi import create_app
from app.settings import ConfigError, Settings
from tests.support import factories


async def _world(client, keys) -> dict[str, str]:  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    incident = await factories.incident(
        client, keys["comms_lead"], "Slow API", body="Slow.", publish=True
    )
    return {
        "token_prefix": acme["page_url"].split("://", 1)[1].split("/", 1)[1].rstrip("/"),
        "incident": incident["id"],
        "component": api["id"],
    }


@pytest.mark.parametrize("path", ["/", "/livez", "/api/v2/summary.json"])
async def test_head_answers_200_with_the_get_headers_and_no_body(client, path):
    got = await client.get(path)
    head = await client.head(path)
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "cache-control"):
        assert head.headers.get(name) == got.headers.get(name), name


async def test_every_public_get_route_answers_head(client, keys):
    world = await _world(client, keys)
    customer = "/" + world["token_prefix"]
    paths = [
        "/",
        "/history",
        f"/incidents/{world['incident']}",
        "/subscribe",
        "/feed.atom",
        "/feed.rss",
        "/maintenance.ics",
        f"/components/{world['component']}/feed.atom",
        "/api/v2/summary.json",
        "/api/v2/status.json",
        "/favicon.ico",
        "/static/tidings.css",
        "/livez",
        "/readyz",
        customer + "/",
        customer + "/history",
        customer + "/feed.atom",
        customer + "/maintenance.ics",
    ]
    for path in paths:
        head = await client.head(path)
        assert head.status_code == 200, path
        assert head.content == b"", path


async def test_head_keeps_a_304_for_a_browser_that_has_the_page(client):
    etag = (await client.get("/")).headers["etag"]
    head = await client.head("/", headers={"If-None-Match": etag})
    assert head.status_code == 304


async def test_head_on_a_post_only_route_is_still_refused(client):
    assert (await client.head("/api/v1/incidents/nope/updates")).status_code in (401, 405)


async def test_every_public_page_names_one_charset(client, keys):
    world = await _world(client, keys)
    customer = "/" + world["token_prefix"]
    paths = [
        "/",
        "/history",
        f"/incidents/{world['incident']}",
        "/subscribe",
        "/feed.atom",
        "/feed.rss",
        "/maintenance.ics",
        "/api/v2/summary.json",
        "/embed.js",
        "/badge.svg",
        "/static/tidings.css",
        customer + "/",
        customer + "/history",
    ]
    for path in paths:
        response = await client.get(path)
        assert response.status_code == 200, path
        content_type = response.headers["content-type"]
        assert content_type.lower().count("charset") <= 1, (path, content_type)
        if content_type.startswith("text/"):
            assert content_type.lower().count("charset=utf-8") == 1, (path, content_type)


async def test_the_favicon_is_the_themes_icon(client):
    response = await client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] in ("image/vnd.microsoft.icon", "image/x-icon")
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert "max-age" in response.headers["cache-control"]


def test_an_unknown_theme_is_refused_naming_the_variable():
    with pytest.raises(ConfigError, match="TIDINGS_THEME") as caught:
        Settings.from_env({"TIDINGS_THEME": "nope"})
    assert "\n" not in str(caught.value)
    with pytest.raises(ConfigError, match="TIDINGS_THEME"):
        Settings.from_env({"TIDINGS_THEME": "../templates"})


def test_an_app_built_with_an_unknown_theme_does_not_start(settings):
    with pytest.raises(ConfigError, match="TIDINGS_THEME"):
        create_app(replace(settings, theme="nope"))


def test_the_command_stops_with_one_line_naming_the_theme_variable(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "page-id"],
        env={"TIDINGS_THEME": "nope", "PATH": "/usr/bin:/bin", "PYTHONPATH": "."},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "TIDINGS_THEME" in lines[0], result.stderr
