"""How many SMS a text is sent as: GSM-7 160 then 153 a part, UCS-2 70 then 67."""

from __future__ import annotations

import pytest

from app.lib.sms_segments import GSM7, UCS2, segments


@pytest.mark.parametrize(
    ("length", "count"), [(0, 1), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3)]
)
def test_plain_text_is_gsm7_160_in_one_sms_then_153_a_part(length, count):
    found = segments("a" * length)
    assert (found.encoding, found.units, found.count) == (GSM7, length, count)


@pytest.mark.parametrize(("length", "count"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_one_character_outside_gsm7_makes_the_whole_text_ucs2_70_then_67(length, count):
    text = "ł" + "a" * (length - 1)
    found = segments(text)
    assert (found.encoding, found.units, found.count) == (UCS2, length, count)


def test_gsm7_extension_characters_take_two_places():
    assert segments("€" * 80).units == 160
    assert segments("€" * 80).count == 1
    assert segments("{" * 81).count == 2


def test_accented_letters_of_the_gsm7_alphabet_stay_gsm7():
    assert segments("Réparé à 14 h: Ä Ö Ü ñ ø").encoding == GSM7


def test_an_emoji_is_ucs2_and_counts_two_units():
    found = segments("🔥" * 35)
    assert (found.encoding, found.units, found.count) == (UCS2, 70, 1)
    assert segments("🔥" * 36).count == 2


def test_the_desk_reads_the_count_encoding_and_length():
    assert segments("All good.").text == "1 SMS (GSM-7, 9 characters)"
