"""Unfinished words: what a template left for the writer to fill, still unfilled. Pure.

Two things mark words as unfinished: a template's `[placeholder]` (square-bracketed text the
writer was asked to replace) and an empty section (a Markdown heading with nothing under
it before the next heading of its rank or higher, or the end). Words that hold either are
refused when submitted or approved, with the line to fix quoted.

Not placeholders: the customer page link's stand-in (`app.customers.page_links.PAGE_LINK`),
which the delivery worker fills for each reader; Markdown links and images (`[text](url)`,
`[text][ref]`, `[ref]: url`), task boxes (`[ ]`, `[x]`), escaped brackets (`\\[`) and
anything inside code (a `code span` or a fenced block).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.customers.page_links import PAGE_LINK
from app.lib.errors import InvalidInput

PLACEHOLDER = "placeholder"
EMPTY_SECTION = "empty_section"

# `[...]` on one line, not escaped, not an image's alt text; what follows decides whether
# it is a link (`(`, `[`, or `:` for a reference definition at the start of a line).
_BRACKETED = re.compile(r"(?<![\\!\]])\[([^\[\]\n]+)\](?!\(|\[)")
_CODE_SPAN = re.compile(r"(`+)[^`\n]*?\1")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s")
_TASK_BOX = re.compile(r"^\s*[-*+]\s+\[[ xX]\]")
_QUOTE_WIDTH = 80


@dataclass(frozen=True)
class Gap:
    """One unfinished spot: its 1-based line, that line as written, and what is wrong."""

    kind: str
    line_no: int
    line: str

    @property
    def message(self) -> str:
        quoted = self.line.strip()
        if len(quoted) > _QUOTE_WIDTH:
            quoted = quoted[: _QUOTE_WIDTH - 1] + "…"
        if self.kind == PLACEHOLDER:
            return (
                f"line {self.line_no} still holds a template's placeholder: “{quoted}”; "
                "write the words it asks for, or remove the line"
            )
        return (
            f"line {self.line_no} is a heading with nothing under it: “{quoted}”; "
            "write that section, or remove the heading"
        )


def _code_lines(lines: list[str]) -> set[int]:
    """Indexes of the lines inside fenced code blocks (fences included)."""
    inside: set[int] = set()
    fence: str | None = None
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            inside.add(index)
        elif fence is not None:
            inside.add(index)
            if line.strip().startswith(fence):
                fence = None
    return inside


def _has_placeholder(line: str) -> bool:
    if _REFERENCE.match(line):
        return False
    line = _TASK_BOX.sub("", _CODE_SPAN.sub("", line), count=1)
    return any(
        f"[{m.group(1)}]" != PAGE_LINK
        and m.group(1).strip()
        and not m.group(1).startswith("^")  # a footnote's mark
        for m in _BRACKETED.finditer(line)
    )


def _heading_level(line: str) -> int:
    match = _HEADING.match(line)
    return len(match.group(1)) if match and (match.group(2) or "").strip() else 0


def find_gaps(body: str) -> list[Gap]:
    """Every unfinished spot in `body`, in the order of its lines."""
    lines = body.splitlines()
    code = _code_lines(lines)
    gaps: list[Gap] = []
    for index, line in enumerate(lines):
        if index in code:
            continue
        level = _heading_level(line)
        if level:
            if _section_is_empty(lines, code, index, level):
                gaps.append(Gap(EMPTY_SECTION, index + 1, line))
        elif _has_placeholder(line):
            gaps.append(Gap(PLACEHOLDER, index + 1, line))
    return gaps


def _section_is_empty(lines: list[str], code: set[int], start: int, level: int) -> bool:
    """Nothing but blank lines between the heading at `start` and the next heading of its
    level or higher (a deeper heading counts as content: the section has a part)."""
    for index in range(start + 1, len(lines)):
        if index in code:
            return False
        if not lines[index].strip():
            continue
        deeper = _heading_level(lines[index])
        return bool(deeper) and deeper <= level
    return True


def as_findings(body: str) -> list[dict[str, object]]:
    """The gaps in `body` shaped as the desk's live checks list them (always blocking)."""
    return [
        {"rule": "unfinished", "message": g.message, "words": [g.line.strip()], "blocking": True}
        for g in find_gaps(body)
    ]


def refuse_unfinished(body: str, *, field: str = "body") -> None:
    """A 422 quoting each unfinished line; nothing when the words are finished."""
    gaps = find_gaps(body)
    if gaps:
        raise InvalidInput(
            "these words are unfinished: " + "; ".join(g.message for g in gaps), field=field
        )
