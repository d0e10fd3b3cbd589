"""Upgrading a database that holds published words: words that do not reach everyone get
the audience they have under the explicit rule, so nothing published disappears from the
customers reading it, and a customer created later does not read them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from app.db.migrate import alembic_config

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _rows(connection: sa.Connection, table: str, *rows: dict[str, object]) -> None:
    meta = sa.MetaData()
    found = sa.Table(table, meta, autoload_with=connection)
    stamped = []
    for row in rows:
        row = dict(row)
        # Columns this test does not care about get a plain value of their type.
        for column in found.c:
            if not column.nullable and column.server_default is None:
                row.setdefault(column.name, _plain(column.type))
        stamped.append(row)
    connection.execute(found.insert(), stamped)


def _plain(kind: sa.types.TypeEngine[object]) -> object:
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 0
    if isinstance(kind, sa.DateTime):
        return NOW
    return "x"


def _incident(id_: str, visibility: str) -> dict[str, object]:
    return {
        "id": id_,
        "kind": "incident",
        "title": id_,
        "status": "investigating",
        "impact": "minor",
        "visibility": visibility,
        "started_at": NOW,
        "created_by": "lead",
    }


def _update(id_: str, incident: str, customer: str | None = None, state: str = "published"):  # type: ignore[no-untyped-def]
    return {
        "id": id_,
        "incident_id": incident,
        "status": "investigating",
        "body": id_,
        "author": "lead",
        "state": state,
        "customer_id": customer,
        "published_at": NOW if state == "published" else None,
        "deliver_notifications": True,
    }


def test_published_words_get_the_audience_they_have_now(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0012_user_email")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        _rows(connection, "components", {"id": "api", "name": "API", "status": "operational"})
        _rows(
            connection,
            "customers",
            *({"id": c, "name": c, "token": f"token-{c}"} for c in ("acme", "globex", "initech")),
        )
        _rows(
            connection,
            "customer_components",
            {"customer_id": "acme", "component_id": "api"},
            {"customer_id": "globex", "component_id": "api"},
        )
        _rows(
            connection,
            "incidents",
            _incident("derived", "customers"),
            _incident("named", "customers"),
            _incident("public", "public"),
            _incident("internal", "internal"),
        )
        _rows(
            connection,
            "incident_components",
            *(
                {"incident_id": i, "component_id": "api", "status": "major_outage"}
                for i in ("derived", "named", "public")
            ),
        )
        _rows(connection, "incident_customers", {"incident_id": "named", "customer_id": "initech"})
        _rows(
            connection,
            "incident_updates",
            _update("to-users", "derived"),
            _update("to-named", "named"),
            _update("own-words", "named", customer="initech"),
            _update("to-everyone", "public"),
            _update("globex-own", "public", customer="globex"),
            _update("to-nobody", "internal"),
            _update("a-draft", "derived", state="draft"),
        )
    command.upgrade(alembic_config(url), "0013_update_audience")
    with engine.connect() as connection:
        query = sa.text("SELECT id, audience_customer_ids FROM incident_updates")
        recorded = {id_: ids for id_, ids in connection.execute(query).all()}
    engine.dispose()
    audience = {k: None if v is None else json.loads(v) for k, v in recorded.items()}
    assert audience == {
        "to-users": ["acme", "globex"],  # no customer named: the users of its component
        "to-named": ["initech"],  # named customers limit it
        "own-words": ["initech"],
        "to-everyone": None,  # public words stay public
        "globex-own": ["globex"],
        "to-nobody": [],
        "a-draft": None,  # not published: its audience is fixed when it is
    }
