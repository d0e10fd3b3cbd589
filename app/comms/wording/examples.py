"""Past examples: published updates kept as models, found by text and by similarity."""

from __future__ import annotations

import re

from sqlalchemy import String, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.comms.models import Example
from app.incidents.audit import audit
from app.incidents.models import Incident
from app.incidents.service import get_incident, get_update
from app.incidents.status import UpdateState
from app.lib.clock import utcnow
from app.lib.errors import Conflict, InvalidInput, NotFound
from app.lib.languages import DEFAULT_LANGUAGE, check_language


async def mark_example(
    session: AsyncSession,
    *,
    actor: Actor,
    update_id: str,
    tags: list[str],
    language: str | None = None,
    site_language: str = DEFAULT_LANGUAGE,
) -> Example:
    """Keep a published update as an example: its words in `language` (None or the site's:
    its body; another language it carries: those words)."""
    permissions.require(actor, Act.MANAGE_EXAMPLES)
    if language:
        try:
            language = check_language(language, what="language")
        except ValueError as exc:
            raise InvalidInput(str(exc), field="language") from None
    language = None if language == site_language else (language or None)
    found = await get_update(session, update_id)
    if found.state != UpdateState.PUBLISHED:
        raise Conflict("only a published update can be an example", field="update_id")
    words = found.body
    if language is not None:
        words = (found.translations or {}).get(language, "")
        if not words:
            raise InvalidInput(f"this update carries no words in {language}", field="language")
    incident = await get_incident(session, found.incident_id)
    clean = sorted({t.strip().lower() for t in tags if t.strip()})
    example = await session.get(Example, update_id)
    if example is None:
        example = Example(
            update_id=found.id,
            incident_id=incident.id,
            title=incident.title,
            body=words,
            language=language,
            status=found.status,
            impact=incident.impact,
            component_ids=incident.component_ids,
            marked_by=actor.name,
        )
        session.add(example)
    example.tags = clean
    example.updated_at = utcnow()
    await session.flush()
    await audit(session, actor, "example.mark", found, {"tags": clean})
    return example


async def unmark_example(session: AsyncSession, *, actor: Actor, update_id: str) -> None:
    permissions.require(actor, Act.MANAGE_EXAMPLES)
    example = await session.get(Example, update_id)
    if example is None:
        raise NotFound(f"update {update_id!r} is not an example")
    await session.delete(example)
    subject = ("update", update_id)
    await audit(session, actor, "example.unmark", subject, incident_id=example.incident_id)
    await session.flush()


async def search_examples(
    session: AsyncSession, *, text: str = "", limit: int = 50
) -> list[Example]:
    query = select(Example).order_by(Example.created_at.desc()).limit(limit)
    for word in text.split()[:8]:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(
                Example.body.ilike(pattern),
                Example.title.ilike(pattern),
                cast(Example.tags, String).ilike(pattern),
            )
        )
    return list((await session.scalars(query)).all())


_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2}


def similarity(
    example: Example, *, status: str, impact: str, components: set[str], text: str
) -> float:
    """Same components, impact and status first; then how many words the texts share."""
    score = 0.0
    if components and components.intersection(example.component_ids):
        score += 4
    if example.impact == impact:
        score += 2
    if example.status == status:
        score += 1
    mine, theirs = _words(text), _words(example.title + " " + example.body)
    if mine and theirs:
        score += len(mine & theirs) / len(mine | theirs)
    return score


async def example_words(session: AsyncSession, update_id: str) -> str:
    """The words of one example, to insert into a draft."""
    example = await session.get(Example, update_id)
    if example is None:
        raise NotFound(f"update {update_id!r} is not an example")
    return example.body


def inserted(body: str, words: str) -> str:
    """The writer's words with an example's after them (the writer then edits them)."""
    return f"{body.rstrip()}\n\n{words}" if body.strip() else words


def is_similar(example: Example, *, status: str, impact: str, components: set[str]) -> bool:
    """Worth offering as a model: about the same components, or the same impact at the same
    moment (status). Words about another service at another stage only add scrolling."""
    if components and components.intersection(example.component_ids):
        return True
    return example.impact == impact and example.status == status


async def similar_examples(
    session: AsyncSession,
    *,
    incident: Incident,
    status: str,
    text: str = "",
    limit: int = 3,
    language: str | None = None,
) -> list[Example]:
    """The examples like this incident at this status (`is_similar`), the closest first,
    among those written in `language` (None: the site's)."""
    same = Example.language.is_(None) if language is None else Example.language == language
    examples = (await session.scalars(select(Example).where(same).limit(2000))).all()
    components = set(incident.component_ids)
    ranked = sorted(
        (
            e
            for e in examples
            if e.incident_id != incident.id
            and is_similar(e, status=status, impact=incident.impact, components=components)
        ),
        key=lambda e: (
            -similarity(
                e,
                status=status,
                impact=incident.impact,
                components=components,
                text=incident.title + " " + text,
            )
        ),
    )
    return ranked[:limit]


async def examples_by_language(
    session: AsyncSession, *, incident: Incident, status: str, site_language: str
) -> dict[str, list[Example]]:
    """For each other language some example is written in, the similar examples in it:
    models for the words of the draft in that language."""
    languages = await session.scalars(
        select(Example.language).where(Example.language.is_not(None)).distinct()
    )
    found = {}
    for language in sorted(set(languages.all()) - {site_language}):
        similar = await similar_examples(
            session, incident=incident, status=status, language=language
        )
        if similar:
            found[language] = similar
    return found
