"""Domain errors that the HTTP layer turns into {"error": {"code", "message"}} answers."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"
    details: dict | None = None  # more for the client, beside code and message (e.g. the current document)

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class WindowClosed(Conflict):
    code = "window_closed"


class ChannelError(DomainError):
    """The Graph API still failed after retries."""

    status = 502
    code = "channel_error"

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        meta_code: int | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.meta_code = meta_code
        self.retryable = retryable  # Meta was unavailable or rate-limiting: a later attempt may succeed


class DeliveryUnknown(ChannelError):
    """The message went to the Graph API but no answer came back (a read timeout): Meta may have it.
    Never resent blindly; Meta's status reports settle it."""

    status = 504
    code = "delivery_unknown"


class ChannelUnavailable(RuntimeError):
    """Meta could not take a message the system sends (5xx, rate limits, unreachable) and the step will be
    tried again later: raised out of the function so the workflow's retry does it."""
