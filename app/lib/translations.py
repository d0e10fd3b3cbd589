"""Translated words for the outside surfaces: gettext catalogues read straight from `.po`.

The catalogues are the versioned `locale/<language>/LC_MESSAGES/messages.po` files (made and
updated with `make messages`). They are compiled in memory the first time a language is
asked for, so a checkout runs without a build step and a translator's edit shows on the
next start. Entries marked fuzzy (a doubtful translation waiting for review) are left out:
the reader sees the English until someone confirms the wording.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from app.lib.languages import DEFAULT_LANGUAGE, known_language
from app.lib.paths import LOCALE

DOMAIN = "messages"


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue of `language`; English (the source language) translates to itself."""
    language = known_language(language) or DEFAULT_LANGUAGE
    path = LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not path.exists():
        return NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext(language: str, message: str) -> str:
    return translations(language).gettext(message)


def ngettext(language: str, singular: str, plural: str, count: int) -> str:
    return translations(language).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark words for the catalogues where they are defined; they are translated where they
    are shown (`_(status.label)` in a template)."""
    return message
