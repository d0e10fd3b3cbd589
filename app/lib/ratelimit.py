"""A sliding-window limiter in process memory, for forms that must not be hammered."""

from __future__ import annotations

import time
from collections import deque


class RateLimiter:
    """At most `limit` events per key in a sliding window, in this process's memory."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = {}

    def recent(self, key: str) -> int:
        """How many events `key` had within the window."""
        now = time.monotonic()
        events = self._events.get(key)
        if not events:
            return 0
        while events and events[0] <= now - self.window:
            events.popleft()
        return len(events)

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        if len(self._events) > 100_000:  # keep memory bounded under a flood of keys
            self._events = {k: v for k, v in self._events.items() if v}
        return True


class FailureCounter:
    """Counts failures per key; a key with `limit` failures in `window` seconds is blocked
    (guessing passwords costs a wait, while a person who mistyped twice is not bothered)."""

    def __init__(self, limit: int, window: float) -> None:
        self._limiter = RateLimiter(limit, window)

    def blocked(self, key: str) -> bool:
        events = self._limiter.recent(key)
        return events >= self._limiter.limit

    def record(self, key: str) -> None:
        self._limiter.allow(key)
