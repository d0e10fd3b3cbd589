"""`tidings worker` processes for tests, and waiting for what they send."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.peers import SmtpServer

ROOT = Path(__file__).resolve().parents[2]


def start_worker(
    database_url: str, smtp_port: int, log: Path, **env: str
) -> subprocess.Popen[bytes]:
    """A worker process on the test database, sending to `smtp_port`; `env` adds or
    overrides TIDINGS_ variables (WORKER_CONCURRENCY="4" becomes TIDINGS_WORKER_...)."""
    variables = {
        **os.environ,
        "TIDINGS_DATABASE_URL": database_url,
        "TIDINGS_BASE_URL": "http://status.example.test",
        "TIDINGS_SECRET_KEY": "test-secret-key-0123456789",
        "TIDINGS_SMTP_HOST": "127.0.0.1",
        "TIDINGS_SMTP_PORT": str(smtp_port),
        **{f"TIDINGS_{name}": value for name, value in env.items()},
    }
    with log.open("ab") as out:
        # `-m` from the repository's root: the code under test, whatever is installed.
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"],
            env=variables,
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )


async def accepted(smtp: SmtpServer, count: int, stall: float = 60.0) -> bool:
    """Wait until the server has accepted `count` messages. Give up only once none arrived
    for `stall` seconds: a busy machine is slow, but a stuck worker stops the test."""
    seen, deadline = smtp.count(), time.monotonic() + stall
    while smtp.count() < count:
        if smtp.count() != seen:
            seen, deadline = smtp.count(), time.monotonic() + stall
        elif time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True
