"""Tone checks: pure rules a draft is held against. Each finding names its rule and words.

Rules are switchable and, for word lists and length, configurable (`RuleSetting`); a finding
is a warning unless the comms lead made its rule blocking.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.incidents.status import FINAL_STATUSES

NAMES_AFFECTED = "names_affected"
NEXT_UPDATE = "next_update"
BLAME_WORDS = "blame_words"
JARGON = "jargon"
LENGTH = "length"
APOLOGY = "apology"

RULES: dict[str, str] = {
    NAMES_AFFECTED: "names what is affected",
    NEXT_UPDATE: "an unresolved incident says when the next update comes",
    BLAME_WORDS: "uses none of the blame words",
    JARGON: "uses no internal jargon (host names, stack traces, ticket ids, listed words)",
    LENGTH: "stays under a length",
    APOLOGY: "a major or critical incident says sorry",
}

DEFAULT_BLAME = [
    "fault",
    "blame",
    "user error",
    "third party",
    "vendor",
    "negligence",
    "human error",
]
DEFAULT_JARGON = [
    "stack trace",
    "traceback",
    "exception",
    "segfault",
    "kubernetes",
    "kubectl",
    "pod",
    "OOM",
    "p99",
    "null pointer",
    "RCA",
]
DEFAULT_LENGTH = 1200

# Internal things that should never reach a customer, whatever the word list says.
_HOST = re.compile(
    r"\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:internal|local|lan|corp|intra)\b"
    r"|\b(?:ip-\d+-\d+-\d+-\d+|(?:db|web|app|api|worker|cache|lb|k8s)-?\d+[a-z0-9-]*)\b",
    re.IGNORECASE,
)
_TICKET = re.compile(r"\b[A-Z][A-Z0-9]{1,9}-\d+\b")
_STACK = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|\bat [\w.$]+\([\w]+\.\w+:\d+\)"
)
_NEXT_UPDATE = re.compile(
    r"next update|update you|further update|another update"
    r"|update (?:again |here )?(?:by|at|in|within)"
    r"|\b\d{1,2}:\d{2}\b|\bwithin \d+\s*(?:min|minutes|hours?|h)\b",
    re.IGNORECASE,
)
_APOLOGY = re.compile(r"\b(?:sorry|apologi[sz]e|apologies)\b", re.IGNORECASE)


@dataclass(frozen=True)
class RuleSetting:
    enabled: bool = True
    blocking: bool = False
    words: tuple[str, ...] | None = None
    limit: int | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    words: tuple[str, ...] = ()
    blocking: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "message": self.message,
            "words": list(self.words),
            "blocking": self.blocking,
        }


@dataclass(frozen=True)
class Subject:
    """What a draft is about, as far as the rules need to know."""

    status: str
    impact: str
    components: tuple[str, ...] = field(default_factory=tuple)


def _listed(body: str, words: Iterable[str]) -> list[str]:
    found = []
    for word in words:
        word = word.strip()
        if word and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", body, re.IGNORECASE):
            found.append(word)
    return found


def check(
    body: str, subject: Subject, settings: Mapping[str, RuleSetting] | None = None
) -> list[Finding]:
    """Every finding of the enabled rules, in the order of RULES."""
    settings = settings or {}
    findings: list[Finding] = []

    def setting(rule: str) -> RuleSetting:
        return settings.get(rule) or RuleSetting()

    def add(rule: str, message: str, words: Iterable[str] = ()) -> None:
        findings.append(Finding(rule, message, tuple(words), setting(rule).blocking))

    lowered = body.lower()
    if (
        setting(NAMES_AFFECTED).enabled
        and subject.components
        and not any(name.lower() in lowered for name in subject.components)
    ):
        add(
            NAMES_AFFECTED,
            "say what is affected: name at least one of " + ", ".join(subject.components),
            subject.components,
        )
    if (
        setting(NEXT_UPDATE).enabled
        and subject.status not in FINAL_STATUSES
        and not _NEXT_UPDATE.search(body)
    ):
        add(NEXT_UPDATE, "say when the next update comes (e.g. “next update by 14:30 UTC”)")
    if setting(BLAME_WORDS).enabled:
        words = _listed(body, setting(BLAME_WORDS).words or DEFAULT_BLAME)
        if words:
            add(
                BLAME_WORDS,
                "own the problem rather than point at someone: " + ", ".join(words),
                words,
            )
    if setting(JARGON).enabled:
        words = _listed(body, setting(JARGON).words or DEFAULT_JARGON)
        words += [m.group(0) for m in _HOST.finditer(body)]
        words += [m.group(0) for m in _TICKET.finditer(body)]
        words += [m.group(0) for m in _STACK.finditer(body)]
        if words:
            unique = list(dict.fromkeys(words))
            add(JARGON, "keep internal details out: " + ", ".join(unique), unique)
    if setting(LENGTH).enabled:
        limit = setting(LENGTH).limit or DEFAULT_LENGTH
        if len(body) > limit:
            add(LENGTH, f"keep it under {limit} characters (it has {len(body)})")
    if (
        setting(APOLOGY).enabled
        and subject.impact in ("major", "critical")
        and not _APOLOGY.search(body)
    ):
        add(APOLOGY, f"a {subject.impact} incident says sorry")
    return findings


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking]
