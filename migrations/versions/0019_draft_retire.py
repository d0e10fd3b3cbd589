"""retired drafts: the draft written at declare time leaves the queue once other words went out

The first words of a declared incident are drafted at once, from a template. When other
words are published for that moment first, that draft would still wait in the queue and
could go out after them, saying the incident had only just begun. It is now retired: it
leaves the queue with a note saying why, and stays on the incident's record. A review
records whether its draft was written at declare time, and when and why it was retired.

Revision ID: 0019_draft_retire
Revises: 0018_promise_nudges
Create Date: 2026-12-07 08:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.base

revision: str = "0019_draft_retire"
down_revision: str | Sequence[str] | None = "0018_promise_nudges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("comms_reviews", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("declared", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("retired_at", app.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("retired_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comms_reviews", schema=None) as batch_op:
        batch_op.drop_column("retired_note")
        batch_op.drop_column("retired_at")
        batch_op.drop_column("declared")
