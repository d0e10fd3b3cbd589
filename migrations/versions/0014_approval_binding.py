"""an approval binds the audience the reviewer saw

A submitted draft records who it reaches as the reviewer will be shown it (the incident's
visibility, customers and components, and the component statuses the words set) with a
short fingerprint of it; words approved in advance for a maintenance window record the
plan's audience at the approval. Rows from before (NULL) bind nothing: they are approved
for what the incident says when they go out, as they were.

Revision ID: 0014_approval_binding
Revises: 0012_user_email
Create Date: 2026-12-07 05:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_approval_binding"
down_revision: str | Sequence[str] | None = "0013_update_audience"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("comms_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_audience", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("submitted_version", sa.String(length=16), nullable=True))
    with op.batch_alter_table("maintenance_words", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_for", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("maintenance_words", schema=None) as batch_op:
        batch_op.drop_column("approved_for")
    with op.batch_alter_table("comms_reviews", schema=None) as batch_op:
        batch_op.drop_column("submitted_version")
        batch_op.drop_column("submitted_audience")
