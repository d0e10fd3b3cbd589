"""The README and docs as a newcomer follows them: the two commands first, only commands
`tidings` has, only files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.cli import build_parser

REPOSITORY = Path(__file__).resolve().parents[2]
DOCS = [REPOSITORY / "README.md", *sorted((REPOSITORY / "docs").glob("*.md"))]
# Folders of the repository: a `code` span starting with one of them names a file or folder.
TOP = ("app/", "tests/", "docs/", "bench/", "migrations/", "templates/", "themes/", "static/")


def test_the_readme_opens_with_the_two_commands():
    readme = (REPOSITORY / "README.md").read_text()
    first_block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert first_block, "no commands block"
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make run", "make test"]
    assert readme[: first_block.start()].count("\n") < 10, "the commands are not near the top"
    order = ["make run", "Python 3.11", "/history", "/api/v2/summary.json", "/admin"]
    order.append("TIDINGS_TEST_POSTGRES_URL")  # the note on the tests' PostgreSQL
    places = [readme.find(words) for words in order]
    assert -1 not in places and places == sorted(places), dict(zip(order, places, strict=True))


def _commands() -> set[str]:
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if a.dest == "command"]
    return set(subparsers.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_docs_name_only_commands_tidings_has(doc: Path):
    named = set(re.findall(r"`(?:\.venv/bin/)?tidings ([a-z][a-z-]*)", doc.read_text()))
    assert named <= _commands(), named - _commands()


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_docs_cite_only_paths_that_exist(doc: Path):
    text = doc.read_text()
    missing = []
    for span in re.findall(r"`([^`\s]+)`", text):
        path = span.split("::")[0].rstrip(".,:;")  # a test is cited as file::name
        if path.startswith(TOP) and not (REPOSITORY / path).exists():
            missing.append(path)
    for link in re.findall(r"\]\(([^)#\s]+)", text):
        if "://" not in link and not (doc.parent / link).exists():
            missing.append(link)
    assert not missing, f"{doc.name} cites {missing}"
