"""Twilio's request signature (`X-Twilio-Signature`): base64 of HMAC-SHA1, keyed by the
account's auth token, over the full URL Twilio called followed by each POST parameter's
name and value, sorted by name."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def twilio_signature(token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    signed = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def valid_twilio_signature(
    token: str, url: str, params: Iterable[tuple[str, str]], signature: str | None
) -> bool:
    if not token or not signature:
        return False
    expected = twilio_signature(token, url, params)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())
