"""server-side desk sessions and shared rate counters

`admin_sessions` keeps each signed-in desk session (by the hash of its cookie token) so
that it can be checked against its user on every request and revoked; `rate_counters`
counts sign-in and subscribe attempts in the database, shared by every process.

Revision ID: 0009_sessions
Revises: 0008
Create Date: 2026-11-29 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.base

revision: str = '0009_sessions'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'admin_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=12), nullable=False),
        sa.Column('created_at', app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['users.id'],
            name=op.f('fk_admin_sessions_user_id_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_sessions')),
    )
    op.create_index(
        op.f('ix_admin_sessions_user_id'), 'admin_sessions', ['user_id'], unique=False
    )
    op.create_table(
        'rate_counters',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_counters')),
    )
    op.create_index(
        op.f('ix_rate_counters_expires_at'), 'rate_counters', ['expires_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_rate_counters_expires_at'), table_name='rate_counters')
    op.drop_table('rate_counters')
    op.drop_index(op.f('ix_admin_sessions_user_id'), table_name='admin_sessions')
    op.drop_table('admin_sessions')
