"""`tidings serve --workers N`: several web processes on one port, pages gzipped."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from app.cli import WORKER_STOP_SECONDS
from tests.support.polling import eventually_blocking


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_with_two_workers_answers_pages_gzipped(tmp_path: Path):
    env = {
        **os.environ,
        "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "TIDINGS_RUN_WORKER": "0",
    }
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], env=env, check=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
    )

    def answers() -> bool:
        assert server.poll() is None, "tidings serve stopped"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=1):
                return True
        except OSError:
            return False

    try:
        assert eventually_blocking(answers, seconds=60, interval=0.2), "serve did not answer"
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/", headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert b"</html>" in gzip.decompress(response.read())
        children = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert len(children) >= 2, f"worker processes: {children}"
    finally:
        _stop(server)


def _stop(server: subprocess.Popen[bytes]) -> bool:
    """Stop `tidings serve` as systemd or Ctrl-C would; whether it exited of itself. The
    wait is a guard against a hang, well above the workers' own stop time: how long a stop
    takes moves with the machine's load, so no test asserts it."""
    server.terminate()
    try:
        server.wait(timeout=WORKER_STOP_SECONDS + 30)
        return True
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        return False


def test_serve_told_to_stop_while_its_workers_start_still_exits(tmp_path: Path):
    env = {
        **os.environ,
        "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "TIDINGS_RUN_WORKER": "0",
    }
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], env=env, check=True, timeout=120)
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(_free_port()), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert server.stdout is not None
    # A stop that lands between spawning a worker and its start used to hang for ever.
    for line in server.stdout:
        if b"Spawning worker-2" in line:
            break
    stopped = _stop(server)
    server.stdout.close()
    assert stopped, "tidings serve did not stop when told to"
