"""What a provider says about one address, whichever its format: the common shape every
reader (`sns`, `postmark`, `mailgun`, `dsn`) turns its payload into."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.lib.errors import DomainError
from app.lib.json_depth import too_deep

MAX_BODY = 256 * 1024  # a provider's notification is a few kilobytes


class Kind(StrEnum):
    HARD = "hard bounce"  # the address does not exist, or refuses for good
    SOFT = "soft bounce"  # a full mailbox, a server away: may pass later
    COMPLAINT = "complaint"  # the reader marked the message as spam
    DELIVERED = "delivered"  # the provider saw it arrive: soft bounces count again


@dataclass(frozen=True)
class Report:
    address: str
    kind: Kind
    detail: str = ""  # the provider's words ("550 5.1.1 user unknown"), for the reason


class Malformed(DomainError):
    """A body that is not what the provider sends: 400, with what is wrong."""

    status_code = 400


def json_object(body: bytes, what: str) -> dict[str, Any]:
    """`body` as a JSON object, or Malformed saying why not."""
    if len(body) > MAX_BODY:
        raise Malformed(f"{what}: the body is larger than {MAX_BODY // 1024} KiB")
    if too_deep(body):
        raise Malformed(f"{what}: the JSON is nested too deep")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Malformed(f"{what}: the body is not JSON") from None
    if not isinstance(data, dict):
        raise Malformed(f"{what}: the body must be a JSON object")
    return data


def text(data: dict[str, Any], key: str, what: str, *, required: bool = True) -> str:
    """A string field, or Malformed naming it."""
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise Malformed(f"{what}: {key} must be a non-empty string")
    return value


def address_of(value: Any, what: str) -> str:
    if not isinstance(value, str) or "@" not in value or len(value) > 320:
        raise Malformed(f"{what}: {value!r:.80} is not an email address")
    return value.strip()
