"""The languages Tidings speaks, and choosing one for a reader.

A language is a short BCP 47 tag (`de`, `ja`). The list is closed: a page, a subscriber or a
customer names one of these, and anything else is refused with a message, so a typo never
silently falls back to English. The order of choice for a page is decided by the web layer;
this module answers the pure questions (is it known, which of a browser's wishes we can
meet) so the same answer holds on pages, in emails and in the static copy.
"""

from __future__ import annotations

from babel import Locale

# Tag → the language's name in itself (how a reader recognises it in a switch).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "ja": "日本語",
}
DEFAULT_LANGUAGE = "en"


def known_language(tag: str | None) -> str | None:
    """`tag` as one of ours (`de-AT` and `DE` are `de`), or None if we do not speak it."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def check_language(tag: str, *, what: str) -> str:
    """`tag` as one of ours, or a ValueError naming `what` and the languages there are."""
    language = known_language(tag)
    if language is None:
        raise ValueError(f"{what} must be one of {', '.join(LANGUAGES)}, got {tag!r}")
    return language


def from_accept_language(header: str | None) -> str | None:
    """The language we speak that the browser wants most (RFC 9110 `Accept-Language`).

    Ties keep the browser's order; `q=0` means "not this one"; a wildcard names no
    language, so the caller's next rule decides.
    """
    if not header:
        return None
    wishes: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = known_language(tag)
        if language is not None and quality > 0:
            wishes.append((-quality, position, language))
    return min(wishes)[2] if wishes else None


def page_language(
    *,
    chosen: str | None,
    remembered: str | None,
    customer: str | None,
    accept_language: str | None,
    site: str,
) -> str:
    """The language a page is shown in, first rule that names one we speak: the reader's
    choice on this request (`?lang=`), the choice remembered in their cookie, the customer's
    language on a customer page, their browser's wishes, then the site's language."""
    return (
        known_language(chosen)
        or known_language(remembered)
        or known_language(customer)
        or from_accept_language(accept_language)
        or known_language(site)
        or DEFAULT_LANGUAGE
    )


def message_language(*, subscriber: str | None, customer: str | None, site: str) -> str:
    """The language an email, SMS or chat message to one subscriber is written in: theirs,
    else their customer's, else the site's."""
    return (
        known_language(subscriber)
        or known_language(customer)
        or known_language(site)
        or DEFAULT_LANGUAGE
    )


def babel_locale(language: str) -> Locale:
    """Babel's locale for one of our languages, for dates and numbers."""
    return Locale.parse(known_language(language) or DEFAULT_LANGUAGE)
