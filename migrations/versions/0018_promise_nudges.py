"""promises chosen in minutes, and the nudges sent before and when they lapse

A draft may promise "next update in N minutes", counted from its publication
(`incident_updates.promise_minutes`). The worker tells the comms leads (and the team's own
chat channel) when a promise is about to come due and when it lapses, once per promise:
`comms_promise_nudges` holds one row per (incident, promised time, kind).

Revision ID: 0018_promise_nudges
Revises: 0017_bounce_quarantine
Create Date: 2026-12-07 08:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = "0018_promise_nudges"
down_revision: str | Sequence[str] | None = "0017_bounce_quarantine"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incident_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("promise_minutes", sa.Integer(), nullable=True))
    op.create_table(
        "comms_promise_nudges",
        sa.Column("incident_id", sa.String(length=12), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name="fk_comms_promise_nudges_incident_id_incidents",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_comms_promise_nudges"),
        sa.UniqueConstraint(
            "incident_id", "due_at", "kind", name="uq_comms_promise_nudges_incident_id"
        ),
    )
    op.create_index(
        "ix_comms_promise_nudges_incident_id",
        "comms_promise_nudges",
        ["incident_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_comms_promise_nudges_incident_id", table_name="comms_promise_nudges")
    op.drop_table("comms_promise_nudges")
    with op.batch_alter_table("incident_updates", schema=None) as batch_op:
        batch_op.drop_column("promise_minutes")
