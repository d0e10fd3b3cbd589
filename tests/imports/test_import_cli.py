"""`tidings import statuspage URL [--dry-run]` as an operator runs it."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.statuspage_pages import PageServer


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'cli.db'}"}


def tidings(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=_env(folder),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    assert tidings(tmp_path, "migrate").returncode == 0
    return tmp_path


def test_a_dry_run_lists_what_would_be_imported_then_the_import_then_nothing_new(
    folder, pages: PageServer
):
    url = pages.url("githubstatus")

    dry = tidings(folder, "import", "statuspage", url, "--dry-run")

    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert lines[0] == f"Statuspage page: GitHub ({url}, id kctbh9vrtdwd)"
    assert "  + would create component 'Packages'" in lines
    assert "  + would create incident 'Incident with Pages and Actions' (6 new updates)" in lines
    assert lines[-1] == (
        "Dry run, nothing was written. Would import: "
        "11 components in 0 groups, 3 incidents, 19 updates, 0 maintenances"
    )
    # Nothing was written: the real run still has everything to do.
    real = tidings(folder, "import", "statuspage", url)
    assert real.returncode == 0, real.stderr
    assert real.stdout.splitlines()[-1] == (
        "Imported: 11 components in 0 groups, 3 incidents, 19 updates, 0 maintenances"
    )
    assert "\r" not in real.stdout  # no progress bar when the output is not a terminal

    again = tidings(folder, "import", "statuspage", url)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == (
        "Imported: nothing new (11 components, 3 incidents already up to date)"
    )


def test_a_broken_page_prints_what_was_adjusted_and_what_was_not_imported(folder, pages):
    result = tidings(folder, "import", "statuspage", pages.url("untidy"))

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Adjusted on the way in:\n  - component 'API': no status; read as operational" in out
    assert "Not imported:\n  - page: scheduled-maintenances.json answered HTTP 404; not read" in out
    assert "  - incident 'nameless0inc': it has no name" in out
    assert out.splitlines()[-1].startswith(
        "Imported: 4 components in 2 groups, 3 incidents, 8 updates, 1 maintenance; 8 skipped: "
    )


def test_an_address_that_is_not_a_page_exits_with_one_line_saying_why(folder, pages):
    result = tidings(folder, "import", "statuspage", pages.url("nowhere"))

    assert result.returncode != 0
    assert result.stderr.strip() == (
        f"tidings: url: {pages.url('nowhere')} does not serve a Statuspage v2 API "
        "(summary.json answered HTTP 404; not read)"
    )


def test_a_terminal_sees_a_progress_bar(folder, pages):
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "import", "statuspage", pages.url("hashicorp")],
        env=_env(folder),
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=120)
    os.close(leader)

    assert process.returncode == 0
    text = output.decode()
    assert "\rImporting [" in text
    assert "16/16" in text
    assert "Imported: 11 components in 5 groups" in text
