"""What a worker keeps between its batches so that a message is not made from scratch for
each reader: an update's email words rendered once per audience and language, and the page's
state read once per change.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.changes import read_version
from app.delivery.email import (
    EmailParts,
)
from app.public.snapshot import Snapshot, load_snapshot


class CommonParts:
    """An update's email as every reader of one audience and language gets it, rendered once.

    What differs between two readers of the same audience and language is their
    subscription link (and the envelope and headers, built per reader anyway): the words
    are rendered with a stand-in for the link's token, kept, and each reader's message
    swaps in their token.
    The key holds everything the words are made of, so an edit or a component changing
    status renders afresh; the oldest renderings are dropped past `limit`.
    """

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self.renders = 0  # renderings made (the rest were reused)
        # Random, so that no words anyone writes can contain it by chance or by design.
        self.mark = f"tidings-reader-{secrets.token_hex(12)}"
        self._parts: OrderedDict[Hashable, EmailParts] = OrderedDict()

    def get(self, key: Hashable, render: Callable[[], EmailParts]) -> EmailParts:
        parts = self._parts.get(key)
        if parts is not None:
            self._parts.move_to_end(key)
            return parts
        parts = self._parts[key] = render()
        self.renders += 1
        if len(self._parts) > self.limit:
            self._parts.popitem(last=False)
        return parts


class Snapshots:
    """The page's state for messages, shared by a worker's batches: read again when the
    state version moves, and at least every `max_age` seconds (a scheduled window starts
    by the clock, with no change to announce it)."""

    def __init__(self, max_age: float = 5.0) -> None:
        self.max_age = max_age
        self._held: tuple[int, float, Snapshot] | None = None

    async def get(self, session: AsyncSession) -> Snapshot:
        version = await read_version(session)
        now = time.monotonic()
        if self._held is not None:
            held_version, read_at, snapshot = self._held
            if held_version == version and now - read_at < self.max_age:
                return snapshot
        snapshot = await load_snapshot(session, version=version)
        self._held = (version, now, snapshot)
        return snapshot
