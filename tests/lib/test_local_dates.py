"""Times in a zone, written the way each language writes them, in the same named styles."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.lib.local_dates import format_local

PARIS = ZoneInfo("Europe/Paris")
AT = datetime(2031, 3, 1, 1, 0, tzinfo=UTC)  # 02:00 in Paris


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ("Mar 1, 02:00 CET", "Mar 1, 2031", "02:00 CET", "Sat, Mar 1, 2031, 02:00 CET")),
        ("de", ("1. März, 02:00 CET", "1. März 2031", "02:00 CET", "Sa., 1. März 2031, 02:00 CET")),
        ("ja", ("3月1日 2:00 CET", "2031年3月1日", "2:00 CET", "2031年3月1日(土) 2:00 CET")),
    ],
)
def test_each_named_style_is_written_as_the_language_writes_dates(language, expected):
    styles = ("datetime", "date", "time", "full")
    assert tuple(format_local(AT, s, language=language, zone=PARIS) for s in styles) == expected


def test_a_language_we_do_not_write_in_reads_as_english():
    assert format_local(AT, "datetime", language="xx", zone=PARIS) == "Mar 1, 02:00 CET"
