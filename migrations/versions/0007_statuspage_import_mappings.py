"""statuspage import mappings

`import_mappings` remembers which local row each object of an imported Statuspage page
(group, component, incident, update) became, keyed by the source's ids, so importing the
same page again brings only what is new or changed and never a duplicate.

Revision ID: 0007_import_mappings
Revises: 0006_page_id
Create Date: 2026-11-29 15:49:46.081832
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.base


revision: str = '0007_import_mappings'
down_revision: str | Sequence[str] | None = '0006_page_id'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('import_mappings',
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.String(length=100), nullable=False),
    sa.Column('local_id', sa.String(length=12), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source', 'kind', 'source_id', name=op.f('pk_import_mappings'))
    )


def downgrade() -> None:
    op.drop_table('import_mappings')
