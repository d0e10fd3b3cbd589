"""The one line of an update's words an SMS carries: plain text, GSM-7 where it can be."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from app.delivery.channels.sms import LINE_CHARS, one_line, update_text
from app.incidents.models import Incident, Update
from app.lib.sms_segments import GSM7, segments
from app.lib.templating import Renderer
from app.settings import Settings


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


def _text(title: str, body: str) -> str:
    renderer = Renderer(theme="default", zone=ZoneInfo("Etc/UTC"), globals_={})
    settings = Settings(
        database_url="sqlite+aiosqlite://",
        base_url="https://status.example.com",
        page_name="Example",
    )
    incident = Incident(id="h8nnl4bopoe7", title=title, kind="incident")
    update = Update(status="investigating", body=body)
    return update_text(
        renderer, settings, incident, update, "https://status.example.com/i/h8nnl4bopoe7"
    )


def test_an_update_that_would_take_two_sms_is_cut_to_fit_one():
    body = "We are seeing failed card payments at checkout. Our team is working on it right now."
    text = _text("Checkout payments failing", body)
    assert segments(text).count == 1
    assert "Investigating: We are seeing failed card payments" in text
    assert text.endswith("https://status.example.com/i/h8nnl4bopoe7")


def test_an_update_that_fits_one_sms_keeps_its_whole_line():
    text = _text("API errors", "We are looking into it.")
    assert "Investigating: We are looking into it.\n" in text


def test_a_title_too_long_for_one_sms_keeps_a_readable_line_over_two():
    text = _text("Payments " * 12, "We are seeing failed card payments at checkout and are on it.")
    assert segments(text).count == 2
    assert "failed card payments at checkout" in text
