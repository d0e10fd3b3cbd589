"""Where things are, as the `tidings` command tells a newcomer: the database it used (the
same file from any folder), what migrate did, what export left, and when a demo run's
key stops working."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import TestClient

from app.asgi import create_app
from app.lib.paths import ROOT
from app.settings import Settings

REPOSITORY = Path(__file__).resolve().parents[2]


def _tidings(
    *args: str, database: Path | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TIDINGS_DATABASE_URL"}
    env["PYTHONPATH"] = str(REPOSITORY)  # `python -m app.cli` from any folder
    if database is not None:
        env["TIDINGS_DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_default_database_is_one_file_whichever_folder_a_command_runs_from(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    said = [_tidings("--help", cwd=folder).stdout for folder in (REPOSITORY, elsewhere)]
    expected = str(ROOT / "tidings.db")
    for text in said:
        assert expected in " ".join(text.split()), text
    assert Settings.from_env({}).database_url.endswith(expected)


def test_a_relative_sqlite_path_is_taken_from_the_tidings_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({"TIDINGS_DATABASE_URL": "sqlite:///data/status.db"})
    assert settings.database_url == f"sqlite+aiosqlite:///{ROOT / 'data' / 'status.db'}"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("where") / "status.db"


@pytest.fixture(scope="module")
def said(database: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    """What a newcomer's first commands said: migrate twice, then the demo twice."""
    runs = {}
    for name, args in (
        ("migrate", ("migrate",)),
        ("migrate again", ("migrate",)),
        ("demo", ("demo",)),
        ("demo again", ("demo",)),
    ):
        runs[name] = _tidings(*args, database=database)
        assert runs[name].returncode == 0, runs[name].stderr
    return runs


def test_migrate_says_where_and_what_it_applied_then_that_nothing_was_left(database, said):
    first, again = said["migrate"].stdout, said["migrate again"].stdout
    assert str(database) in first
    assert re.search(r"applied \d+ migration", first), first
    assert str(database) in again and "nothing to do" in again


def test_each_command_says_which_database_it_used(database, said):
    assert str(database) in said["demo"].stdout
    key = _tidings("create-api-key", "--role", "responder", database=database)
    assert str(database) in key.stdout, key.stdout
    page_id = _tidings("page-id", database=database)
    assert re.fullmatch(r"[a-z0-9]{12}\n", page_id.stdout)  # only the id, for scripts
    assert str(database) in page_id.stderr


def test_a_command_on_a_database_not_yet_made_says_to_migrate(tmp_path):
    result = _tidings("create-api-key", "--role", "admin", database=tmp_path / "none.db")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "tidings migrate" in result.stderr and str(tmp_path / "none.db") in result.stderr


def test_a_second_demo_run_says_the_key_and_passwords_it_replaced_stop_working(database, said):
    old_key = re.search(r"Admin API key: +(tid_\S+)", said["demo"].stdout)
    assert old_key, said["demo"].stdout
    assert "no longer work" not in said["demo"].stdout  # nothing was replaced the first time
    again = " ".join(said["demo again"].stdout.split())
    assert "printed by the previous run no longer work" in again, again
    settings = Settings(database_url=f"sqlite+aiosqlite:///{database}", run_worker=False)
    with TestClient(create_app(settings)) as client:
        answer = client.get(
            "/api/v1/components", headers={"Authorization": f"Bearer {old_key.group(1)}"}
        )
        assert answer.status_code == 401


def test_export_counts_the_files_it_leaves_and_leaves_no_lock_file(database, said, tmp_path):
    folder = tmp_path / "copy"
    for _ in range(2):
        result = _tidings("export", str(folder), database=database)
        assert result.returncode == 0, result.stderr
        said = re.search(
            r"in (\S+): (\d+) files .*; (\d+) written, (\d+) unchanged, (\d+) removed",
            result.stdout,
        )
        assert said, result.stdout
        place, total, written, unchanged, _removed = said.groups()
        assert place == str(folder) and str(database) in result.stdout
        files = [p for p in folder.rglob("*") if p.is_file()]
        published = [p for p in files if not p.name.startswith(".tidings-copy")]
        assert len(published) == int(total), sorted(p.name for p in published)
        assert int(written) + int(unchanged) == int(total)
        assert not [p for p in files if "lock" in p.name], [p.name for p in files]
