"""The one line of an update's words an SMS carries: plain text, GSM-7 where it can be."""

from __future__ import annotations

from app.delivery.channels.sms import LINE_CHARS, one_line
from app.lib.sms_segments import GSM7, segments


def test_the_first_line_is_taken_without_its_markdown():
    words = "\n## **Errors** on the [API](https://example.com/api)\n\nMore details below."
    assert one_line(words) == "Errors on the API"


def test_typographic_quotes_and_dashes_are_sent_plain_so_the_sms_stays_gsm7():
    line = one_line("We\u2019re on it \u2014 the \u201cfix\u201d is rolling out\u2026")
    assert line == 'We\'re on it - the "fix" is rolling out...'
    assert segments(line).encoding == GSM7


def test_a_long_first_line_is_cut_at_a_word():
    line = one_line("word " * 60)
    assert len(line) <= LINE_CHARS
    assert line.endswith("word...")
