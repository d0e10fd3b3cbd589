"""languages: the language a customer's readers and a subscriber are written to in

Both are empty by default, which means the site's language (TIDINGS_LANGUAGE): nothing
changes for an installation until someone chooses.

Revision ID: 0021_languages
Revises: 0020_send_paces
Create Date: 2026-12-07 10:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_languages"
down_revision: str | Sequence[str] | None = "0020_send_paces"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("language")
