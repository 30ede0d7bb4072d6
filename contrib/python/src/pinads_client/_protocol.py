"""The wire protocol, shared by the blocking and the asyncio client: the socket path, frames (a
4-byte big-endian length, then one JSON object), request envelopes and their ids, deadlines, and
the reading of response frames. No I/O happens here. See protocol/README.md."""

from __future__ import annotations

import copy
import decimal
import errno
import itertools
import json
import os
import struct
import threading
from typing import Any, Iterator, List, Mapping, Optional, Tuple

from .errors import (DaemonNotRunning, Internal, PinadsConnectionError, PinadsError, ProtocolError, RequestId,
                     ResourceExhausted, error_from_frame)
from .types import JSONObject as JSONObject

#: The default and usual maximum frame size, both ways (daemon flag --max-frame-bytes).
MAX_FRAME_BYTES = 16 * 1024 * 1024
#: The default deadline of a call, in seconds (as `pinads` and the Swift client have it).
DEFAULT_TIMEOUT = 30.0
#: How much longer than the deadline it sent the client waits, so that the daemon's own
#: DEADLINE_EXCEEDED answer arrives first.
ANSWER_GRACE = 0.25
#: The daemon's default limit of requests in flight per connection (--max-requests-per-connection).
MAX_IN_FLIGHT = 128
#: Methods that answer with events before their result (system.methods says "streaming": true).
STREAMING_METHODS = frozenset({"jobs.watch"})


def default_socket_path(environ: Optional[Mapping[str, str]] = None) -> str:
    """Where the daemon listens, as it decides it (Sources/PinAdsProtocol/DefaultPaths.swift):
    `$PINADS_SOCKET` when set and not empty, else `$XDG_RUNTIME_DIR/pinads/pinadsd.sock` when
    XDG_RUNTIME_DIR is an absolute path, else `/tmp/pinads-$UID/pinadsd.sock`."""
    env = os.environ if environ is None else environ
    explicit = env.get("PINADS_SOCKET", "")
    if explicit:
        return explicit
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime.startswith("/"):
        return runtime + "/pinads/pinadsd.sock"
    return f"/tmp/pinads-{os.getuid()}/pinadsd.sock"


# -- frames -----------------------------------------------------------------------------------

def _json_default(value: Any) -> Any:
    # A Decimal is sent as its decimal string: the protocol takes money amounts of conversion
    # events (`value`, `item_price`, `predicted_ltv`) as a number or a decimal string, and a
    # string keeps every digit.
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable: {value!r}")


def encode_frame(message: Mapping[str, Any], max_frame_bytes: int = MAX_FRAME_BYTES) -> bytes:
    """One frame: the 4-byte big-endian length, then the message as compact UTF-8 JSON.
    Raises ResourceExhausted (details `length`, `maximum`) when it exceeds `max_frame_bytes`,
    as the daemon would, and ValueError/TypeError for what JSON cannot hold (NaN, a set, …)."""
    payload = json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                         default=_json_default).encode("utf-8")
    if len(payload) > max_frame_bytes:
        raise ResourceExhausted(
            f"request of {len(payload)} bytes exceeds the maximum frame of {max_frame_bytes} bytes; "
            "send it in smaller parts", details={"length": len(payload), "maximum": max_frame_bytes},
            request_id=message.get("id"))
    return struct.pack(">I", len(payload)) + payload


def decode_payload(payload: bytes, socket_path: str = "") -> JSONObject:
    """The JSON object of one frame's payload; ProtocolError when it is not one."""
    try:
        value = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as problem:
        raise ProtocolError(f"the daemon sent a frame that is not UTF-8 JSON: {problem}", socket_path) from None
    if not isinstance(value, dict):
        raise ProtocolError(f"the daemon sent a frame that is not a JSON object: {type(value).__name__}", socket_path)
    return value


class FrameDecoder:
    """Turns the bytes read from a connection, in pieces of any size, into frames: feed() what
    arrived and get every frame it completed. A frame may be split across many reads and many
    frames may arrive in one. A bad length (0, or over `max_frame_bytes`) raises ProtocolError:
    the connection is then unusable."""

    def __init__(self, max_frame_bytes: int = MAX_FRAME_BYTES, socket_path: str = "") -> None:
        self.max_frame_bytes = max_frame_bytes
        self.socket_path = socket_path
        self._buffer = bytearray()
        self._need: Optional[int] = None  # payload length of the frame being read, once its header is in

    def feed(self, data: bytes) -> List[JSONObject]:
        self._buffer += data
        frames: List[JSONObject] = []
        while True:
            if self._need is None:
                if len(self._buffer) < 4:
                    return frames
                (length,) = struct.unpack(">I", self._buffer[:4])
                if length == 0 or length > self.max_frame_bytes:
                    raise ProtocolError(
                        f"the daemon sent a frame length of {length} (allowed 1 to {self.max_frame_bytes})",
                        self.socket_path)
                del self._buffer[:4]
                self._need = length
            if len(self._buffer) < self._need:
                return frames
            payload = bytes(self._buffer[:self._need])
            del self._buffer[:self._need]
            self._need = None
            frames.append(decode_payload(payload, self.socket_path))

    @property
    def pending_bytes(self) -> int:
        """Bytes of an unfinished frame held (a stream that ends with some is cut mid-frame)."""
        return len(self._buffer) + (4 if self._need is not None else 0)


# -- requests ---------------------------------------------------------------------------------

