"""subscribers may follow one incident

A subscriber with an incident_id receives that incident's updates only, until it is
resolved: "Get updates on this incident" on the incident page.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 16:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('subscribers') as batch:
        batch.add_column(sa.Column('incident_id', sa.String(length=12), nullable=True))
        batch.create_index('ix_subscribers_incident_id', ['incident_id'])
        batch.create_foreign_key(
            'fk_subscribers_incident_id_incidents',
            'incidents',
            ['incident_id'],
            ['id'],
            ondelete='CASCADE',
        )


def downgrade() -> None:
    with op.batch_alter_table('subscribers') as batch:
        batch.drop_constraint('fk_subscribers_incident_id_incidents', type_='foreignkey')
        batch.drop_index('ix_subscribers_incident_id')
        batch.drop_column('incident_id')
