"""Every word a reader may see has a translation in every language we ship.

The words are extracted from the code and templates as `make messages` does (babel.cfg),
so a new `_()` that no catalogue holds fails here, naming the words and the language,
rather than showing English on a German page.
"""

from __future__ import annotations

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.lib.languages import DEFAULT_LANGUAGE, LANGUAGES
from app.lib.paths import LOCALE, ROOT


def _extracted() -> set[str]:
    """The msgids `make messages` would extract now, from the same mapping."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config, "babel.cfg")
    found: set[str] = set()
    # The default directory filter skips dotted folders (the venv), and the mapping names
    # only app/ and templates/.
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords={**DEFAULT_KEYWORDS, "N_": None}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_word_shown_to_readers_is_translated_in_every_language() -> None:
    words = _extracted()
    missing: dict[str, list[str]] = {}
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
            catalog = read_po(source, locale=language)
        for word in sorted(words):
            message = catalog.get(word)
            strings = message.string if message else None
            filled = all(strings) if isinstance(strings, tuple) else bool(strings)
            if not filled:
                missing.setdefault(language, []).append(word)
    assert not missing, "untranslated (run `make messages`, then translate): " + repr(missing)
