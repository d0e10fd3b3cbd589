"""API keys and users: creation, lookup, verification."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.models import AdminSession, ApiKey, Role, User
from app.accounts.permissions import Act
from app.audit.service import record
from app.lib.clock import utcnow
from app.lib.emails import clean_email
from app.lib.errors import Conflict, InvalidInput, NotFound

KEY_PREFIX = "tid_"
SESSION_LIFETIME = timedelta(hours=12)
_hasher = PasswordHasher()


async def _hash_password(password: str) -> str:
    # argon2 takes tens of milliseconds of CPU on purpose: never on the event loop.
    return await anyio.to_thread.run_sync(_hasher.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(user: User | None, password: str) -> bool:
    """Whether `password` is `user`'s, checked in a worker thread. Without a user the same
    work is done, so timing does not reveal which names exist."""
    if user is None:
        await _hash_password(password)
        return False
    return await anyio.to_thread.run_sync(_verify, user.password_hash, password)


def hash_key(raw: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough; passwords get argon2 below.
    return hashlib.sha256(raw.encode()).hexdigest()


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(
            f"role must be one of {', '.join(r.value for r in Role)}, got {value!r}", field="role"
        ) from None


async def create_api_key(session: AsyncSession, *, name: str, role: Role) -> tuple[ApiKey, str]:
    """A new key; the raw key is returned this once and only its hash is stored."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, role=role.value, key_hash=hash_key(raw), prefix=raw[:10])
    session.add(key)
    await session.flush()
    return key, raw


async def issue_api_key(
    session: AsyncSession, *, actor: Actor, name: str, role: Role
) -> tuple[ApiKey, str]:
    """The team issues a key (an act of `Act.MANAGE_KEYS`), recorded in the audit log. The
    command line's `create-api-key` runs with the operator's shell, so it calls
    `create_api_key` itself."""
    permissions.require(actor, Act.MANAGE_KEYS)
    if not name.strip():
        raise InvalidInput("name must not be blank", field="name")
    key, raw = await create_api_key(session, name=name.strip(), role=role)
    await record(
        session,
        actor=actor.name,
        action="api_key.create",
        subject_type="api_key",
        subject_id=key.id,
        detail={"role": key.role},
    )
    return key, raw


async def withdraw_api_key(session: AsyncSession, *, actor: Actor, key_id: str) -> ApiKey:
    """The team revokes a key (an act of `Act.MANAGE_KEYS`), recorded in the audit log."""
    permissions.require(actor, Act.MANAGE_KEYS)
    key = await revoke_api_key(session, key_id=key_id)
    await record(
        session,
        actor=actor.name,
        action="api_key.revoke",
        subject_type="api_key",
        subject_id=key.id,
    )
    return key


async def actor_for_key(session: AsyncSession, raw: str) -> tuple[ApiKey, Actor] | None:
    key = await session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(raw)))
    if key is None or key.revoked_at is not None:
        return None
    return key, Actor.for_key(key.id, name=key.name, role=Role(key.role))


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    role: Role,
    email: str | None = None,
    notify_me: bool = False,
) -> User:
    username = username.strip()
    if not username:
        raise InvalidInput("username must not be blank", field="username")
    if len(password) < 8:
        raise InvalidInput("password must be at least 8 characters", field="password")
    if await session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(f"a user named {username!r} already exists", field="username")
    email, notify_me = _email_choice(email, notify_me)
    user = User(
        username=username,
        password_hash=await _hash_password(password),
        role=role.value,
        email=email,
        notify_me=notify_me,
    )
    session.add(user)
    await session.flush()
    return user


def _email_choice(email: str | None, notify_me: bool) -> tuple[str | None, bool]:
    """An address is checked like a subscriber's; asking for email needs one."""
    address = clean_email(email, field="email") if email and email.strip() else None
    if notify_me and address is None:
        raise InvalidInput("give an email address to be told by email", field="email")
    return address, notify_me


async def update_settings(
    session: AsyncSession, *, user_id: str, email: str | None, notify_me: bool
) -> User:
    """A desk user's own email address and whether their drafts' fate is sent there."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    user.email, user.notify_me = _email_choice(email, notify_me)
    await session.flush()
    return user


async def find_user(session: AsyncSession, username: str) -> User | None:
    return await session.scalar(select(User).where(User.username == username.strip()))


async def authenticate_user(session: AsyncSession, *, username: str, password: str) -> User | None:
    user = await find_user(session, username)
    return user if await verify_password(user, password) else None


async def set_password(session: AsyncSession, *, username: str, password: str) -> User:
    """Replace a user's password (only the argon2 hash is kept) and end every session of
    theirs: whoever held one must sign in with the new password."""
    if len(password) < 8:
        raise InvalidInput("password must be at least 8 characters", field="password")
    user = await find_user(session, username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
    user.password_hash = await _hash_password(password)
    await revoke_sessions(session, user_id=user.id)
    await session.flush()
    return user


async def remove_user(session: AsyncSession, *, username: str) -> User:
    """Remove a user and end every session of theirs (at once, not at the cookie's expiry)."""
    user = await find_user(session, username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
    await revoke_sessions(session, user_id=user.id)
    await session.delete(user)
    await session.flush()
    return user


# Desk sessions: the cookie carries a random token, the table the token's hash.


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(session: AsyncSession, *, user_id: str) -> str:
    """A new desk session for the user; the token (for the cookie) is returned once."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AdminSession(
            id=session_id(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    await session.flush()
    return token


async def session_user(session: AsyncSession, token: str) -> User | None:
    """The user a live session token belongs to, read fresh from the users table (their
    role as it is now); None for an unknown, ended or expired token."""
    now = utcnow()
    row = (
        await session.execute(
            select(AdminSession, User)
            .join(User, User.id == AdminSession.user_id)
            .where(AdminSession.id == session_id(token), AdminSession.expires_at > now)
        )
    ).first()
    if row is None:
        return None
    found, user = row
    if now - found.last_seen_at > timedelta(minutes=1):  # not a write on every page view
        found.last_seen_at = now
    return user


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(AdminSession).where(AdminSession.id == session_id(token)))


async def revoke_sessions(session: AsyncSession, *, user_id: str) -> int:
    """End every desk session of a user; how many there were."""
    result = await session.execute(delete(AdminSession).where(AdminSession.user_id == user_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def touch_key(session: AsyncSession, key: ApiKey) -> None:
    key.last_used_at = utcnow()


async def list_api_keys(session: AsyncSession) -> list[ApiKey]:
    return list((await session.scalars(select(ApiKey).order_by(ApiKey.created_at))).all())


async def revoke_api_key(session: AsyncSession, *, key_id: str) -> ApiKey:
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"no API key with id {key_id!r}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key
