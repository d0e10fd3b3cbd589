"""The `tidings` command a newcomer runs: migrate, demo, keys, users."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import TestClient

from app.asgi import create_app
from app.settings import Settings


def _tidings(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("cli")
    assert _tidings(folder, "migrate").returncode == 0
    result = _tidings(folder, "demo")
    assert result.returncode == 0, result.stderr
    return folder, result.stdout


def test_demo_loads_a_realistic_page_and_prints_where_to_look(demo_db):
    _folder, out = demo_db
    assert "12 components" in out
    assert "3 customers" in out
    assert "Public status page:" in out
    assert "/c/" in out
    assert re.search(r"Admin API key: +tid_", out)
    assert re.search(r"Admin desk, comms_lead: +http\S+/admin  user lead  password \S+", out)


def test_demo_does_not_load_twice(demo_db):
    folder, _out = demo_db
    result = _tidings(folder, "demo")
    assert "not loaded again" in result.stdout


def test_a_created_api_key_is_printed_once_and_works(demo_db):
    folder, _out = demo_db
    result = _tidings(folder, "create-api-key", "--role", "responder", "--name", "ci")
    assert result.returncode == 0
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("tid_")
    settings = Settings(database_url=f"sqlite+aiosqlite:///{folder / 'cli.db'}", run_worker=False)
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200
        assert any(i["status"] == "investigating" for i in response.json())


def test_create_user_refuses_a_short_password(demo_db):
    folder, _out = demo_db
    result = _tidings(folder, "create-user", "sam", "--role", "comms_lead", "--password", "short")
    assert result.returncode != 0
    assert "at least 8 characters" in result.stderr
    ok = _tidings(
        folder, "create-user", "sam", "--role", "comms_lead", "--password", "long enough pass"
    )
    assert ok.returncode == 0
