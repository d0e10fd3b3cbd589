"""The domain's error family. Services raise these; `app.web.errors` maps them to HTTP once."""


class DomainError(Exception):
    """A rule said no. `message` is written for the person who sent the request."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class PermissionDenied(DomainError):
    status_code = 403


class InvalidInput(DomainError):
    status_code = 422


class InvalidTransition(InvalidInput):
    """A status change the lifecycle does not allow (e.g. resolved -> identified)."""
