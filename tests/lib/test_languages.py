"""Which language a reader gets: the pure rules the pages, the messages and the copy share."""

from __future__ import annotations

import pytest

from app.lib.languages import (
    check_language,
    from_accept_language,
    known_language,
    message_language,
    page_language,
)
from app.settings import ConfigError, Settings


def test_a_regional_tag_is_read_as_its_language() -> None:
    assert known_language("de-AT") == "de"
    assert known_language("JA") == "ja"
    assert known_language("pt-BR") is None


def test_the_browser_wish_we_can_meet_wins_by_weight_then_by_order() -> None:
    assert from_accept_language("pt-BR, fr;q=0.8, de;q=0.9") == "de"
    assert from_accept_language("ja, de") == "ja"
    assert from_accept_language("es;q=0.5, fr;q=0.5") == "es"


def test_a_refused_or_unknown_wish_names_no_language() -> None:
    assert from_accept_language("de;q=0, *") is None
    assert from_accept_language("") is None
    assert from_accept_language("de;q=nonsense") is None


def test_an_unknown_language_is_refused_with_the_languages_there_are() -> None:
    with pytest.raises(ValueError, match="language must be one of en, de, fr, es, ja"):
        check_language("klingon", what="language")


def test_the_site_language_comes_from_the_environment_and_a_typo_stops_the_start() -> None:
    assert Settings.from_env({"TIDINGS_LANGUAGE": "de-DE"}).language == "de"
    assert Settings.from_env({}).language == "en"
    with pytest.raises(ConfigError, match="TIDINGS_LANGUAGE must be one of"):
        Settings.from_env({"TIDINGS_LANGUAGE": "deutsch"})


def test_a_page_follows_the_choice_then_the_cookie_then_the_customer_then_the_browser() -> None:
    def shown(**given: str | None) -> str:
        facts = {"chosen": None, "remembered": None, "customer": None, "accept_language": None}
        return page_language(**{**facts, **given}, site="fr")

    assert shown(chosen="ja", remembered="de", customer="es", accept_language="de") == "ja"
    assert shown(chosen="xx", remembered="de", customer="es") == "de"
    assert shown(customer="es", accept_language="de") == "es"
    assert shown(accept_language="de-CH,de;q=0.9") == "de"
    assert shown() == "fr"


def test_a_message_is_written_in_the_subscribers_language_else_its_customers() -> None:
    assert message_language(subscriber="de", customer="ja", site="en") == "de"
    assert message_language(subscriber=None, customer="ja", site="en") == "ja"
    assert message_language(subscriber=None, customer=None, site="es") == "es"
