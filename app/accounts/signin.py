"""Signing in to the desk without letting anyone guess passwords or lock a person out.

Every attempt is counted in the database (`app.db.rates`, shared by every process) *before*
its password is checked, so a burst of concurrent guesses gets at most the limit checked.
Attempts count per user name and per client address, over a window of 15 minutes.

A browser that has signed in as the user before holds a device cookie: a random token with
an HMAC keyed by the server's secret *and the user's password hash*. Knowing the user
name, or even the server's secret key, is not enough to make one. Attempts that carry a
valid proof for the user are counted per device instead, so an attacker who exhausts the
user name's allowance does not lock out the person at their own browser. A right password
takes its attempt back: only failures use up the allowance.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.models import User
from app.accounts.service import find_user, verify_password
from app.db.rates import hit

WINDOW = 15 * 60
PER_USER = 10  # failed attempts per user name (from browsers without that user's proof)
PER_CLIENT = 20  # per client address (a shared office address has several people)
PER_DEVICE = 10  # per proven device, counted apart from the user name's allowance


def _proof(secret: str, user: User, token: str) -> str:
    key = hashlib.sha256(f"{secret}\x00{user.password_hash}".encode()).digest()
    return hmac.new(key, f"device:{user.id}:{token}".encode(), hashlib.sha256).hexdigest()[:40]


def device_cookie_value(secret: str, user: User, token: str | None = None) -> str:
    """The device cookie for a browser where `user` just signed in."""
    token = token or secrets.token_urlsafe(16)
    return f"{token}.{_proof(secret, user, token)}"


def proven_device(secret: str, user: User | None, cookie: str | None) -> str | None:
    """The device token when `cookie` proves a past sign-in of `user` here, else None."""
    if user is None or not cookie:
        return None
    token, _, proof = cookie.partition(".")
    if not token or not hmac.compare_digest(_proof(secret, user, token), proof):
        return None
    return token


@dataclass(frozen=True)
class Attempt:
    user: User | None  # the user, when the password was right
    refused: bool = False  # over a limit: the password was not checked
    device: str | None = None  # the device cookie's value to send back after a success


async def attempt_sign_in(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    secret: str,
    username: str,
    password: str,
    client: str,
    device_cookie: str | None,
) -> Attempt:
    """Count the attempt, then (within the limits) check the password off the event loop."""
    # The counts are committed at once in a session of their own: another request (or
    # process) sees them before this one's argon2 check has finished.
    async with sessionmaker() as session:
        user = await find_user(session, username)
        device = proven_device(secret, user, device_cookie)
        if device is not None:
            counted = [("signin-device", device, PER_DEVICE)]
        else:
            counted = [
                ("signin-user", username.strip().lower(), PER_USER),
                ("signin-client", client, PER_CLIENT),
            ]
        over = False
        for scope, subject, limit in counted:
            over |= await hit(session, scope, subject, window=WINDOW) > limit
        await session.commit()
    if over:
        return Attempt(user=None, refused=True)
    if not await verify_password(user, password):
        return Attempt(user=None)
    assert user is not None
    async with sessionmaker() as session:
        for scope, subject, _limit in counted:
            await hit(session, scope, subject, window=WINDOW, amount=-1)
        await session.commit()
    return Attempt(user=user, device=device_cookie_value(secret, user, device))
