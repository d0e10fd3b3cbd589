"""`tidings serve --workers N`: several web processes on one port, pages gzipped."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from app.cli import WORKER_STOP_SECONDS


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
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=1):
                    break
            except OSError:
                assert server.poll() is None, "tidings serve stopped"
                assert time.monotonic() < deadline, "tidings serve did not answer"
                time.sleep(0.2)
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


def _stop(server: subprocess.Popen[bytes]) -> float:
    """Stop `tidings serve` as systemd or Ctrl-C would; the seconds it took to exit."""
    started = time.monotonic()
    server.terminate()
    try:
        server.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    return time.monotonic() - started


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
    seconds = _stop(server)
    server.stdout.close()
    assert seconds < WORKER_STOP_SECONDS + 10, f"tidings serve took {seconds:.1f} s to stop"
