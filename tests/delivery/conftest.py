"""Peers only delivery tests need: receivers that misbehave on purpose."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.bad_receivers import BadReceiver


@pytest.fixture(name="bad_receivers")
def bad_receivers_fixture() -> Iterator[dict[str, BadReceiver]]:
    receivers = {mode: BadReceiver(mode) for mode in ("trickle", "hang", "huge")}
    for receiver in receivers.values():
        receiver.start()
    yield receivers
    for receiver in receivers.values():
        receiver.stop()
