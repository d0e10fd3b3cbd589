"""Fixtures for importing Statuspage pages: saved public pages served over real HTTP.

`pages` serves a copy of tests/fixtures/statuspage/ on loopback: a page saved in folder
`<name>` answers at `pages.url("<name>")` + `/api/v2/<document>.json`, as a real page
would; a document the folder lacks answers 404. Tests may edit the copy (`pages.write`) to
make a page change between two imports.

The pages are on loopback, so these tests let outbound requests reach private addresses
(`webhook_allow_private`), as an operator importing from their own network would.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.settings import Settings
from tests.support.statuspage_pages import FIXTURES, PageServer


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[PageServer]:
    root = tmp_path / "pages"
    shutil.copytree(FIXTURES, root)
    server = PageServer(root)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(base_settings: Settings) -> Settings:
    return replace(base_settings, webhook_allow_private=True)
