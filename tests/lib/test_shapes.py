"""The one conversion from a model to an API response shape (`app.lib.shapes.shape`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec
import pytest

from app.lib.shapes import shape

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@dataclass
class Hook:
    id: str
    url: str
    secret: str
    created_at: datetime


class HookRead(msgspec.Struct, kw_only=True):
    id: str
    url: str
    created_at: datetime
    secret: str | None = None  # only in the answer to the create


def test_a_shape_copies_the_fields_the_model_has_by_the_same_name():
    read = shape(HookRead, Hook("h1", "https://example.com", "whsec_x", NOW))
    assert read == HookRead(id="h1", url="https://example.com", created_at=NOW)


def test_a_field_with_a_default_is_never_read_from_the_model_so_a_secret_stays_out():
    read = shape(HookRead, Hook("h1", "https://example.com", "whsec_x", NOW))
    assert read.secret is None
    assert b"whsec_x" not in msgspec.json.encode(read)


def test_given_fields_win_over_the_model_and_fill_the_defaulted_ones():
    hook = Hook("h1", "https://example.com", "whsec_x", NOW)
    read = shape(HookRead, hook, url="https://other.example", secret=hook.secret)
    assert read.url == "https://other.example"
    assert read.secret == "whsec_x"


def test_a_required_field_the_model_lacks_is_an_error_not_a_silent_gap():
    class NamedRead(msgspec.Struct, kw_only=True):
        id: str
        name: str

    with pytest.raises(AttributeError, match="name"):
        shape(NamedRead, Hook("h1", "https://example.com", "whsec_x", NOW))
