"""Public identifiers: 12 lowercase alphanumerics, the shape Statuspage clients expect."""

import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits


def new_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def new_token(nbytes: int = 24) -> str:
    """An unguessable URL-safe token (customer page tokens, confirmation links)."""
    return secrets.token_urlsafe(nbytes)
