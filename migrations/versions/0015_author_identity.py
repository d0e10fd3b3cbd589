"""authorship as an identity: the id of the user or key behind words and reviews

Rules (who may change a draft, the four-eyes rule) compared display names, and two API keys
may share a name. Each author, submitter, reviewer, writer and approver now also has the
id of who acted (`key:<id>`, `user:<id>`, `system:<what>`). Older rows get one where the
name points at exactly one key or user; the rest stay NULL, which no actor matches (only a
comms lead may then change those words).

Revision ID: 0015_author_identity
Revises: 0012_user_email
Create Date: 2026-12-07 05:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_author_identity"
down_revision: str | Sequence[str] | None = "0014_approval_binding"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, name column, id column) of every "who did it" that a rule may compare.
_COLUMNS = (
    ("incident_updates", "author", "author_id"),
    ("comms_reviews", "submitted_by", "submitted_by_id"),
    ("comms_reviews", "reviewed_by", "reviewed_by_id"),
    ("maintenance_words", "written_by", "written_by_id"),
    ("maintenance_words", "approved_by", "approved_by_id"),
)


def _backfill(table: str, name: str, ident: str) -> None:
    # A key acted as "key:<its name>": traced only when exactly one key has that name.
    op.execute(
        f"UPDATE {table} SET {ident} = 'key:' || "
        f"(SELECT k.id FROM api_keys k WHERE 'key:' || k.name = {table}.{name}) "
        f"WHERE {ident} IS NULL AND "
        f"(SELECT count(*) FROM api_keys k WHERE 'key:' || k.name = {table}.{name}) = 1"
    )
    # A desk user acted under its username, which is unique.
    op.execute(
        f"UPDATE {table} SET {ident} = 'user:' || "
        f"(SELECT u.id FROM users u WHERE u.username = {table}.{name}) "
        f"WHERE {ident} IS NULL AND "
        f"EXISTS (SELECT 1 FROM users u WHERE u.username = {table}.{name})"
    )


def upgrade() -> None:
    for table, _name, ident in _COLUMNS:
        op.add_column(table, sa.Column(ident, sa.String(length=64), nullable=True))
    op.create_index(
        op.f("ix_incident_updates_author_id"), "incident_updates", ["author_id"], unique=False
    )
    for table, name, ident in _COLUMNS:
        _backfill(table, name, ident)


def downgrade() -> None:
    op.drop_index(op.f("ix_incident_updates_author_id"), table_name="incident_updates")
    for table, _name, ident in reversed(_COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(ident)
