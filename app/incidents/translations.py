"""One update's words in several languages: checking them, and choosing the words a reader gets.

`Update.body` holds the words in the site's language (TIDINGS_LANGUAGE); `Update.translations`
the same update in other languages, {language: words}. They are approved together and
published together. A reader gets the words in their language when the update carries it,
else the site's words (and a line saying so, which the message or page writes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from app.incidents.inputs import MAX_BODY
from app.lib.errors import InvalidInput
from app.lib.languages import LANGUAGES, known_language


class HasWords(Protocol):
    body: str
    translations: dict[str, str] | None


def clean_translations(
    translations: Mapping[str, str] | None, *, site_language: str, field: str = "translations"
) -> dict[str, str] | None:
    """`translations` as stored ({"de": "..."}, None when there are none), or a 422 naming
    what is wrong: a language we do not speak, the site's own (that is `body`), blank words.
    """
    if not translations:
        return None
    cleaned: dict[str, str] = {}
    for tag, words in translations.items():
        language = known_language(tag)
        if language is None:
            raise InvalidInput(
                f"{field}: {tag!r} is not a language we publish in; "
                f"use one of {', '.join(LANGUAGES)}",
                field=field,
            )
        if language == site_language:
            raise InvalidInput(
                f"{field}: {language} is the site's language: its words are the body",
                field=field,
            )
        if language in cleaned:
            raise InvalidInput(f"{field}: {language} is given twice", field=field)
        if not isinstance(words, str) or not words.strip():
            raise InvalidInput(
                f"{field}: the words in {LANGUAGES[language]} ({language}) must not be blank; "
                "leave the language out instead",
                field=field,
            )
        if len(words.strip()) > MAX_BODY:
            raise InvalidInput(
                f"{field}: the words in {language} must be at most {MAX_BODY} characters",
                field=field,
            )
        cleaned[language] = words.strip()
    return dict(sorted(cleaned.items()))


def all_words(update: HasWords, *, site_language: str) -> dict[str, str]:
    """Every language the update carries, the site's first: {language: words}."""
    return {site_language: update.body, **(update.translations or {})}


def languages_of(update: HasWords, *, site_language: str) -> list[str]:
    """The languages the update carries, the site's first."""
    return list(all_words(update, site_language=site_language))


def words_in(update: HasWords, language: str, *, site_language: str) -> tuple[str, str]:
    """The words a reader of `language` gets, and the language they are in: theirs when the
    update carries it, else the site's (the caller then says the update is not yet
    available in theirs)."""
    wanted = known_language(language)
    translations = update.translations or {}
    if wanted is not None and wanted != site_language and translations.get(wanted):
        return translations[wanted], wanted
    return update.body, site_language
