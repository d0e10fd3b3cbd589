"""Fixtures of the public-site tests: the app keeping a static copy in a folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from app.asgi import create_app
from app.settings import Settings


@pytest.fixture
def copy_dir(tmp_path: Path) -> Path:
    return tmp_path / "copy"


@pytest.fixture
async def copying_client(settings: Settings, copy_dir: Path) -> AsyncIterator[AsyncTestClient]:
    """A client of the app run with TIDINGS_STATIC_DIR set to `copy_dir` (the hook, if any,
    comes from the `settings` mark). `client.app.state.static_copy` is the copy's keeper."""
    app = create_app(replace(settings, static_dir=str(copy_dir)))
    async with AsyncTestClient(app=app, base_url="http://status.example.test") as client:
        yield client
