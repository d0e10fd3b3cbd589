"""`tidings worker` as a real process of its own, for tests that kill it or watch it work."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

# The checkout these tests belong to: the worker runs its code, whichever checkout the
# shared `tidings` command was installed from.
ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    """Starts `tidings worker` against a database and an SMTP port; SIGKILL or SIGTERM it."""

    def __init__(self, database_url: str, smtp_port: int, log: Path, **env: str) -> None:
        self.env = {
            **os.environ,
            "TIDINGS_DATABASE_URL": database_url,
            "TIDINGS_BASE_URL": "http://status.example.test",
            "TIDINGS_SECRET_KEY": "test-secret-key-0123456789",
            "TIDINGS_SMTP_HOST": "127.0.0.1",
            "TIDINGS_SMTP_PORT": str(smtp_port),
            # A short lease, so the rows a killed worker held come due again quickly.
            "TIDINGS_WORKER_LEASE_SECONDS": "1",
            "TIDINGS_WORKER_RETRY_BASE_SECONDS": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            **env,
        }
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        tidings = Path(sys.executable).parent / "tidings"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(tidings), "worker"], env=self.env, stdout=out, stderr=out
            )

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, as a crash or the OOM killer would stop it."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> int:
        """SIGTERM, and its exit code (0 when it stopped cleanly)."""
        if self.process is None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self.process = None

    def peak_memory_mb(self) -> float:
        """The process's peak resident memory so far (VmHWM), in MB."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        (line,) = [x for x in status.splitlines() if x.startswith("VmHWM:")]
        return int(line.split()[1]) / 1024

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


async def until(condition: Callable[[], bool], stall: float = 60.0) -> bool:
    """Wait until `condition()` holds; give up once `stall` seconds passed without it."""
    deadline = time.monotonic() + stall
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True
