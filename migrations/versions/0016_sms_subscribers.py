"""SMS subscribers: the reviewer's choice to send an update by SMS

An SMS subscriber keeps its number (E.164) in `subscribers.address`, so the table needs no
new column for it. SMS carries by default only an incident's opening and resolution and a
maintenance's start and end; `incident_updates.send_by_sms` records that a reviewer chose
to send other words by SMS too.

Revision ID: 0016_sms_subscribers
Revises: 0015_author_identity
Create Date: 2026-12-07 08:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_sms_subscribers"
down_revision: str | Sequence[str] | None = "0015_author_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "incident_updates",
        sa.Column("send_by_sms", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("incident_updates", schema=None) as batch_op:
        batch_op.drop_column("send_by_sms")
