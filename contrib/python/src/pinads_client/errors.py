"""The exceptions of pinads_client: one class per error code of the protocol (protocol/README.md §9).

Every exception this package raises for a failed call is a `PinadsError`:

- an error frame from the daemon raises the class of its `code` (`NotFound`, `InvalidArgument`, …);
  a code this client does not know raises `Internal` with that `code`, as the protocol asks;
- no answer in time raises `LocalDeadlineExceeded`, a `DeadlineExceeded` (and a `TimeoutError`);
- no daemon, or a connection that broke, raises `PinadsConnectionError` (and its subclasses), an
  `Unavailable` (and a `ConnectionError`): retry with backoff, as for the daemon's UNAVAILABLE.
"""

from __future__ import annotations

import builtins
from typing import Any, Dict, Mapping, Optional, Type, Union

RequestId = Union[int, str]


class PinadsError(Exception):
    """A failed call. `code` is the protocol's error code (e.g. "NOT_FOUND"), `message` is for
    people, `details` (a dict, empty when the daemon sent none) is for programs, e.g.
    `details["field"]` for INVALID_ARGUMENT, and `request_id` is the id of the request it answers
    (None for an error about the connection itself)."""

    #: The code this class stands for; an instance's `code` is the one the daemon sent.
    CODE = ""

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        details: Optional[Mapping[str, Any]] = None,
        request_id: Optional[RequestId] = None,
    ) -> None:
        self.code: str = code if code is not None else (self.CODE or "UNKNOWN")
        self.message: str = message
        self.details: Dict[str, Any] = dict(details) if details else {}
        self.request_id: Optional[RequestId] = request_id
        super().__init__(f"{self.code}: {message}")

    @property
    def field(self) -> Optional[str]:
        """`details["field"]`: the offending parameter's path relative to `params`, when given."""
        value = self.details.get("field")
        return value if isinstance(value, str) else None

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
                f"details={self.details!r}, request_id={self.request_id!r})")

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, self.code, self.details, self.request_id))


def _rebuild(cls: Type[PinadsError], message: str, code: str, details: Dict[str, Any],
             request_id: Optional[RequestId]) -> PinadsError:
    error = cls.__new__(cls)
    PinadsError.__init__(error, message, code=code, details=details, request_id=request_id)
    return error


class InvalidArgument(PinadsError):
    """The request is malformed or a parameter breaks a rule; `field` names it. Fix the request."""
    CODE = "INVALID_ARGUMENT"


class NotFound(PinadsError):
    """A thing the request names (a job, an audience, …) does not exist."""
    CODE = "NOT_FOUND"


class AlreadyExists(PinadsError):
    """A create named something that already exists."""
    CODE = "ALREADY_EXISTS"


class FailedPrecondition(PinadsError):
    """The thing is in the wrong state for the request, or something must happen first
    (`details["step"]`)."""
    CODE = "FAILED_PRECONDITION"


class Unauthenticated(PinadsError):
    """A Pinterest token problem (`details["connection_id"]`): reconnect, then retry. Never about
    the local socket (that is PermissionDenied)."""
    CODE = "UNAUTHENTICATED"


class PermissionDenied(PinadsError):
    """The daemon does not serve this Unix user, or this user's role may not call the method."""
    CODE = "PERMISSION_DENIED"


class ResourceExhausted(PinadsError):
    """A limit was hit: a frame too large, too many requests in flight, a Pinterest rate limit."""
    CODE = "RESOURCE_EXHAUSTED"


class DeadlineExceeded(PinadsError, TimeoutError):
    """The deadline passed before the work finished (some of it may have been committed)."""
    CODE = "DEADLINE_EXCEEDED"


class Unavailable(PinadsError):
    """The daemon is shutting down or a dependency is unreachable: retry with backoff."""
    CODE = "UNAVAILABLE"


class Unimplemented(PinadsError):
    """The daemon has no such method (`details["method"]`): a typo, or an older daemon."""
    CODE = "UNIMPLEMENTED"


class Internal(PinadsError):
    """A bug inside the daemon; also raised, with the code as sent, for a code this client does
    not know (the protocol says to treat those as INTERNAL)."""
    CODE = "INTERNAL"


class Cancelled(PinadsError):
    """The work was cancelled before it finished."""
    CODE = "CANCELLED"


class Aborted(PinadsError):
    """A concurrency conflict: retry the whole read-modify-write, with backoff."""
    CODE = "ABORTED"


class LocalDeadlineExceeded(DeadlineExceeded):
    """The client gave up waiting: no answer (not even the daemon's DEADLINE_EXCEEDED) came
    within the deadline and a little grace, or a stream's daemon stopped answering. `details`
    holds `socket` and `timeout_s`. The request may still be running at the daemon."""

    def __init__(self, socket_path: str, timeout_s: float, request_id: Optional[RequestId] = None,
                 what: str = "no answer") -> None:
        super().__init__(
            f"{what} from the daemon at {socket_path} within {timeout_s:g} s; it may be stuck or "
            "overloaded: `pinads status` or its log tells more, or give a longer timeout",
            details={"socket": socket_path, "timeout_s": timeout_s}, request_id=request_id)

    @property
    def socket_path(self) -> str:
        return str(self.details.get("socket", ""))

    @property
    def timeout_s(self) -> float:
        return float(self.details.get("timeout_s", 0.0))


class PinadsConnectionError(Unavailable, builtins.ConnectionError):
    """The connection to the daemon could not be made or broke. `socket_path` names the socket.
    A request it interrupted may or may not have run; the next call connects again."""

    def __init__(self, message: str, socket_path: str, request_id: Optional[RequestId] = None) -> None:
        super().__init__(message, details={"socket": socket_path}, request_id=request_id)

    @property
    def socket_path(self) -> str:
        return str(self.details.get("socket", ""))


class DaemonNotRunning(PinadsConnectionError):
    """Nothing listens on the socket (it does not exist, or refuses connections)."""


class ConnectionClosed(PinadsConnectionError):
    """The connection closed (the daemon stopped, or the client was closed) before the answer came."""


class ProtocolError(PinadsConnectionError):
    """The daemon's bytes broke the framing rules (protocol/README.md §2); the connection was closed."""


#: Every code of the protocol (Sources/PinAdsProtocol/ErrorCode.swift, in its order) and its class.
ERROR_CLASSES: Dict[str, Type[PinadsError]] = {
    cls.CODE: cls
    for cls in (
        InvalidArgument, NotFound, AlreadyExists, FailedPrecondition, Unauthenticated,
        PermissionDenied, ResourceExhausted, DeadlineExceeded, Unavailable, Unimplemented,
        Internal, Cancelled, Aborted,
    )
}


def error_class(code: str) -> Type[PinadsError]:
    """The class of an error code; `Internal` for a code this client does not know."""
    return ERROR_CLASSES.get(code, Internal)


def error_from_frame(error: Any, request_id: Optional[RequestId] = None) -> PinadsError:
    """The exception for the `error` object of a response frame."""
    if not isinstance(error, dict):
        return Internal(f"the daemon sent an error that is not an object: {error!r}", request_id=request_id)
    code = error.get("code")
    code = code if isinstance(code, str) and code else "INTERNAL"
    message = error.get("message")
    details = error.get("details")
    return error_class(code)(
        message if isinstance(message, str) else "", code=code,
        details=details if isinstance(details, dict) else None, request_id=request_id)
