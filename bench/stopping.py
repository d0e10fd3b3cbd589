"""How long `tidings serve` takes to stop on SIGTERM (target: 3 s), idle and while its worker
has an email in flight to a mail server that never answers.

Run with `.venv/bin/python -m bench.stopping`. The test (tests/cli/test_serve_start.py)
asserts a loose bound on a busy machine; this prints the figure on a quiet one.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PY = sys.executable
TARGET = 3.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PY, "-m", "app.cli", *args], env=env, capture_output=True, text=True, check=True
    ).stdout


def _stop_seconds(env: dict[str, str], *, email_in_flight: bool) -> float:
    silent = socket.create_server(("127.0.0.1", 0))
    env = {**env, "TIDINGS_SMTP_PORT": str(silent.getsockname()[1])}
    key = _run(env, "create-api-key", "--role", "admin").strip().splitlines()[-1]
    port = _free_port()
    server = subprocess.Popen(
        [PY, "-m", "app.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    held = []
    if email_in_flight:
        for path, body in (
            ("/api/v1/subscribers", {"kind": "email", "address": "reader@example.org"}),
            ("/api/v1/incidents", {"title": "Down", "impact": "minor", "body": "Looking."}),
        ):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}",
                data=json.dumps({**body, "publish": True}).encode(),
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            )
            urllib.request.urlopen(request, timeout=30).close()
        silent.settimeout(30)
        held.append(silent.accept()[0])
    started = time.monotonic()
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)
    took = time.monotonic() - started
    for connection in held:
        connection.close()
    silent.close()
    return took


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        env = {
            **os.environ,
            "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{Path(work) / 'bench.db'}",
        }
        _run(env, "migrate")
        for label, in_flight in (("idle", False), ("an email in flight, mail server silent", True)):
            took = _stop_seconds(env, email_in_flight=in_flight)
            print(f"SIGTERM to exit, {label}: {took:.2f} s (target {TARGET:g} s)")


if __name__ == "__main__":
    main()
