"""update languages: an update's words in other languages, templates and examples by language

`incident_updates.translations` holds the same update's words in languages other than the
site's ({"de": "...", "ja": "..."}; empty for every update written before). A template and
an example gain the language their words are written in (a template without one is in the
site's language); a template's name is unique per language. The approval policy may require
the language of every customer the words reach.

Revision ID: 0022_update_languages
Revises: 0021_languages
Create Date: 2026-12-07 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_update_languages"
down_revision: str | Sequence[str] | None = "0021_languages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incident_updates") as batch:
        batch.add_column(sa.Column("translations", sa.JSON(), nullable=True))
    with op.batch_alter_table("comms_templates") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch.drop_constraint("uq_comms_templates_name", type_="unique")
        # Same name (the naming convention names a constraint by its first column).
        batch.create_unique_constraint("uq_comms_templates_name", ["name", "language"])
    with op.batch_alter_table("comms_examples") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    with op.batch_alter_table("comms_policy") as batch:
        batch.add_column(
            sa.Column(
                "require_customer_language",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("comms_policy") as batch:
        batch.drop_column("require_customer_language")
    with op.batch_alter_table("comms_examples") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("comms_templates") as batch:
        batch.drop_constraint("uq_comms_templates_name", type_="unique")
        batch.create_unique_constraint("uq_comms_templates_name", ["name"])
        batch.drop_column("language")
    with op.batch_alter_table("incident_updates") as batch:
        batch.drop_column("translations")
