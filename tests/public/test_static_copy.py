"""The static copy of the public site: what it holds, that it follows every change within a
second, that only the public's view reaches it, and that files change in one step."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from app.public.copy_files import read_stamp, write_files
from app.public.copy_keeper import StaticCopy
from tests.support import factories
from tests.support.polling import eventually
from tests.support.process_server import serving_in_a_process

SECRET_WORDS = (
    "Acme API outage",  # customer-only incident
    "Your API calls fail",
    "db-7 failover",  # internal incident
    "Secret root cause",  # a draft update
    "Acme",  # a customer's name
    "Globex",
)


@pytest.fixture
async def world(copying_client, keys):  # type: ignore[no-untyped-def]
    client = copying_client
    api = await factories.component(client, keys["admin"], "API", group="Platform")
    search = await factories.component(client, keys["admin"], "Search", group="Platform")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    await factories.customer(client, keys["admin"], "Globex", [search["id"]])
    public = await factories.incident(
        client,
        keys["responder"],
        "Slow search for everyone",
        components=[{"id": search["id"], "status": "degraded_performance"}],
    )
    await factories.publish(client, keys["comms_lead"], public["id"], "Search is slow.")
    await client.post(
        f"/api/v1/incidents/{public['id']}/updates",
        json={"status": "identified", "body": "Secret root cause: a bad index"},
        headers=keys["responder"],
    )
    private = await factories.incident(
        client,
        keys["responder"],
        "Acme API outage",
        visibility="customers",
        components=[{"id": api["id"], "status": "major_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], private["id"], "Your API calls fail.")
    internal = await factories.incident(
        client, keys["responder"], "db-7 failover", visibility="internal"
    )
    await factories.publish(client, keys["comms_lead"], internal["id"], "db-7 failover done.")
    return {"public": public, "private": private, "internal": internal, "acme": acme}


async def _copy_shows(folder: Path, text: str, seconds: float = 5.0) -> bool:
    def shows() -> bool:
        try:
            return text in (folder / "index.html").read_text()
        except OSError:
            return False

    return await eventually(shows, seconds=seconds)


def _all_text(folder: Path) -> dict[str, str]:
    """Every file of the copy as text, the .gz files unpacked."""
    out = {}
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            out[str(path.relative_to(folder))] = data.decode("utf-8", "replace")
    return out


def _resolves(folder: Path, link: str) -> bool:
    path = link.split("#", 1)[0]
    if not path:
        return True
    target = folder / path.lstrip("/")
    return target.is_file() or (target / "index.html").is_file()


async def test_the_copy_holds_the_public_site_with_a_gzip_beside_each_text_file(
    copying_client, copy_dir, world
):
    assert await _copy_shows(copy_dir, "Slow search for everyone")
    await copying_client.app.state.static_copy.written(seconds=10)
    public = world["public"]["id"]
    for name in (
        "index.html",
        "history/index.html",
        f"incidents/{public}/index.html",
        "api/v2/summary.json",
        "api/v2/status.json",
        "api/v2/components.json",
        "api/v2/incidents.json",
        "api/v2/incidents/unresolved.json",
        "api/v2/scheduled-maintenances.json",
        "feed.rss",
        "feed.atom",
        "history.rss",
        "history.atom",
        "maintenance.ics",
        "badge.svg",
        "embed.js",
        "static/tidings.css",
        "theme/theme.css",
    ):
        assert await eventually(lambda n=name: (copy_dir / n).is_file()), name
        plain = (copy_dir / name).read_bytes()
        assert gzip.decompress((copy_dir / f"{name}.gz").read_bytes()) == plain, name
    assert "Search is slow." in (copy_dir / f"incidents/{public}/index.html").read_text()
    live = (await copying_client.get("/api/v2/summary.json")).json()
    copied = json.loads((copy_dir / "api/v2/summary.json").read_text())
    assert [i["name"] for i in copied["incidents"]] == [i["name"] for i in live["incidents"]]


async def test_every_link_in_the_copy_resolves_inside_the_copy(copying_client, copy_dir, world):
    assert await _copy_shows(copy_dir, "Slow search for everyone")
    await copying_client.app.state.static_copy.written(seconds=10)
    pages = [p for p in copy_dir.rglob("*.html")]
    assert len(pages) >= 3
    checked = 0
    for page in pages:
        for link in re.findall(r'(?:href|src|action)="([^"]*)"', page.read_text()):
            if link.startswith("/"):
                assert "?" not in link, f"{page}: {link} is a query string, not a path"
                assert _resolves(copy_dir, link), f"{page.relative_to(copy_dir)} links {link}"
                checked += 1
            else:  # what only the app answers (subscribe, follow) goes to the app itself
                assert link.startswith(("#", "http://status.example.test/", "https://")), link
    assert checked > 10


async def test_nothing_only_a_customer_or_the_team_may_see_reaches_the_copy(
    copying_client, copy_dir, world
):
    assert await _copy_shows(copy_dir, "Slow search for everyone")
    await copying_client.app.state.static_copy.written(seconds=10)
    files = _all_text(copy_dir)
    token = world["acme"]["page_url"].rstrip("/").rsplit("/", 1)[1]
    for name, text in files.items():
        for word in (*SECRET_WORDS, token, "/c/"):
            assert word not in text, f"{word!r} is in the copy's {name}"
    for incident in ("private", "internal"):
        assert not (copy_dir / "incidents" / world[incident]["id"]).exists()


async def test_a_publish_reaches_the_copy_soon_after(copying_client, copy_dir, keys):
    # How soon (the target is within a second) is measured by bench/freshness.py.
    incident = await factories.incident(copying_client, keys["responder"], "Queue delays")
    await copying_client.app.state.static_copy.written(seconds=10)  # the copy is at rest
    await factories.publish(copying_client, keys["comms_lead"], incident["id"], "Queues lag.")
    assert await _copy_shows(copy_dir, "Queue delays", seconds=5)
    assert (copy_dir / "incidents" / incident["id"] / "index.html").is_file()


async def test_a_reader_never_sees_half_a_file_while_the_copy_is_rewritten(tmp_path):
    folder = tmp_path / "copy"
    big = [b"<html>" + bytes([65 + n]) * 400_000 + b"</html>" for n in range(4)]
    write_files(folder, {"index.html": big[0]})
    seen: list[bytes] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.append((folder / "index.html").read_bytes())

    reader = threading.Thread(target=read)
    reader.start()
    rewrites = 0
    try:
        # At least 40 rewrites, and on until the reader has read among them: how many reads
        # fit into a given number of rewrites depends on the machine's load.
        while rewrites < 40 or len(seen) <= 5:
            write_files(folder, {"index.html": big[rewrites % 4]})
            rewrites += 1
            assert rewrites < 100_000, "the reader never got to read"
    finally:
        stop.set()
        reader.join()
    assert all(data in big for data in seen)
    assert not [p for p in folder.rglob("*.tmp")], "a file written aside was left behind"


async def test_a_page_no_longer_public_is_removed_from_the_copy(tmp_path):
    folder = tmp_path / "copy"
    write_files(folder, {"index.html": b"<a href='/incidents/a'>", "incidents/a/index.html": b"a"})
    assert (folder / "incidents/a/index.html.gz").is_file()
    write_files(folder, {"index.html": b"nothing"})
    assert not (folder / "incidents/a").exists()
    assert (folder / "index.html").read_bytes() == b"nothing"


async def test_tidings_export_writes_the_same_copy_once(copying_client, copy_dir, world, settings):
    assert await _copy_shows(copy_dir, "Slow search for everyone")
    await copying_client.app.state.static_copy.written(seconds=10)
    out = copy_dir.parent / "exported"
    env = {
        **os.environ,
        "TIDINGS_DATABASE_URL": settings.database_url,
        "TIDINGS_BASE_URL": settings.base_url,
        "TIDINGS_PAGE_NAME": settings.page_name,
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app.cli", "export", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"in {out}: " in result.stdout
    exported = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    live = {str(p.relative_to(copy_dir)) for p in copy_dir.rglob("*") if p.is_file()}
    assert exported == live
    assert "Slow search for everyone" in (out / "index.html").read_text()
    for text in _all_text(out).values():
        assert "Acme API outage" not in text


@pytest.mark.settings(static_hook='echo "$TIDINGS_STATIC_DIR" >> "$HOOK_LOG"')
async def test_the_hook_runs_after_each_write(
    copying_client, copy_dir, keys, tmp_path, monkeypatch
):
    log = tmp_path / "hook.log"
    monkeypatch.setenv("HOOK_LOG", str(log))
    incident = await factories.incident(copying_client, keys["responder"], "Hooked")
    await factories.publish(copying_client, keys["comms_lead"], incident["id"], "Hooked.")
    assert await _copy_shows(copy_dir, "Hooked")
    assert await eventually(lambda: log.is_file() and str(copy_dir) in log.read_text())


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.is_file() else []


async def test_two_server_processes_sharing_the_copy_rewrite_it_once_per_change(
    settings, keys, tmp_path
):
    folder, log = tmp_path / "copy", tmp_path / "hook.log"
    shared = replace(
        settings,
        static_dir=str(folder),
        static_hook=f'echo "$PPID" >> "{log}"',  # one line per write, naming the process
        run_worker=False,
    )
    with serving_in_a_process(shared) as one, serving_in_a_process(shared):
        assert await eventually(lambda: len(_lines(log)) >= 1, seconds=20)
        await asyncio.sleep(2)  # both processes are at rest: the second found the copy made
        assert len(_lines(log)) == 1, "both processes wrote the first copy"
        async with httpx.AsyncClient(base_url=one, timeout=30) as http:
            incident = await factories.incident(http, keys["responder"], "Shared folder")
            await factories.publish(http, keys["comms_lead"], incident["id"], "One write.")
        assert await _copy_shows(folder, "Shared folder", seconds=10)
        await asyncio.sleep(2)  # the other process has noticed the change by now (0.2 s poll)
        assert len(_lines(log)) == 2, "a change was written by both processes"
        stamp = read_stamp(folder)
        assert stamp is not None and stamp.version >= 1  # the publish moved the version on


async def test_a_change_during_another_writers_turn_is_still_written(tmp_path):
    """Two keepers of one folder: the one whose turn comes while the other writes does not
    trust a stamp made from a state older than its own."""
    folder = tmp_path / "copy"
    state = {"version": 1, "front": "first", "then": None}
    keepers: list[StaticCopy] = []

    async def fetch(path: str) -> tuple[int, str, bytes]:
        if path != "/":
            return 404, "text/plain", b""
        body = f"<html>{state['front']}</html>".encode()
        if state["then"] is not None:  # a change commits while this page is being copied
            state["version"], state["front"] = state["then"]
            state["then"] = None
            keepers[1].changed()  # only the second keeper has heard of it so far
        return 200, "text/html", body

    async def version() -> int:
        return int(state["version"])  # type: ignore[call-overload]

    for _ in range(2):
        keepers.append(StaticCopy(fetch, folder, "http://status.example.test", version=version))
    one, two = keepers
    stop = asyncio.Event()
    tasks = [asyncio.create_task(one.run(stop))]
    try:
        assert await eventually(lambda: one.writes == 1)
        await one.written()
        tasks.append(asyncio.create_task(two.run(stop)))
        assert await eventually(lambda: two.skipped == 1)
        await two.written()
        assert (one.writes, two.writes, two.skipped) == (1, 0, 1)

        state.update(version=2, front="second", then=(3, "third"))
        one.changed()
        assert await eventually(lambda: (one.writes, two.writes) == (2, 1))
        await one.written()
        await two.written()
        assert "third" in (folder / "index.html").read_text()
        assert read_stamp(folder).version == 3  # type: ignore[union-attr]
        assert (one.writes, two.writes) == (2, 1)

        state.update(version=4, front="fourth")  # heard by both: written once
        one.changed()
        two.changed()
        assert await eventually(lambda: one.writes + two.writes == 4)
        await one.written()
        await two.written()
        assert "fourth" in (folder / "index.html").read_text()
        assert one.writes + two.writes == 4
    finally:
        stop.set()
        await asyncio.gather(*tasks)
