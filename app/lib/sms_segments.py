"""How many SMS a text costs: the carriers' segment rule, pure.

A text written only in the GSM-7 alphabet (its basic table, plus the extension table whose
characters take two septets, an escape and the character) fits 160 septets in one message
and 153 per part once split (the rest carries the header that joins the parts). One
character outside it makes the whole text UCS-2: 70 UTF-16 code units in one message, 67
per part (an emoji outside the Basic Multilingual Plane takes two).
"""

from __future__ import annotations

from dataclasses import dataclass

# GSM 03.38 basic character set (escape excluded).
_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two septets.
_EXTENDED = frozenset("^{}\\[~]|€\f")

GSM7 = "GSM-7"
UCS2 = "UCS-2"


@dataclass(frozen=True)
class Segments:
    """A text's encoding, its length in that encoding's units, and the SMS it is sent as."""

    encoding: str
    units: int
    count: int

    @property
    def text(self) -> str:
        """ "2 SMS (GSM-7, 170 characters)" """
        return f"{self.count} SMS ({self.encoding}, {self.units} characters)"


def _gsm7_units(text: str) -> int | None:
    """Septets the text takes in GSM-7, or None if a character is outside it."""
    units = 0
    for char in text:
        if char in _BASIC:
            units += 1
        elif char in _EXTENDED:
            units += 2
        else:
            return None
    return units


def segments(text: str) -> Segments:
    """The SMS `text` is sent as (an empty text is still one message)."""
    gsm = _gsm7_units(text)
    if gsm is not None:
        return Segments(GSM7, gsm, _count(gsm, single=160, part=153))
    units = len(text.encode("utf-16-le")) // 2
    return Segments(UCS2, units, _count(units, single=70, part=67))


def _count(units: int, *, single: int, part: int) -> int:
    if units <= single:
        return 1
    return -(-units // part)  # ceiling division
