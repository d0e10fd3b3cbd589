"""history paths: what each state version changed, so the static copy rewrites only that

The static copy used to ask for every public page after each change, so its cost grew with
the history. Each change now records its subjects (an incident, a component, the customers,
or everything) beside the version it made; the copy turns them into the paths to write.

Revision ID: 0023_history_paths
Revises: 0022_update_languages
Create Date: 2026-12-07 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_history_paths"
down_revision: str | Sequence[str] | None = "0022_update_languages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "state_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_changes")),
    )
    op.create_index(op.f("ix_state_changes_version"), "state_changes", ["version"])


def downgrade() -> None:
    op.drop_index(op.f("ix_state_changes_version"), table_name="state_changes")
    op.drop_table("state_changes")
