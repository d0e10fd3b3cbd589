"""Templates by language: which language a template is written in, and which template fills
an update's words in another language.

A template without a language is in the site's (TIDINGS_LANGUAGE); a template's name is
unique per language, so "Investigating" may exist once in English and once in German.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.comms.models import MessageTemplate
from app.lib.errors import InvalidInput
from app.lib.languages import DEFAULT_LANGUAGE, LANGUAGES, check_language


def template_language(value: str | None, *, site_language: str = DEFAULT_LANGUAGE) -> str | None:
    """A template's language as stored: None for the site's (or none given), else one we
    publish in; a 422 otherwise."""
    if not value:
        return None
    try:
        language = check_language(value, what="language")
    except ValueError as exc:
        raise InvalidInput(str(exc), field="language") from None
    return None if language == site_language else language


def in_language(language: str | None) -> ColumnElement[bool]:
    """The templates written in `language` (None: the site's)."""
    if language is None:
        return MessageTemplate.language.is_(None)
    return MessageTemplate.language == language


async def template_in(
    session: AsyncSession, template: MessageTemplate, language: str
) -> tuple[MessageTemplate, str | None]:
    """The template that fills words in `language` where `template` was chosen: the one of
    the same name in that language, else one for the same status in it; else `template`
    itself, with a note saying the words came from it and want translating."""
    same_name = await session.scalar(
        select(MessageTemplate).where(MessageTemplate.name == template.name, in_language(language))
    )
    if same_name is not None:
        return same_name, None
    same_status = await session.scalar(
        select(MessageTemplate)
        .where(MessageTemplate.status == template.status, in_language(language))
        .order_by(MessageTemplate.name)
    )
    if same_status is not None:
        return same_status, None
    name = LANGUAGES.get(language, language)
    return template, (
        f"No template in {name} for “{template.name}”: these are its words in the site's "
        f"language, to translate into {name}."
    )
