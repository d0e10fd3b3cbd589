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
        server.terminate()
        server.wait(timeout=30)
