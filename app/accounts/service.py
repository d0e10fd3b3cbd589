"""API keys and users: creation, lookup, verification."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.actor import Actor
from app.accounts.models import ApiKey, Role, User
from app.lib.clock import utcnow
from app.lib.errors import Conflict, InvalidInput, NotFound

KEY_PREFIX = "tid_"
_hasher = PasswordHasher()


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


async def actor_for_key(session: AsyncSession, raw: str) -> tuple[ApiKey, Actor] | None:
    key = await session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(raw)))
    if key is None or key.revoked_at is not None:
        return None
    return key, Actor(name=f"key:{key.name}", role=Role(key.role))


async def create_user(session: AsyncSession, *, username: str, password: str, role: Role) -> User:
    username = username.strip()
    if not username:
        raise InvalidInput("username must not be blank", field="username")
    if len(password) < 8:
        raise InvalidInput("password must be at least 8 characters", field="password")
    if await session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(f"a user named {username!r} already exists", field="username")
    user = User(username=username, password_hash=_hasher.hash(password), role=role.value)
    session.add(user)
    await session.flush()
    return user


async def authenticate_user(session: AsyncSession, *, username: str, password: str) -> User | None:
    user = await session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        # Spend the same time as a real check so timing does not reveal which names exist.
        _hasher.hash(password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


async def set_password(session: AsyncSession, *, username: str, password: str) -> User:
    """Replace a user's password (only the argon2 hash is kept)."""
    if len(password) < 8:
        raise InvalidInput("password must be at least 8 characters", field="password")
    user = await session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise InvalidInput(f"no user named {username!r}", field="username")
    user.password_hash = _hasher.hash(password)
    await session.flush()
    return user


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
