"""Times inside words (pure): written naming the page's zone, found again on the page and
marked up like the page's own times, so each reader sees them in their own zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.lib.times_in_words import mark_times, say

BERLIN = ZoneInfo("Europe/Berlin")
PUBLISHED = datetime(2026, 12, 7, 3, 23, tzinfo=UTC)


def test_words_name_the_zone_of_each_time():
    assert say(datetime(2026, 12, 7, 3, 53, tzinfo=UTC), UTC) == "03:53 UTC"
    assert say(datetime(2026, 12, 7, 3, 53, tzinfo=UTC), BERLIN) == "04:53 CET"
    summer = datetime(2026, 7, 2, 1, 0, tzinfo=UTC)
    assert say(summer, BERLIN, with_day=True) == "Jul 02, 03:00 CEST"
    assert say(summer, ZoneInfo("Asia/Riyadh")) == "04:00 UTC+03"


def test_a_promised_time_is_marked_as_the_moment_nearest_the_publishing():
    html = "<p>Next update by 03:53 UTC.</p>"
    marked = mark_times(html, zone=UTC, near=PUBLISHED)
    assert marked == (
        '<p>Next update by <time datetime="2026-12-07T03:53:00+00:00" data-fmt="time">'
        "03:53 UTC</time>.</p>"
    )


def test_a_time_just_before_midnight_is_read_on_the_day_before():
    late = datetime(2026, 12, 7, 0, 10, tzinfo=UTC)
    marked = mark_times("<p>Since 23:50 UTC.</p>", zone=UTC, near=late)
    assert 'datetime="2026-12-06T23:50:00+00:00"' in marked


def test_a_window_with_its_day_in_the_pages_zone_is_marked_with_that_day():
    marked = mark_times(
        "<p>From Dec 12, 02:00 CET to Dec 12, 04:00 CET.</p>", zone=BERLIN, near=PUBLISHED
    )
    assert 'datetime="2026-12-12T01:00:00+00:00" data-fmt="datetime">Dec 12, 02:00 CET</time>' in (
        marked
    )
    assert 'datetime="2026-12-12T03:00:00+00:00"' in marked


def test_a_window_early_next_year_takes_next_years_date():
    marked = mark_times("<p>On Jan 03, 02:00 UTC.</p>", zone=UTC, near=PUBLISHED)
    assert 'datetime="2027-01-03T02:00:00+00:00"' in marked


def test_a_time_in_another_zone_or_inside_a_tag_is_left_as_written():
    html = (
        '<p>At 14:00 EST, see <a href="https://x.test/?t=14:00 UTC" title="14:00 UTC">it</a>.</p>'
    )
    assert mark_times(html, zone=BERLIN, near=PUBLISHED) == html


def test_times_already_marked_are_not_marked_twice():
    once = mark_times("<p>By 03:53 UTC.</p>", zone=UTC, near=PUBLISHED)
    assert mark_times(once, zone=UTC, near=PUBLISHED) == once
