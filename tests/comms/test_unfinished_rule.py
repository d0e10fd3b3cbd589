"""The unfinished-words rule (pure): a template's `[placeholder]` left in, or a heading with
nothing under it, is found with its line; links, the customer page link's stand-in, task
boxes and code are left alone."""

from __future__ import annotations

import pytest

from app.comms.wording.defaults import TEMPLATES
from app.comms.wording.unfinished import (
    EMPTY_SECTION,
    PLACEHOLDER,
    find_gaps,
    refuse_unfinished,
)
from app.customers.page_links import PAGE_LINK
from app.lib.errors import InvalidInput


def _found(body: str) -> list[tuple[str, int]]:
    return [(g.kind, g.line_no) for g in find_gaps(body)]


def test_a_bracketed_line_left_from_the_template_is_a_placeholder_on_its_line():
    body = "Exports are slow.\n\n[Who was affected, and for how long.]\n"
    assert _found(body) == [(PLACEHOLDER, 3)]


def test_a_placeholder_inside_a_sentence_is_found_too():
    assert _found("We fixed it on [date] and are watching.") == [(PLACEHOLDER, 1)]


@pytest.mark.parametrize(
    "body",
    [
        f"See your own page: {PAGE_LINK}",
        "Read [our status page](https://status.example.com) for more.",
        "Details are in [the notes][notes].\n\n[notes]: https://example.com/notes",
        "![the graph](https://example.com/graph.png)",
        "- [ ] check exports\n- [x] restart the queue",
        "Type `[name]` in the search box.",
        "```\nretry [--all]\n```",
        r"Prices are shown as \[EUR] in the app.",
        "It happened twice.[^1]",
        "Plain words, no brackets at all.",
    ],
)
def test_links_the_page_link_stand_in_task_boxes_and_code_are_finished_words(body):
    assert find_gaps(body) == []


def test_a_heading_followed_by_the_next_heading_is_an_empty_section():
    body = (
        "### What happened\n\nA bad configuration.\n\n### Impact\n\n"
        "### What we are changing\n\n- One region first."
    )
    assert _found(body) == [(EMPTY_SECTION, 5)]


def test_a_heading_at_the_very_end_is_an_empty_section():
    assert _found("### What happened\n\nIt broke.\n\n### Impact\n\n") == [(EMPTY_SECTION, 5)]


def test_a_heading_whose_content_is_a_deeper_heading_is_not_empty():
    body = "## Review\n\n### Impact\n\nExports waited 40 minutes."
    assert find_gaps(body) == []


def test_a_hash_without_a_space_is_not_a_heading():
    assert find_gaps("#incident-room was busy.\n") == []


def test_the_default_postmortem_template_is_unfinished_until_its_brackets_are_replaced():
    body = next(t[3] for t in TEMPLATES if t[1] == "postmortem")
    kinds = {g.kind for g in find_gaps(body)}
    assert kinds == {PLACEHOLDER}


def test_the_refusal_quotes_the_line_to_fix_and_says_what_to_do():
    with pytest.raises(InvalidInput) as refused:
        refuse_unfinished("All good.\n\n### Impact\n\n### Changes\n\n[Who was affected.]")
    message = refused.value.message
    assert "line 3 is a heading with nothing under it: “### Impact”" in message
    assert "line 7 still holds a template's placeholder: “[Who was affected.]”" in message
    assert refused.value.field == "body"


def test_a_long_line_is_quoted_shortened():
    line = "[" + "x" * 200 + "]"
    (gap,) = find_gaps(line)
    assert "…”" in gap.message and len(gap.message) < 250
