"""What counts as an email address, for subscribers and desk users alike."""

from __future__ import annotations

import re

from app.lib.errors import InvalidInput

_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


def clean_email(address: str | None, field: str = "address") -> str:
    address = (address or "").strip()
    if not address or len(address) > 320 or not _EMAIL.match(address):
        raise InvalidInput(f"{field}: must be an email address like ops@example.com", field=field)
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"
