"""The shared attempt counter slides: attempts just before a window ends still count just
after it, so no one gets twice the limit by waiting for the turn of a window."""

from __future__ import annotations

from app.db.rates import hit
from app.lib.clock import utcnow

WINDOW = 900.0


async def test_guesses_spent_just_before_a_window_ends_still_count_just_after_it(
    sessionmaker, clock
):
    clock.advance(seconds=WINDOW - utcnow().timestamp() % WINDOW - 3)  # 3 s before the turn
    async with sessionmaker() as session:
        for _ in range(10):
            await hit(session, "guess", "lead", window=WINDOW)
        await session.commit()

    clock.advance(seconds=6)  # a new window has begun
    async with sessionmaker() as session:
        assert await hit(session, "guess", "lead", window=WINDOW) == 11  # fixed windows: 1
        await session.commit()

    clock.advance(seconds=2 * WINDOW)  # two whole quiet windows later
    async with sessionmaker() as session:
        assert await hit(session, "guess", "lead", window=WINDOW) == 1
        await session.commit()


async def test_a_whole_limit_spent_a_moment_before_the_turn_buys_no_extra_guess_after_it(
    sessionmaker, clock
):
    clock.advance(seconds=WINDOW - utcnow().timestamp() % WINDOW - 0.2)
    async with sessionmaker() as session:
        for _ in range(10):
            await hit(session, "guess", "lead", window=WINDOW)
        await session.commit()

    clock.advance(seconds=0.4)  # the window has just turned
    async with sessionmaker() as session:
        assert await hit(session, "guess", "lead", window=WINDOW) == 11
        await session.commit()


async def test_each_subject_and_scope_counts_on_its_own(sessionmaker):
    async with sessionmaker() as session:
        assert await hit(session, "guess", "lead", window=WINDOW) == 1
        assert await hit(session, "guess", "lead", window=WINDOW) == 2
        assert await hit(session, "guess", "rita", window=WINDOW) == 1
        assert await hit(session, "subscribe", "lead", window=WINDOW) == 1
        await session.commit()
