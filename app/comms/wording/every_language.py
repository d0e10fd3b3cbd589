"""The desk's checks on an update's words in every language it carries.

The unfinished-words check (a template's `[placeholder]`, an empty section) reads every
language: a bracket is a bracket in Japanese too. The tone rules are written for English
(their word lists, "sorry", "next update"), so they read only English words: the body when
the site's language is English, and English words carried as a translation. Words in other
languages get no tone findings rather than wrong ones.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.comms.wording import tone
from app.comms.wording.tone_rules import check_tone
from app.comms.wording.unfinished import find_gaps
from app.incidents.models import Incident, Update
from app.incidents.translations import all_words
from app.lib.errors import InvalidInput
from app.lib.languages import LANGUAGES

# The languages the tone rules can read.
TONE_LANGUAGES = ("en",)


def _named(language: str, findings: list[tone.Finding]) -> list[tone.Finding]:
    return [
        tone.Finding(
            rule=f.rule,
            message=f"{LANGUAGES[language]}: {f.message}",
            words=f.words,
            blocking=f.blocking,
        )
        for f in findings
    ]


async def check_tone_everywhere(
    session: AsyncSession, *, incident: Incident, status: str, update: Update, site_language: str
) -> list[tone.Finding]:
    """The tone findings of the update's words in each language the rules read; a finding
    in a translation names its language."""
    findings: list[tone.Finding] = []
    for language, words in all_words(update, site_language=site_language).items():
        if language not in TONE_LANGUAGES:
            continue
        found = await check_tone(session, incident=incident, status=status, body=words)
        findings += found if language == site_language else _named(language, found)
    return findings


def refuse_unfinished_everywhere(update: Update, *, site_language: str) -> None:
    """A 422 quoting each unfinished line of each language; nothing when all are finished."""
    problems = []
    for language, words in all_words(update, site_language=site_language).items():
        gaps = find_gaps(words)
        if gaps and language == site_language:
            problems.append("; ".join(g.message for g in gaps))
        elif gaps:
            problems.append(f"in {LANGUAGES[language]}: " + "; ".join(g.message for g in gaps))
    if problems:
        raise InvalidInput(
            "these words are unfinished: " + "; ".join(problems),
            field="body" if find_gaps(update.body) else "translations",
        )
