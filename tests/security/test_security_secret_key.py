"""The public development secret key never signs links for a server others can reach: not
behind a proxy whose forwarded headers it trusts, not under a base URL that is not loopback,
even when it listens on 127.0.0.1 (which is exactly the reverse-proxy set-up). It refuses to
start, with one line saying why and what to set."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.settings import Settings
from tests.support.peers import free_port
from tests.support.polling import eventually_blocking

FIX = "set TIDINGS_SECRET_KEY to a long random value"


def _start(
    tmp_path: Path, command: list[str], seconds: float = 60, **env: str
) -> tuple[bool, int | None, str]:
    """Run `tidings <command>` without a secret key on a migrated database: (whether it came
    up and listened, its exit status, what it printed on stderr). One that listens, or still
    runs after `seconds`, is stopped."""
    environment = {k: v for k, v in os.environ.items() if k != "TIDINGS_SECRET_KEY"}
    environment |= {
        "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "TIDINGS_RUN_WORKER": "0",
    }
    subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"],
        env=environment,
        check=True,
        capture_output=True,
        timeout=120,
    )
    environment |= env
    port = free_port()
    if command[0] == "serve":
        command = [*command, "--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", *command],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    listening = False

    def settled() -> bool:  # it listens, or it has exited refusing to
        nonlocal listening
        with socket.socket() as probe:
            listening = probe.connect_ex(("127.0.0.1", port)) == 0
        return listening or process.poll() is not None

    eventually_blocking(settled, seconds, interval=0.1)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    _out, err = process.communicate()
    return listening, process.returncode, err.strip()


def test_serve_on_loopback_under_a_public_base_url_refuses_the_development_key(tmp_path):
    listening, status, err = _start(
        tmp_path, ["serve", "--host", "127.0.0.1"], TIDINGS_BASE_URL="https://status.example.com"
    )

    assert not listening and status != 0
    assert err.count("\n") == 0, err
    assert err.startswith(
        "tidings: TIDINGS_SECRET_KEY is not set and TIDINGS_BASE_URL "
        "(https://status.example.com) is not a loopback address: the development key is public, "
        "so links signed with it can be forged;"
    )
    assert FIX in err


def test_serve_on_loopback_trusting_proxy_headers_refuses_the_development_key(tmp_path):
    listening, status, err = _start(
        tmp_path, ["serve", "--host", "127.0.0.1"], TIDINGS_TRUST_PROXY="1"
    )

    assert not listening and status != 0
    assert err.count("\n") == 0, err
    assert "proxy headers are trusted (TIDINGS_TRUST_PROXY)" in err and FIX in err


def test_the_worker_refuses_to_sign_links_with_the_development_key_for_a_public_page(tmp_path):
    # A worker listens on nothing: one that still runs after 20 s has started.
    _listening, status, err = _start(
        tmp_path, ["worker"], seconds=20, TIDINGS_BASE_URL="https://status.example.com"
    )

    assert status != 0
    assert err.count("\n") == 0, err
    assert "TIDINGS_BASE_URL (https://status.example.com) is not a loopback" in err


def test_proxy_headers_are_trusted_by_default_only_under_a_public_base_url():
    assert Settings.from_env({}).trust_proxy is False
    assert Settings.from_env({"TIDINGS_BASE_URL": "http://localhost:8000"}).trust_proxy is False
    public = Settings.from_env({"TIDINGS_BASE_URL": "https://status.example.com"})
    assert public.trust_proxy is True
    assert Settings.from_env({"TIDINGS_TRUST_PROXY": "1"}).trust_proxy is True


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8000", "http://[::1]:8000"])
def test_a_server_only_this_machine_reaches_still_starts_with_the_development_key(
    tmp_path, base_url
):
    listening, _status, err = _start(
        tmp_path, ["serve", "--host", "127.0.0.1"], TIDINGS_BASE_URL=base_url
    )

    assert listening, err
