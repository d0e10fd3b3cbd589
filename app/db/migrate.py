"""Bring a database to the newest schema with Alembic (the only way tables are made)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from app.lib.paths import MIGRATIONS, ROOT


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str) -> None:
    """`alembic upgrade heads`; must be called where no event loop is running."""
    command.upgrade(alembic_config(database_url), "heads")


def newest_revisions() -> set[str]:
    """The schema revisions this code needs (the heads of its migrations)."""
    return set(ScriptDirectory.from_config(alembic_config("")).get_heads())


def revisions_between(before: set[str], after: set[str]) -> list[str]:
    """The migrations that took a database from `before` (empty: none) to `after`, oldest
    first."""
    script = ScriptDirectory.from_config(alembic_config(""))

    def with_ancestors(heads: set[str]) -> list[str]:
        if not heads:
            return []
        steps = script.iterate_revisions(tuple(heads), "base")
        return [step.revision for step in reversed(list(steps))]

    done = set(with_ancestors(before))
    return [revision for revision in with_ancestors(after) if revision not in done]
