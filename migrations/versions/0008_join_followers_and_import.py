"""join the incident-followers and the Statuspage-import branches

Both were built in parallel on top of 0005; this revision makes one head again so that
`alembic upgrade head` works as well as `heads`.

Revision ID: 0008
Revises: 0006, 0007_import_mappings
Create Date: 2026-11-29 17:56:00.000000
"""

from collections.abc import Sequence

revision: str = '0008'
down_revision: str | Sequence[str] | None = ('0006', '0007_import_mappings')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
