"""The static copy in every language: the site's language at the folder's root, each other
one under its prefix (`de/index.html`, `de/incidents/<id>/index.html`, ...).

A language's copy holds its pages (the front page, the history, the incident pages); its
links to feeds, badges, the Statuspage JSON and the styles lead to the root's, which are in
the site's language as the live site's JSON is. Each page's language switch leads to the
same page in the other languages' copies, so a reader of the copy can change language as on
the live site. Each language's folder keeps its own list of files (what is no longer public
is removed from it as from the root); the stamp that says which state the whole copy holds
is written once every language is written, so a process that finds it current has truly
nothing to add.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path

from app.public.copy_crawl import LANGUAGE_PAGE, Fetch
from app.public.copy_files import update_files, write_stamp
from app.public.copy_render import RenderIncidents
from app.public.static_copy import Written, export, write_paths

# The incident pages' renderer for a language (None: the site's).
IncidentPagesIn = Callable[[str | None], RenderIncidents | None]


def prefixes_of(languages: Iterable[str], site_language: str) -> dict[str, str]:
    """Where each language's pages are in the copy: the site's at the root."""
    return {lang: "" if lang == site_language else f"/{lang}" for lang in languages}


def in_language(fetch: Fetch, language: str) -> Fetch:
    """`fetch` asking for each page in `language`, as a reader's `?lang=` does."""

    async def fetched(path: str) -> tuple[int, str, bytes]:
        return await fetch(f"{path}{'&' if '?' in path else '?'}lang={language}")

    return fetched


def _others(prefixes: dict[str, str]) -> list[tuple[str, str]]:
    return sorted((lang, prefix) for lang, prefix in prefixes.items() if prefix)


def _add(whole: Written, part: Written, language: str) -> None:
    whole.names.extend(f"{language}/{name}" for name in part.names)
    whole.changed += part.changed
    whole.removed += part.removed
    whole.seconds += part.seconds


async def export_in_languages(
    fetch: Fetch,
    folder: Path,
    app_url: str,
    superseded: Callable[[], bool] = lambda: False,
    *,
    prefixes: dict[str, str],
    incident_pages: IncidentPagesIn = lambda language: None,
    locked: bool = False,
    version: int | None = None,
) -> Written | None:
    """A whole copy in every language of `prefixes`, the site's first; None when a newer
    change came before the end."""
    written = await export(
        fetch,
        folder,
        app_url,
        superseded,
        locked=locked,
        incident_pages=incident_pages(None),
        prefixes=prefixes,
    )
    if written is None:
        return None
    for language, prefix in _others(prefixes):
        part = await export(
            in_language(fetch, language),
            folder / language,
            app_url,
            superseded,
            locked=True,  # the root's lock is this turn's
            incident_pages=incident_pages(language),
            prefix=prefix,
            prefixes=prefixes,
        )
        if part is None:
            return None
        _add(written, part, language)
    if version is not None:
        await asyncio.to_thread(write_stamp, folder, version, whole=True)
    return written


async def write_paths_in_languages(
    fetch: Fetch,
    folder: Path,
    app_url: str,
    paths: frozenset[str],
    *,
    prefixes: dict[str, str],
    locked: bool = False,
    version: int | None = None,
) -> Written:
    """A change's files in every language, the site's first (a reader during an outage
    most likely reads it); then the stamp."""
    written = await write_paths(fetch, folder, app_url, paths, locked=locked, prefixes=prefixes)
    pages = frozenset(path for path in paths if LANGUAGE_PAGE.match(path))
    for language, prefix in _others(prefixes):
        part = await write_paths(
            in_language(fetch, language),
            folder / language,
            app_url,
            pages,
            locked=True,
            prefix=prefix,
            prefixes=prefixes,
        )
        _add(written, part, language)
    if version is not None:
        await asyncio.to_thread(update_files, folder, {}, set(), locked=True, version=version)
    return written
