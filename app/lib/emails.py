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


def mailbox(address: str) -> str:
    """The mailbox an address reaches, for counting what is sent to it: lower case, and the
    local part without its `+tag` (`Name+1@Example.org` and `name+2@example.org` are one
    inbox at most providers, so a limit per literal address would count them apart)."""
    local, _, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def email_domain(address: str) -> str:
    return address.strip().lower().rpartition("@")[2]
