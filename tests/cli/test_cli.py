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


def test_create_user_takes_an_email_to_be_told_at_and_checks_it(demo_db):
    folder, _out = demo_db
    base = ("create-user", "--role", "responder", "--password", "long enough pass")
    bad = _tidings(folder, *base, "ann", "--email", "ann at example", "--notify-me")
    assert bad.returncode != 0
    assert "must be an email address" in bad.stderr
    none = _tidings(folder, *base, "ann", "--notify-me")
    assert none.returncode != 0
    assert "give an email address" in none.stderr
    ok = _tidings(folder, *base, "ann", "--email", "Ann@Example.ORG", "--notify-me")
    assert ok.returncode == 0, ok.stderr
    assert "told at Ann@example.org" in ok.stdout


def test_serve_refuses_a_public_address_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TIDINGS_SECRET_KEY"}
    env["TIDINGS_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--host", "0.0.0.0", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "TIDINGS_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_serve_on_loopback_may_run_with_the_development_key(host):
    from app.settings import is_loopback

    assert is_loopback(host)
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.7")


def _desk(folder: Path, name: str, password: str) -> TestClient:  # type: ignore[type-arg]
    """A browser signed in to the desk of the CLI's database as `name`."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{folder / 'cli.db'}", run_worker=False)
    client = TestClient(create_app(settings), base_url="http://127.0.0.1:8000")
    client.__enter__()
    form = client.get("/admin/sign-in")
    token = re.search(r'name="_csrf" value="([^"]+)"', form.text)
    assert token
    signed_in = client.post(
        "/admin/sign-in",
        data={"username": name, "password": password, "_csrf": token.group(1)},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    assert client.get("/admin", follow_redirects=False).status_code == 200
    return client


def test_set_password_and_remove_user_end_that_users_desk_sessions(demo_db):
    folder, _out = demo_db
    for name in ("pat", "kim"):
        made = _tidings(
            folder, "create-user", name, "--role", "responder", "--password", "first password"
        )
        assert made.returncode == 0, made.stderr
    pat, kim = _desk(folder, "pat", "first password"), _desk(folder, "kim", "first password")
    try:
        changed = _tidings(folder, "set-password", "pat", "--password", "second password")
        assert changed.returncode == 0, changed.stderr
        assert "sessions are ended" in changed.stdout
        assert pat.get("/admin", follow_redirects=False).status_code == 303
        assert kim.get("/admin", follow_redirects=False).status_code == 200

        removed = _tidings(folder, "remove-user", "kim")
        assert removed.returncode == 0, removed.stderr
        assert kim.get("/admin", follow_redirects=False).status_code == 303
        gone = _tidings(folder, "remove-user", "kim")
        assert gone.returncode != 0 and "no user named 'kim'" in gone.stderr
    finally:
        pat.__exit__(None, None, None)
        kim.__exit__(None, None, None)
