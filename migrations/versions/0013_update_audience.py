"""the audience of published words, recorded with them

Named customers limit an incident's audience, and words published for some customers only
record those customers: a customer added later never reads them. Published words that do
not reach everyone get the audience they have now under that rule, so nothing published
disappears from a page that shows it today (except where the incident names customers, whose
component users no longer read it: the point of the rule).

Revision ID: 0013_update_audience
Revises: 0012_user_email
Create Date: 2026-12-07 05:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_update_audience"
down_revision: str | Sequence[str] | None = "0012_user_email"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

updates = sa.table(
    "incident_updates",
    sa.column("id", sa.String),
    sa.column("incident_id", sa.String),
    sa.column("customer_id", sa.String),
    sa.column("state", sa.String),
    sa.column("audience_customer_ids", sa.JSON),
)
incidents = sa.table("incidents", sa.column("id", sa.String), sa.column("visibility", sa.String))
incident_customers = sa.table(
    "incident_customers", sa.column("incident_id", sa.String), sa.column("customer_id", sa.String)
)
incident_components = sa.table(
    "incident_components",
    sa.column("incident_id", sa.String),
    sa.column("component_id", sa.String),
)
customer_components = sa.table(
    "customer_components",
    sa.column("customer_id", sa.String),
    sa.column("component_id", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("incident_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audience_customer_ids", sa.JSON(), nullable=True))
    _record_audiences(op.get_bind())


def _record_audiences(bind: sa.Connection) -> None:
    """Published words that do not reach everyone: the customers who may read them now.

    The rule as `app.audience` states it at this revision, written out here so that the
    migration does not change when the code does.
    """
    rows = bind.execute(
        sa.select(updates.c.id, updates.c.incident_id, updates.c.customer_id, incidents.c.visibility)
        .join(incidents, incidents.c.id == updates.c.incident_id)
        .where(
            updates.c.state == "published",
            sa.or_(incidents.c.visibility != "public", updates.c.customer_id.is_not(None)),
        )
    ).all()
    if not rows:
        return
    named: dict[str, set[str]] = {}
    for incident_id, customer_id in bind.execute(sa.select(incident_customers)):
        named.setdefault(incident_id, set()).add(customer_id)
    components: dict[str, set[str]] = {}
    for incident_id, component_id in bind.execute(sa.select(incident_components)):
        components.setdefault(incident_id, set()).add(component_id)
    users: dict[str, set[str]] = {}
    for customer_id, component_id in bind.execute(sa.select(customer_components)):
        users.setdefault(component_id, set()).add(customer_id)

    def affected(incident_id: str) -> set[str]:
        if named.get(incident_id):
            return named[incident_id]
        found: set[str] = set()
        for component_id in components.get(incident_id, ()):
            found |= users.get(component_id, set())
        return found

    recorded = []
    for update_id, incident_id, customer_id, visibility in rows:
        if visibility == "public":  # one customer's own wording on a public incident
            audience = [customer_id]
        elif visibility == "customers":
            readers = affected(incident_id)
            if customer_id is not None:
                readers = readers & {customer_id}
            audience = sorted(readers)
        else:  # internal: nobody outside the team read it
            audience = []
        recorded.append({"update_id": update_id, "audience": audience})
    bind.execute(
        updates.update()
        .where(updates.c.id == sa.bindparam("update_id"))
        .values(audience_customer_ids=sa.bindparam("audience")),
        recorded,
    )


def downgrade() -> None:
    with op.batch_alter_table("incident_updates", schema=None) as batch_op:
        batch_op.drop_column("audience_customer_ids")
