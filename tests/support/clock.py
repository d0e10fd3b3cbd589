"""A wall clock that tests move forward, in place of sleeping until time has passed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from time_machine import TimeMachineFixture


class Clock:
    """The wall clock as the app reads it (`utcnow()`, `time.time()`), moved by the test.

    It keeps ticking from where it is set, so rows written one after another still sort in
    order. The event loop's own clock (monotonic) is not moved: timers, timeouts and a
    worker's lease renewals run in real time. The database sees the travelled time because
    the app writes and compares timestamps from `utcnow()` in Python; a database-side
    `now()` would not travel.
    """

    def __init__(self, machine: TimeMachineFixture) -> None:
        self._machine = machine
        machine.move_to(datetime.now(UTC), tick=True)

    def advance(self, **delta: float) -> None:
        """Jump forward, e.g. `clock.advance(minutes=5)`."""
        self._machine.shift(timedelta(**delta))
