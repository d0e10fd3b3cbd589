"""An update's words as a page shows them: in the page's language when the update carries
it, else in the site's with a note saying so, and the other languages it carries a click
away. The feeds and the Statuspage JSON do not ask this: they stay in the site's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.incidents.models import Update
from app.incidents.translations import all_words, words_in
from app.lib.languages import LANGUAGES
from app.lib.translations import gettext


def N_(message: str) -> str:
    """Marks `message` for the catalogues; it is translated where it is said."""
    return message


NOT_YET = N_("This update is not yet available in your language.")
OTHER_LANGUAGES = N_("Read this update in another language")


@dataclass(frozen=True)
class Shown:
    """One update's words on one page."""

    words: str  # Markdown, as published
    language: str  # of `words`
    note: str | None  # "not yet available in your language", in the page's language
    others: list[tuple[str, str, str]]  # (language, its own name, words) of the rest


@dataclass(frozen=True)
class PageWords:
    """What a page needs to show updates' words in its language (the template's `language`)."""

    site_language: str

    def of(self, update: Update, language: str) -> Shown:
        words, shown = words_in(update, language, site_language=self.site_language)
        others = [
            (code, LANGUAGES[code], text)
            for code, text in all_words(update, site_language=self.site_language).items()
            if code != shown and code in LANGUAGES
        ]
        note = gettext(language, NOT_YET) if shown != language else None
        return Shown(words, shown, note, others)

    def switch_label(self, language: str) -> str:
        return gettext(language, OTHER_LANGUAGES)
