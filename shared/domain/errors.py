"""The one error hierarchy; the HTTP edge maps it to JSON responses in one place."""

from __future__ import annotations

from typing import Any


class ChatdeskError(Exception):
    """Base of every error a client may see; ``message`` is safe to show."""

    status = 500
    error = "Internal Server Error"

    def __init__(self, message: str = "", *, details: Any = None) -> None:
        super().__init__(message or self.error)
        self.message = message or self.error
        self.details = details


class BadRequestError(ChatdeskError):
    status = 400
    error = "Bad Request"


class ValidationFailed(BadRequestError):
    """Input failed validation; ``details`` lists every bad field."""

    error = "Validation Failed"


class UnauthorizedError(ChatdeskError):
    status = 401
    error = "Unauthorized"


class ForbiddenError(ChatdeskError):
    status = 403
    error = "Forbidden"


class NotFoundError(ChatdeskError):
    status = 404
    error = "Not Found"


class MethodNotAllowedError(ChatdeskError):
    status = 405
    error = "Method Not Allowed"


class ConflictError(ChatdeskError):
    status = 409
    error = "Conflict"


class PayloadTooLargeError(ChatdeskError):
    status = 413
    error = "Payload Too Large"


class UnsupportedMediaError(ChatdeskError):
    """A file whose contents are not a kind the product accepts (checked on the bytes, not the name)."""

    status = 415
    error = "Unsupported Media Type"


class RateLimitedError(ChatdeskError):
    status = 429
    error = "Too Many Requests"

    def __init__(self, message: str = "", *, retry_after: int = 1) -> None:
        super().__init__(message or "Too many requests, slow down")
        self.retry_after = max(1, int(retry_after))


class StaleWriteError(ConflictError):
    """A commit computed from a state that changed meanwhile; read again and decide again."""


class ServiceUnavailableError(ChatdeskError):
    """A backing service (the database) is not answering in time; the client should retry later."""

    status = 503
    error = "Service Unavailable"

    def __init__(self, message: str = "", *, retry_after: int = 5) -> None:
        super().__init__(message or "The service is briefly unavailable, try again shortly")
        self.retry_after = max(1, int(retry_after))
