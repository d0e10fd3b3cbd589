"""Which words of an update one reader gets, and in which language.

A reader's language is the message rule's (`app.lib.languages.message_language`: theirs,
else their customer's, else the site's). They get the update's words in it when the update
carries it, else the site's words with one line, in their language, saying the update is
not yet available in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.customers.models import Customer
from app.incidents.models import Update
from app.incidents.translations import words_in
from app.lib.languages import message_language
from app.lib.translations import N_, gettext
from app.settings import Settings
from app.subscribers.models import Subscriber

NOT_YET_IN_YOUR_LANGUAGE = N_("This update is not yet available in your language.")


@dataclass(frozen=True)
class ReaderWords:
    words: str  # Markdown, as published
    language: str  # of `words`
    reader_language: str

    @property
    def fell_back(self) -> bool:
        """The reader gets the site's words: the update does not carry their language."""
        return self.language != self.reader_language

    def note(self) -> str | None:
        """The line saying so, in the reader's language (None when they got their own)."""
        return gettext(self.reader_language, NOT_YET_IN_YOUR_LANGUAGE) if self.fell_back else None


def reader_language(
    settings: Settings, subscriber: Subscriber | None, customer: Customer | None
) -> str:
    """The language a message to `subscriber` (of `customer`) is written in."""
    return message_language(
        subscriber=subscriber.language if subscriber is not None else None,
        customer=customer.language if customer is not None else None,
        site=settings.language,
    )


def reader_words(settings: Settings, update: Update, language: str | None = None) -> ReaderWords:
    """The update's words for a reader of `language` (absent: the site's)."""
    wanted = language or settings.language
    words, language_of_words = words_in(update, wanted, site_language=settings.language)
    return ReaderWords(words, language_of_words, wanted)
