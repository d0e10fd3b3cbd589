"""stored page id

`site` holds the page id Statuspage clients are configured with. It is created once, on
first start, instead of being derived from the secret key and base URL, so changing those
settings no longer changes the id under every integration.

Revision ID: 0006_page_id
Revises: 0005
Create Date: 2026-11-29 15:49:46.081832
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.base


revision: str = '0006_page_id'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('site',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.String(length=12), nullable=False),
    sa.Column('created_at', app.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site'))
    )


def downgrade() -> None:
    op.drop_table('site')
