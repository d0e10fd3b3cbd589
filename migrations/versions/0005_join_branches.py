"""join the comms, delivery and intake branches

The three were built in parallel on top of 0001; this revision makes one head again so
that `alembic upgrade head` works as well as `heads`.

Revision ID: 0005
Revises: 0002, 0003, 0004
Create Date: 2026-11-29 11:31:19.999059
"""

from collections.abc import Sequence

revision: str = '0005'
down_revision: str | Sequence[str] | None = ('0002', '0003', '0004')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
