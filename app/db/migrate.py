"""Bring a database to the newest schema with Alembic (the only way tables are made)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.lib.paths import MIGRATIONS, ROOT


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str) -> None:
    """`alembic upgrade heads`; must be called where no event loop is running."""
    command.upgrade(alembic_config(database_url), "heads")
