"""desk users' email, and author notices in the outbox

A desk user may give an email address and ask to hear when their draft is published or
sent back; that notice is an outbox row addressed to the user instead of a subscriber.

Revision ID: 0012_user_email
Revises: 0011_maintenance
Create Date: 2026-11-29 20:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_user_email"
down_revision: str | Sequence[str] | None = "0011_maintenance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        batch_op.add_column(
            sa.Column("notify_me", sa.Boolean(), server_default="0", nullable=False)
        )
    # Recreated on SQLite: keep its ids never reused (AUTOINCREMENT).
    with op.batch_alter_table(
        "deliveries", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.alter_column("subscriber_id", existing_type=sa.String(length=12), nullable=True)
        batch_op.add_column(sa.Column("user_id", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("notice", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deliveries_user_id_users"),
            "users",
            ["user_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    op.execute("DELETE FROM deliveries WHERE subscriber_id IS NULL")
    with op.batch_alter_table(
        "deliveries", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_deliveries_user_id_users"), type_="foreignkey")
        batch_op.drop_column("notice")
        batch_op.drop_column("user_id")
        batch_op.alter_column("subscriber_id", existing_type=sa.String(length=12), nullable=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("notify_me")
        batch_op.drop_column("email")
