"""How deep a JSON document nests, judged before any decoder sees it.

JSON decoders recurse once per level, so `[` x 200,000 ends in a RecursionError in
whichever decoder meets it first. Both the request bodies the app reads and the documents
the Statuspage importer fetches are screened with this one check; nothing of ours needs
more than a handful of levels.
"""

from __future__ import annotations

import re
from array import array
from itertools import accumulate

MAX_JSON_DEPTH = 64

# A JSON string, escapes included. Possessive quantifiers keep it linear on any input, and
# an unterminated string runs to the end instead of failing after a scan (no backtracking).
_STRING = re.compile(rb'(?s)"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)')
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 opens, -1 closes (signed bytes)


def too_deep(body: bytes) -> bool:
    """Does `body` nest arrays and objects deeper than MAX_JSON_DEPTH? Brackets inside
    strings do not count. Linear, and done in C but for the running sum; a body with no more
    opening brackets than the limit cannot be too deep and is not scanned at all."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return False
    structure = _STRING.sub(b"", body).translate(None, _NOT_BRACKET).translate(_STEP)
    return max(accumulate(array("b", structure)), default=0) > MAX_JSON_DEPTH
