"""The static copy after a change: only the files that show what changed are written again,
an incident taken from the public leaves the copy, and the whole site is written on a first
sync and each new day. How soon and how many files are measured by bench/history.py."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from app.db.changes import mark_changed
from app.incidents.models import Incident
from app.lib.clock import utcnow
from app.public.copy_crawl import rewrite_html
from app.public.copy_files import STAMP, read_stamp
from app.public.copy_languages import prefixes_of
from app.public.copy_paths import Changed, IncidentFacts, paths_for
from tests.support import factories
from tests.support.polling import eventually


def _mtimes(folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()
    }


def _rewritten(before: dict[str, int], after: dict[str, int]) -> set[str]:
    """Files written again, added or removed between two looks at the copy."""
    return {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}


def _page(incident: dict[str, str]) -> str:
    return f"incidents/{incident['id']}/index.html"


async def _resolved(client, keys, title: str, component: str):  # type: ignore[no-untyped-def]
    incident = await factories.incident(
        client,
        keys["responder"],
        title,
        components=[{"id": component, "status": "major_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], f"{title}: looking.")
    await factories.publish(
        client, keys["comms_lead"], incident["id"], f"{title}: fixed.", status="resolved"
    )
    return incident


@pytest.fixture
async def history(copying_client, keys, sessionmaker):  # type: ignore[no-untyped-def]
    """Two incidents of long ago (one on Search, one on API) and one going on now, on API."""
    client = copying_client
    api = await factories.component(client, keys["admin"], "API")
    search = await factories.component(client, keys["admin"], "Search")
    old_search = await _resolved(client, keys, "Search index rebuilt", search["id"])
    old_api = await _resolved(client, keys, "API gateway restart", api["id"])
    now = await factories.incident(
        client,
        keys["responder"],
        "Login errors",
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], now["id"], "Some logins fail.")
    async with sessionmaker() as session:  # as an import of past history would leave them
        for incident, days in ((old_search, 200), (old_api, 400)):
            started = utcnow() - timedelta(days=days)
            await session.execute(
                update(Incident)
                .where(Incident.id == incident["id"])
                .values(started_at=started, resolved_at=started + timedelta(hours=1))
            )
        await mark_changed(session)
        await session.commit()
    copy = client.app.state.static_copy
    await copy.written(seconds=20)
    return {"api": api, "search": search, "old_search": old_search, "old_api": old_api, "now": now}


async def _after(copy, folder: Path, change) -> set[str]:  # type: ignore[no-untyped-def]
    """The files of the copy a change wrote, once the copy holds it."""
    await copy.written(seconds=20)
    stamp = read_stamp(folder)
    before = _mtimes(folder)
    await change()
    assert await eventually(lambda: (read_stamp(folder) or stamp) != stamp, seconds=20), (
        "the copy was not written after the change"
    )
    await copy.written(seconds=20)
    return _rewritten(before, _mtimes(folder))


async def test_a_new_update_rewrites_the_pages_showing_that_incident_and_not_the_history(
    copying_client, copy_dir, keys, history
):
    copy = copying_client.app.state.static_copy
    partial = copy.partial_writes
    old_pages = {_page(history["old_search"]), _page(history["old_api"])}
    assert all((copy_dir / page).is_file() for page in old_pages)

    async def publish() -> None:
        await factories.publish(
            copying_client, keys["comms_lead"], history["now"]["id"], "Logins work again."
        )

    written = await _after(copy, copy_dir, publish)
    assert "Logins work again" in (copy_dir / _page(history["now"])).read_text()
    assert {_page(history["now"]), "index.html", "api/v2/summary.json"} <= written
    assert not written & old_pages, "pages of past incidents were written again"
    # The first history page lists the incident; the pages of past months are left alone.
    assert {n for n in written if n.startswith("history/")} <= {
        "history/index.html",
        "history/index.html.gz",
    }
    assert copy.partial_writes > partial, "the copy was written whole for one update"


async def test_a_status_change_leaves_the_pages_of_old_incidents_alone(
    copying_client, copy_dir, keys, history
):
    copy = copying_client.app.state.static_copy

    async def degrade() -> None:
        response = await copying_client.patch(
            f"/api/v1/components/{history['api']['id']}",
            json={"status": "degraded_performance"},
            headers=keys["responder"],
        )
        assert response.status_code == 200, response.text

    written = await _after(copy, copy_dir, degrade)
    assert "index.html" in written
    assert _page(history["old_api"]) not in written
    assert _page(history["old_search"]) not in written


async def test_an_incident_made_internal_leaves_the_copy_and_nothing_else_is_rewritten(
    copying_client, copy_dir, keys, history
):
    copy = copying_client.app.state.static_copy
    partial = copy.partial_writes
    hidden = history["old_search"]

    async def make_internal() -> None:
        response = await copying_client.patch(
            f"/api/v1/incidents/{hidden['id']}",
            json={"visibility": "internal"},
            headers=keys["comms_lead"],
        )
        assert response.status_code == 200, response.text

    written = await _after(copy, copy_dir, make_internal)
    assert not (copy_dir / "incidents" / hidden["id"]).exists()
    assert {_page(hidden), _page(hidden) + ".gz"} <= written
    assert _page(history["old_api"]) not in written
    held = (copy_dir / ".tidings-copy").read_text()
    assert hidden["id"] not in held
    for path in copy_dir.rglob("*.html"):
        assert "Search index rebuilt" not in path.read_text(), f"{path} still names it"
    assert copy.partial_writes > partial


async def test_a_first_sync_writes_the_whole_site_and_a_new_day_writes_it_again(
    copying_client, copy_dir, keys, history
):
    copy = copying_client.app.state.static_copy
    stamp = read_stamp(copy_dir)
    assert stamp is not None and stamp.whole_at == stamp.at  # the first copy was whole
    for incident in ("old_search", "old_api", "now"):
        assert (copy_dir / _page(history[incident])).is_file()

    # The copy was last written whole yesterday: day bars and history pages have moved.
    yesterday = time.time() - 86_400
    (copy_dir / STAMP).write_text(f"{stamp.version} {stamp.at:.3f} {yesterday:.3f}\n")
    partial = copy.partial_writes

    async def publish() -> None:
        await factories.publish(copying_client, keys["comms_lead"], history["now"]["id"], "More.")

    await _after(copy, copy_dir, publish)
    again = read_stamp(copy_dir)
    assert again is not None and again.whole_at > yesterday + 3600
    assert copy.partial_writes == partial


async def test_an_incident_page_rendered_for_the_copy_is_the_page_the_app_serves(
    copying_client, copy_dir, history
):
    # Pages of past incidents are rendered in batches for the copy, not asked for one by one.
    settings = copying_client.app.state.settings
    prefixes = prefixes_of(settings.static_languages, settings.language)
    for name in ("old_api", "now"):
        served = await copying_client.get(f"/incidents/{history[name]['id']}")
        assert served.status_code == 200
        expected, _links = rewrite_html(served.content, settings.base_url, prefixes=prefixes)
        assert (copy_dir / _page(history[name])).read_bytes() == expected
        in_german = await copying_client.get(f"/incidents/{history[name]['id']}?lang=de")
        copying_client.cookies.clear()  # the choice is kept in a cookie, as for a reader
        expected, _links = rewrite_html(
            in_german.content, settings.base_url, prefix="/de", prefixes=prefixes
        )
        assert (copy_dir / "de" / _page(history[name])).read_bytes() == expected


async def test_the_copy_holds_each_page_in_every_language_under_its_prefix(
    copying_client, copy_dir, history
):
    front = (copy_dir / "index.html").read_text()
    german = (copy_dir / "de" / "index.html").read_text()
    japanese = (copy_dir / "ja" / _page(history["now"])).read_text()
    assert '<html lang="en"' in front and '<html lang="de"' in german
    assert '<html lang="ja"' in japanese
    # The German page's links stay in the German copy; styles and feeds are the root's.
    assert f'href="/de/incidents/{history["now"]["id"]}"' in german
    assert 'href="/de/history"' in german
    assert 'href="/static/tidings.css' in german and 'href="/feed.atom"' in german
    # Each page's language switch leads to the same page in the other copies.
    assert 'href="/de/"' in front and 'href="/ja/"' in front
    assert 'href="/"' in german
    assert 'hreflang="x-default" href="/"' in german  # the site's language, at the root
    assert f'href="/incidents/{history["now"]["id"]}"' in japanese
    # Only pages are copied per language: the JSON is the site language's, at the root.
    assert not (copy_dir / "de" / "api").exists()
    assert (copy_dir / "de" / "history" / "index.html").is_file()


async def test_an_incident_made_internal_leaves_every_language_copy(
    copying_client, copy_dir, history, sessionmaker
):
    page = _page(history["old_search"])
    assert (copy_dir / "fr" / page).is_file()
    async with sessionmaker() as session:
        await session.execute(
            update(Incident)
            .where(Incident.id == history["old_search"]["id"])
            .values(visibility="internal")
        )
        await mark_changed(session)
        await session.commit()
    copy = copying_client.app.state.static_copy
    copy.changed()
    await copy.written(seconds=20)
    assert await eventually(lambda: not (copy_dir / "fr" / page).exists())
    assert not (copy_dir / page).exists()


def test_the_paths_of_an_incident_change_name_its_page_its_history_page_and_the_feeds():
    changed = Changed(incidents=(IncidentFacts("inc1", 3, ("api",)),))
    paths = paths_for(changed)
    assert {"/", "/incidents/inc1", "/history/3", "/feed.atom", "/api/v2/incidents.json"} <= paths
    assert "/components/api/badge.svg" in paths
    assert not {p for p in paths if p.startswith("/incidents/") and p != "/incidents/inc1"}


def test_the_paths_of_a_status_change_name_only_the_recent_pages_showing_it():
    changed = Changed(component_ids=("api",), recent_by_component={"api": ("inc2",)})
    paths = paths_for(changed)
    assert {"/", "/components/api/badge.svg", "/incidents/inc2"} <= paths
    assert not {p for p in paths if p.startswith("/history")}
