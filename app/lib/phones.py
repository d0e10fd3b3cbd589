"""What counts as a phone number for SMS: one `phonenumbers` accepts as valid, kept in
E.164 (`+14155550100`), the form SMS providers send to and compare replies by."""

from __future__ import annotations

import phonenumbers

from app.lib.errors import InvalidInput

# Longer than any E.164 number written with spaces and punctuation: refused unread.
MAX_TYPED = 40


def clean_phone(number: str | None, *, country: str | None = None, field: str = "phone") -> str:
    """The number in E.164; InvalidInput saying what is expected. A number without its
    `+country code` is read in `country` (ISO 3166 alpha-2, as Statuspage's `phone_country`)
    when one is given."""
    typed = (number or "").strip()
    region = (country or "").strip().upper() or None
    refusal = InvalidInput(
        f"{field}: must be a phone number with its country code, like +14155550100",
        field=field,
    )
    if not typed or len(typed) > MAX_TYPED:
        raise refusal
    try:
        parsed = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        raise refusal from None
    if not phonenumbers.is_valid_number(parsed):
        raise refusal
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def country_of(number: str) -> str | None:
    """The ISO 3166 country an E.164 number belongs to (None if unknown)."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return None


def display(number: str) -> str:
    """An E.164 number as people write it: `+1 415-555-0100`."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
