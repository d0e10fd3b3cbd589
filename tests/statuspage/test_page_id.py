"""The page id Statuspage clients are configured with: created once, stored, never derived."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from app.asgi import create_app
from app.components.models import Component
from app.settings import page_id_for
from app.site.models import Site
from app.site.service import ensure_page_id, legacy_page_id


async def test_changing_the_secret_key_and_address_keeps_the_page_id(settings, keys):
    async with AsyncTestClient(create_app(settings)):
        first = page_id_for(settings)

    moved = replace(
        settings,
        secret_key="a-new-production-secret-0123456789",
        base_url="https://status.example.org",
    )
    async with AsyncTestClient(create_app(moved), base_url="https://status.example.org") as client:
        assert page_id_for(moved) == first
        oauth = {"Authorization": "OAuth " + keys["admin"]["Authorization"].split(" ", 1)[1]}
        listed = await client.get(f"/v1/pages/{first}/components", headers=oauth)
        assert listed.status_code == 200, listed.text
        summary = (await client.get("/api/v2/summary.json")).json()
        assert summary["page"]["id"] == first


async def test_a_new_page_gets_a_random_id_not_one_derived_from_its_settings(settings, db):
    page_id = await ensure_page_id(db, settings)
    await db.commit()

    assert len(page_id) == 12 and page_id.isalnum() and page_id.islower()
    assert page_id != legacy_page_id(settings)
    assert await db.scalar(select(Site.page_id)) == page_id
    assert await ensure_page_id(db, replace(settings, secret_key="x" * 32)) == page_id


async def test_an_upgraded_page_keeps_the_id_its_clients_already_use(settings, db):
    # A database that was in use before page ids were stored: it has components, no id row.
    db.add(Component(name="API"))
    await db.commit()

    assert await ensure_page_id(db, settings) == legacy_page_id(settings)


async def test_two_processes_starting_together_agree_on_one_page_id(settings, sessionmaker):
    async with sessionmaker() as first, sessionmaker() as second:
        chosen = await ensure_page_id(first, settings)
        # The second starts while the first has not committed; it must not pick its own.
        racing = asyncio.create_task(ensure_page_id(second, settings))
        await asyncio.sleep(0.2)
        await first.commit()
        assert await racing == chosen
        await second.commit()


def test_tidings_page_id_prints_the_same_id_after_the_secret_key_changes(tmp_path: Path):
    def tidings(*args: str, secret: str) -> str:
        env = {
            **os.environ,
            "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'page.db'}",
            "TIDINGS_SECRET_KEY": secret,
        }
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    tidings("migrate", secret="the-first-secret-key-000")
    before = tidings("page-id", secret="the-first-secret-key-000")
    after = tidings("page-id", secret="a-completely-different-secret-111")

    assert before == after
    assert len(before) == 12 and before.isalnum()
