"""`tidings copy`: the static copy kept fresh by a process of its own, beside web processes
that serve without one (`tidings serve --no-copy`)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import factories
from tests.support.polling import eventually, eventually_blocking
from tests.support.worker_process import ROOT


@pytest.fixture
def copy_process(database_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`tidings copy` keeping tmp_path/copy, its output in tmp_path/copy.log; stopped (and
    killed, should it hang) after the test, whatever the test did to it."""
    env = {
        **os.environ,
        "TIDINGS_DATABASE_URL": database_url,
        "TIDINGS_BASE_URL": "http://status.example.test",
        "TIDINGS_SECRET_KEY": "test-secret-key-0123456789",
        "TIDINGS_TIME_ZONE": "Etc/UTC",
        "TIDINGS_STATIC_DIR": str(tmp_path / "copy"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    with (tmp_path / "copy.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "copy"], env=env, stdout=log, stderr=log
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def _shows(folder: Path, text: str) -> bool:
    try:
        return text in (folder / "index.html").read_text()
    except OSError:  # not written yet
        return False


async def test_the_copy_process_shows_a_publish_made_by_the_app_and_stops_on_sigterm(
    copy_process, client, keys, tmp_path
):
    folder = tmp_path / "copy"
    log = tmp_path / "copy.log"
    # Its first whole copy: the process has built the app and runs its lifespan.
    assert await eventually(lambda: (folder / "index.html").is_file(), seconds=60), log.read_text(
        errors="replace"
    )
    incident = await factories.incident(client, keys["responder"], "Invoices are late")
    await factories.publish(client, keys["comms_lead"], incident["id"], "Looking into it.")
    # The copy process learns of the publish from the database alone (its page cache
    # follows other processes' changes), then writes the front page again.
    assert await eventually(lambda: _shows(folder, "Invoices are late"), seconds=30), log.read_text(
        errors="replace"
    )
    assert (folder / "incidents" / incident["id"] / "index.html").is_file()
    copy_process.send_signal(signal.SIGTERM)
    exit_code = await asyncio.to_thread(copy_process.wait, 60)
    assert exit_code == 0, log.read_text(errors="replace")


def test_the_copy_command_without_a_folder_says_what_to_set(database_url):
    env = {**os.environ, "TIDINGS_DATABASE_URL": database_url, "TIDINGS_STATIC_DIR": ""}
    finished = subprocess.run(
        [sys.executable, "-m", "app.cli", "copy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode != 0
    assert "TIDINGS_STATIC_DIR" in finished.stderr


def test_serve_with_no_copy_writes_no_copy_though_the_folder_is_set(database_url, tmp_path):
    folder = tmp_path / "copy"
    env = {
        **os.environ,
        "TIDINGS_DATABASE_URL": database_url,
        "TIDINGS_RUN_WORKER": "0",
        "TIDINGS_STATIC_DIR": str(folder),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--no-copy"], env=env
    )

    def answers() -> bool:
        assert server.poll() is None, "tidings serve stopped"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        assert eventually_blocking(answers, seconds=60, interval=0.2), "serve did not answer"
        # The app has run its lifespan and rendered its front page: a copy it kept would
        # have begun by now (its first write starts at once).
        assert not folder.exists()
    finally:
        server.terminate()
        server.wait(timeout=60)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
