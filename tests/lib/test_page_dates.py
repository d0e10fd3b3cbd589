"""Dates, durations and percentages on the outside pages follow the page's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.lib.templating import Renderer, countdown, human_duration, percent

AT = datetime(2026, 12, 7, 10, 5, tzinfo=UTC)


def _renderer() -> Renderer:
    return Renderer(theme="default", zone=ZoneInfo("UTC"), globals_={})


def test_a_time_reads_in_german_and_japanese_as_each_writes_it():
    renderer = _renderer()
    assert renderer.local(AT, "datetime", language="en") == "Dec 7, 10:05 UTC"
    assert renderer.local(AT, "datetime", language="de") == "7. Dez., 10:05 UTC"
    assert renderer.local(AT, "datetime", language="ja") == "12月7日 10:05 UTC"
    assert renderer.local(AT, "full", language="de") == "Mo., 7. Dez. 2026, 10:05 UTC"
    assert renderer.local(AT, "date", language="ja") == "2026年12月7日"


def test_a_template_formats_times_in_the_language_it_is_rendered_in():
    renderer = _renderer()
    template = renderer.env.from_string("{{ at|local('datetime') }} · {{ 99.5|percent }}")
    assert template.render(at=AT, language="de") == "7. Dez., 10:05 UTC · 99,50\xa0%"
    assert template.render(at=AT, language="ja") == "12月7日 10:05 UTC · 99.50%"
    assert template.render(at=AT, language="en") == "Dec 7, 10:05 UTC · 99.50%"


def test_durations_and_countdowns_are_said_in_the_page_language():
    assert human_duration(3 * 3600 + 300, "de") == "3 Std. 5 Min."
    assert human_duration(35 * 60, "ja") == "35 分"
    assert countdown(AT + timedelta(days=2, hours=10), AT, "de") == "noch 2 Tage, 10 Stunden"
    assert countdown(AT + timedelta(minutes=35), AT, "ja") == "あと35 分"
    assert countdown(AT - timedelta(minutes=1), AT, "fr") == "maintenant"


def test_an_uptime_figure_uses_the_language_decimal_mark():
    assert percent(99.5, "en") == "99.50%"
    assert percent(99.5, "fr") == "99,50\xa0%"