class RequestIds:
    """Request ids of one connection: 1, 2, 3, … (unique among the requests in flight, which is
    all the protocol asks). Safe to share between threads."""

    def __init__(self, start: int = 1) -> None:
        self._counter = itertools.count(start)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            return next(self._counter)

    def __iter__(self) -> Iterator[int]:
        while True:
            yield self.next()


def make_request(request_id: RequestId, method: str, params: Optional[Mapping[str, Any]] = None,
                 deadline_ms: Optional[int] = None) -> JSONObject:
    """The request envelope {id, method, params, deadline_ms}; absent values are left out.
    `params` is sent exactly as given: unknown keys are kept (the daemon names what it refuses)."""
    if not isinstance(method, str) or not method:
        raise ValueError("method must be a non-empty string, e.g. 'system.health'")
    request: JSONObject = {"id": request_id, "method": method}
    if params is not None:
        request["params"] = params
    if deadline_ms is not None:
        request["deadline_ms"] = deadline_ms
    return request


def resolve_deadline(timeout: Optional[float], deadline_ms: Optional[int]) -> Tuple[Optional[int], Optional[float]]:
    """(`deadline_ms` to send, seconds to wait for the answer before giving up locally).

    An explicit `deadline_ms` wins; else the client's `timeout` (seconds) becomes it; with
    neither there is no deadline and no local limit (None, None). The local wait is the deadline
    and ANSWER_GRACE more, so that the daemon's DEADLINE_EXCEEDED normally arrives first."""
    if deadline_ms is not None:
        if isinstance(deadline_ms, bool) or not isinstance(deadline_ms, int) or deadline_ms < 1:
            raise ValueError(f"deadline_ms must be an integer of at least 1, got {deadline_ms!r}")
        return deadline_ms, deadline_ms / 1000 + ANSWER_GRACE
    if timeout is None:
        return None, None
    return max(1, int(timeout * 1000)), timeout + ANSWER_GRACE


def check_timeout(timeout: Optional[float]) -> Optional[float]:
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    return None if timeout is None else float(timeout)


# -- responses --------------------------------------------------------------------------------

class Response:
    """One response frame, read: its `id`, and `kind` "result", "error" or "event" with `value`
    (the result or event object) or `error` (the exception it stands for)."""

    __slots__ = ("id", "kind", "value", "error")

    def __init__(self, id: Optional[RequestId], kind: str, value: Any = None, error: Optional[PinadsError] = None) -> None:
        self.id = id
        self.kind = kind
        self.value = value
        self.error = error

    @property
    def final(self) -> bool:
        """A result or an error: nothing more comes for this id."""
        return self.kind != "event"

    @property
    def about_connection(self) -> bool:
        """An error with id null: about the connection itself (a refused peer, a frame too large);
        the daemon closes the connection next."""
        return self.id is None and self.kind == "error"


def read_response(frame: Mapping[str, Any]) -> Response:
    """Reads a response frame: exactly one of `result`, `error`, `event` (README §3)."""
    raw_id = frame.get("id")
    request_id: Optional[RequestId] = raw_id if isinstance(raw_id, (int, str)) and not isinstance(raw_id, bool) else None
    if "error" in frame:
        return Response(request_id, "error", error=error_from_frame(frame["error"], request_id))
    if "event" in frame:
        return Response(request_id, "event", value=frame["event"])
    if "result" in frame:
        return Response(request_id, "result", value=frame["result"])
    return Response(request_id, "error", error=Internal(
        "the daemon sent a frame with none of result, error and event", request_id=request_id))


def clean(params: Mapping[str, Any]) -> JSONObject:
    """The params without the keyword arguments left at None (an absent optional parameter)."""
    return {key: value for key, value in params.items() if value is not None}



def nominal(wait: Optional[float]) -> float:
    """The deadline a local wait stands for (the wait is the deadline and ANSWER_GRACE more)."""
    return 0.0 if wait is None else max(wait - ANSWER_GRACE, 0.001)


def copy_error(error: PinadsError, request_id: Optional[RequestId]) -> PinadsError:
    """A fresh exception for one waiter (one instance must not be raised in several places); a
    connection error made by the client gets the id of the request it interrupted."""
    fresh = copy.copy(error)
    if request_id is not None and fresh.request_id is None and isinstance(error, PinadsConnectionError):
        fresh.request_id = request_id
    fresh.__traceback__ = None
    return fresh


def connection_error(problem: OSError, socket_path: str) -> PinadsConnectionError:
    """The exception for a failed connect()."""
    if isinstance(problem, (FileNotFoundError, ConnectionRefusedError)):
        return DaemonNotRunning(
            f"no daemon at {socket_path} ({problem.strerror or problem}); start it with: pinadsd", socket_path)
    hint = " (the socket or its folder belongs to another user)" if problem.errno in (errno.EACCES, errno.EPERM) else ""
    return PinadsConnectionError(f"cannot connect to {socket_path}: {problem.strerror or problem}{hint}", socket_path)


def refused_as_too_many(error: PinadsError) -> bool:
    """RESOURCE_EXHAUSTED for too many requests in flight on the connection (`details.limit`):
    the request was not executed, and may be sent again once answers have come (README §5)."""
    return isinstance(error, ResourceExhausted) and "limit" in error.details and error.request_id is not None


def remaining_deadline_ms(deadline_ms: Optional[int], seconds_left: float) -> Optional[int]:
    """The deadline to send with a request sent again: what is left of the first one's."""
    if deadline_ms is None:
        return None
    return max(1, min(deadline_ms, int((seconds_left - ANSWER_GRACE) * 1000)))
