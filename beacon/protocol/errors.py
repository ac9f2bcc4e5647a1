"""The Beacon error family: each class carries its HTTP status; one function renders the body.

Messages are written for the person who sent the request: a 400 names the parameter and,
where there is a closed set, the accepted values.
"""

from __future__ import annotations

from typing import Any, ClassVar


class BeaconError(Exception):
    """An error a client can cause or must be told about, rendered as ``beaconErrorResponse``."""

    status: ClassVar[int] = 500

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter
        self.headers: dict[str, str] = {}


class BadRequest(BeaconError):
    status = 400


class Unauthorized(BeaconError):
    status = 401

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message, parameter=parameter)
        self.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'


class NotFound(BeaconError):
    status = 404


class MethodNotAllowed(BeaconError):
    status = 405

    def __init__(self, message: str, *, allowed: tuple[str, ...]) -> None:
        super().__init__(message)
        self.headers["Allow"] = ", ".join(allowed)


class PayloadTooLarge(BeaconError):
    status = 413


class UnsupportedMediaType(BeaconError):
    status = 415


class TooManyRequests(BeaconError):
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.headers["Retry-After"] = str(retry_after)


class Busy(BeaconError):
    """Too many requests are being answered: this one is refused at once, not queued."""

    status = 503

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.headers["Retry-After"] = str(retry_after)


class InternalError(BeaconError):
    status = 500


class UpstreamUnavailable(BeaconError):
    """The database (or, for the aggregator, every node) cannot be reached."""

    status = 503


class LoopDetected(BeaconError):
    """A network was asked a question it is already answering (its own id in ``Via``)."""

    status = 508


class QueryTimeout(BeaconError):
    """The database did not answer in time: the query was too broad, or the database is busy
    or unreachable. A 503 with ``Retry-After``: nothing is wrong with the request's form."""

    status = 503

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message, parameter=parameter)
        self.headers["Retry-After"] = "5"


def error_body(status: int, message: str) -> dict[str, Any]:
    """The ``error`` section of ``beaconErrorResponse`` (the code is an integer)."""
    return {"errorCode": status, "errorMessage": message}
