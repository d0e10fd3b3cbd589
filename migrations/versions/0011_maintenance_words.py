"""maintenance words approved in advance

A maintenance window's words for "scheduled", "in progress" and "completed", each approved
by a comms lead before its moment; the worker publishes approved ones at the window's start
and end.

Revision ID: 0011_maintenance
Revises: 0008
Create Date: 2026-11-29 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = '0011_maintenance'
down_revision: str | Sequence[str] | None = '0009_sessions'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'maintenance_words',
        sa.Column('incident_id', sa.String(length=12), nullable=False),
        sa.Column('phase', sa.String(length=16), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('written_by', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('approved_by', sa.String(length=200), nullable=True),
        sa.Column('approved_at', UTCDateTime(), nullable=True),
        sa.Column('update_id', sa.String(length=12), nullable=True),
        sa.Column('published_at', UTCDateTime(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('id', sa.String(length=12), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['incident_id'],
            ['incidents.id'],
            name='fk_maintenance_words_incident_id_incidents',
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['update_id'],
            ['incident_updates.id'],
            name='fk_maintenance_words_update_id_incident_updates',
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name='pk_maintenance_words'),
        sa.UniqueConstraint('incident_id', 'phase', name='uq_maintenance_words_incident_id'),
    )
    op.create_index('ix_maintenance_words_incident_id', 'maintenance_words', ['incident_id'])
    op.create_index('ix_maintenance_words_state', 'maintenance_words', ['state'])


def downgrade() -> None:
    op.drop_index('ix_maintenance_words_state', table_name='maintenance_words')
    op.drop_index('ix_maintenance_words_incident_id', table_name='maintenance_words')
    op.drop_table('maintenance_words')
