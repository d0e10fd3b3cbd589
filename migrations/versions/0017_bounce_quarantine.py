"""quarantine: subscribers that bounce, complain or whose webhook keeps failing

A subscriber is quarantined (when, and why) after a hard bounce, a complaint, too many soft
bounces or too many failed webhook deliveries in a row; a person releases it. Soft bounces
are counted on the subscriber. Inbound bounce webhooks remember the tokens and message ids
they accepted, so a replayed request changes nothing, whichever process it reaches.

Revision ID: 0017_bounce_quarantine
Revises: 0016_sms_subscribers
Create Date: 2026-12-07 08:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_bounce_quarantine"
down_revision: str | Sequence[str] | None = "0016_sms_subscribers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("quarantine_reason", sa.String(length=500), nullable=True))
        batch.add_column(
            sa.Column("soft_bounces", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "inbound_tokens",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "token", name=op.f("pk_inbound_tokens")),
    )
    op.create_index(
        op.f("ix_inbound_tokens_expires_at"), "inbound_tokens", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_inbound_tokens_expires_at"), table_name="inbound_tokens")
    op.drop_table("inbound_tokens")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("soft_bounces")
        batch.drop_column("quarantine_reason")
        batch.drop_column("quarantined_at")
