"""The schema Alembic builds is the schema the models describe, and what a migration
makes of the rows it finds."""

from __future__ import annotations

import sqlite3

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.db.migrate import alembic_config
from app.db.session import make_engine
from app.models import Base


async def test_migrations_match_the_models(database_url):
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()
    assert diff == []


def test_authorship_is_traced_to_the_one_key_or_user_a_name_points_at(tmp_path):
    """0015: words written before identities were kept get the id their author's name
    points at, when it points at exactly one key or user; the rest are nobody's."""
    path = tmp_path / "old.db"
    config = alembic_config(f"sqlite+aiosqlite:///{path}")
    command.upgrade(config, "0012_user_email")
    now = "2026-12-01 10:00:00.000000"
    with sqlite3.connect(path) as db:
        for key_id, name in (("k1", "solo"), ("k2", "pager"), ("k3", "pager")):
            db.execute(
                "INSERT INTO api_keys (id, name, role, key_hash, prefix, created_at, updated_at) "
                "VALUES (?, ?, 'responder', ?, 'tdg_', ?, ?)",
                (key_id, name, f"hash-{key_id}", now, now),
            )
        db.execute(
            "INSERT INTO users (id, username, password_hash, role, notify_me, created_at, "
            "updated_at) VALUES ('u1', 'rita', 'x', 'responder', 0, ?, ?)",
            (now, now),
        )
        for update_id, author in (
            ("a", "key:solo"),
            ("b", "key:pager"),
            ("c", "rita"),
            ("d", "gone"),
        ):
            db.execute(
                "INSERT INTO incident_updates (id, incident_id, status, body, author, state, "
                "deliver_notifications, created_at, updated_at) "
                "VALUES (?, 'i1', 'investigating', 'Words.', ?, 'draft', 1, ?, ?)",
                (update_id, author, now, now),
            )
    command.upgrade(config, "0015_author_identity")
    with sqlite3.connect(path) as db:
        traced = dict(db.execute("SELECT id, author_id FROM incident_updates").fetchall())
    assert traced == {"a": "key:k1", "b": None, "c": "user:u1", "d": None}
