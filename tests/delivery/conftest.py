"""Peers only delivery tests need; the SMTP server and the worker are in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.peers import HttpReceiver


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    """A real webhook endpoint on loopback that records what it receives."""
    server = HttpReceiver()
    server.start()
    yield server
    server.stop()
