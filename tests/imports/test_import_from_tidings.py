"""Tidings serves Statuspage's v2 JSON, so one Tidings can import another and show the same.

The source is a second Tidings with the demo page (groups, public and customer-only
incidents, maintenances, drafts), served by uvicorn on a real local port from its own
database. The test's Tidings imports it through the JSON API and must answer the same v2
JSON, page metadata (its own id, name, address) aside.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from app.asgi import create_app
from app.db.migrate import upgrade
from app.db.session import make_engine, make_sessionmaker
from app.demo.load import load_demo
from app.settings import Settings
from tests.support.peers import free_port
from tests.support.polling import eventually_blocking

DOCUMENTS = ["summary.json", "components.json", "incidents.json", "scheduled-maintenances.json"]


def _load_demo(settings: Settings) -> None:
    async def load() -> None:
        engine = make_engine(settings.database_url)
        async with make_sessionmaker(engine)() as session:
            assert await load_demo(session, settings=settings) is not None
            await session.commit()
        await engine.dispose()

    asyncio.run(load())


def _in_thread(work: Any, *args: Any) -> None:
    """Alembic and the demo run their own event loop; give them a thread without one."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            work(*args)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


@pytest.fixture
def source(tmp_path: Path) -> Iterator[str]:
    """Another Tidings with the demo page, on a real port; yields its address."""
    port = free_port()
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'source.db'}",
        base_url=f"http://127.0.0.1:{port}",
        secret_key="source-secret-key-0123456789",
        page_name="Source",
        run_worker=False,
        state_poll_seconds=0.2,
    )
    _in_thread(upgrade, settings.database_url)
    _in_thread(_load_demo, settings)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert eventually_blocking(lambda: server.started, 60), "the source Tidings did not start"
    yield settings.base_url
    server.should_exit = True
    thread.join(timeout=30)


def _aside(data: Any, base_url: str) -> Any:
    """The document without what belongs to the serving page: its `page`, `page_id`s, and
    the address in shortlinks."""
    if isinstance(data, dict):
        return {
            k: _aside(v, base_url).replace(base_url, "<page>")
            if k == "shortlink"
            else _aside(v, base_url)
            for k, v in data.items()
            if k not in ("page", "page_id")
        }
    if isinstance(data, list):
        return [_aside(item, base_url) for item in data]
    return data


def _differences(ours: Any, theirs: Any, path: str = "") -> list[str]:
    """Where two documents differ, as paths, for an assertion message a person can read."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        keys = sorted(set(ours) | set(theirs))
        return [d for k in keys for d in _differences(ours.get(k), theirs.get(k), f"{path}.{k}")]
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        return [d for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
                for d in _differences(a, b, f"{path}[{i}]")]  # fmt: skip
    return [] if ours == theirs else [f"{path}: ours {ours!r}, theirs {theirs!r}"]


async def test_a_tidings_page_imported_into_another_shows_the_same_statuspage_json(
    source, client, keys, settings
):
    async with httpx.AsyncClient(base_url=source, timeout=30) as http:
        theirs = {doc: (await http.get(f"/api/v2/{doc}")).json() for doc in DOCUMENTS}
    assert theirs["incidents.json"]["incidents"], "the demo page has public incidents"
    assert theirs["scheduled-maintenances.json"]["scheduled_maintenances"]

    imported = await client.post(
        "/api/v1/imports/statuspage",
        json={"url": source, "dry_run": False},
        headers=keys["comms_lead"],
    )
    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert body["skipped"] == [] and body["notes"] == []
    assert body["source"]["page_id"] == theirs["summary.json"]["page"]["id"]

    for doc in DOCUMENTS:
        ours = (await client.get(f"/api/v2/{doc}")).json()
        assert ours["page"]["id"] != theirs[doc]["page"]["id"]
        ours, expected = _aside(ours, settings.base_url), _aside(theirs[doc], source)
        assert ours == expected, f"{doc}: " + "\n".join(_differences(ours, expected)[:20])

    again = await client.post(
        "/api/v1/imports/statuspage",
        json={"url": source, "dry_run": False},
        headers=keys["comms_lead"],
    )
    assert again.json()["summary"].startswith("nothing new")
