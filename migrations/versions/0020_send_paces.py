"""send paces: the next moment each provider account may send, shared by every process

SMS providers allow so many messages a second per account. Each worker process paced its
own sends, so two workers sent twice the account's rate. The next free moment per account
now lives in the database, reserved with one atomic upsert.

Revision ID: 0020_send_paces
Revises: 0019_draft_retire
Create Date: 2026-12-07 09:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_send_paces"
down_revision: str | Sequence[str] | None = "0019_draft_retire"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "send_paces",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_send_paces")),
    )


def downgrade() -> None:
    op.drop_table("send_paces")
