"""Rails-style form bodies and JSON without a Content-Type, as Statuspage clients send them."""

from __future__ import annotations

import pytest

from app.lib.errors import InvalidInput
from app.statuspage.forms import parse_body, parse_rails_form, rails_bool


def test_a_rails_form_becomes_nested_fields_lists_and_maps():
    form = (
        "incident[name]=DB+down&incident[status]=investigating"
        "&incident[component_ids][]=abc&incident[component_ids][]=def"
        "&incident[components][abc]=major_outage&incident[deliver_notifications]=f&top=1"
    )
    assert parse_rails_form(form) == {
        "incident": {
            "name": "DB down",
            "status": "investigating",
            "component_ids": ["abc", "def"],
            "components": {"abc": "major_outage"},
            "deliver_notifications": "f",
        },
        "top": "1",
    }


def test_an_empty_value_is_kept_and_percent_escapes_are_decoded():
    assert parse_rails_form("incident[body]=&incident[name]=50%25+slower") == {
        "incident": {"body": "", "name": "50% slower"}
    }


@pytest.mark.parametrize(
    "form",
    ["a=1&a[b]=2", "a[b]=2&a=1", "a[]=1&a[b]=2", "a[b]=1&a[]=2", "a[][b]=1", "]x=1"],
)
def test_a_form_that_gives_a_field_two_shapes_is_refused_naming_it(form):
    with pytest.raises(InvalidInput) as caught:
        parse_rails_form(form)
    assert caught.value.field


def test_json_is_read_whatever_the_content_type_says():
    raw = b'{"incident": {"name": "x"}}'
    for content_type in (None, "", "application/x-www-form-urlencoded", "text/plain"):
        assert parse_body(raw, content_type) == {"incident": {"name": "x"}}


def test_a_form_body_and_an_empty_body_are_read():
    assert parse_body(b"component[status]=major_outage", "application/x-www-form-urlencoded") == {
        "component": {"status": "major_outage"}
    }
    assert parse_body(b"", "application/json") == {}


def test_broken_json_and_a_json_list_answer_invalid_input():
    with pytest.raises(InvalidInput):
        parse_body(b"{nope", "application/json")
    with pytest.raises(InvalidInput):
        parse_body(b"[1, 2]", None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("t", True),
        ("true", True),
        ("1", True),
        (True, True),
        ("f", False),
        ("0", False),
        ("false", False),
        (False, False),
        ("off", False),
    ],
)
def test_booleans_are_cast_the_rails_way(value, expected):
    assert rails_bool(value, "deliver_notifications") is expected


def test_a_word_that_is_not_a_boolean_is_refused():
    with pytest.raises(InvalidInput):
        rails_bool("maybe", "deliver_notifications")
