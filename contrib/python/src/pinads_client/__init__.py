"""A client of pinadsd, the pinads daemon, over its Unix socket (protocol/README.md).

    from pinads_client import Client, NotFound

    with Client() as client:                       # $PINADS_SOCKET, else the daemon's default path
        print(client.health()["status"])
        result = client.send_conversions([{"event_name": "checkout", "event_id": "order-1",
                                           "email": "jane@example.com", "value": "49.99"}])
        job = client.selftest(steps=3)["job"]
        with client.watch_jobs([job["id"]]) as watch:
            for event in watch:
                print(event["job"]["state"])
        print(watch.result)

`AsyncClient` is the same for asyncio (`await client.health()`, `async for event in
client.watch_jobs(...)`). Errors are exceptions of `pinads_client.errors`, one class per code.
"""

from ._aio import AsyncClient, AsyncStream
from ._client import Client, PendingCall, Stream
from ._protocol import (ANSWER_GRACE, DEFAULT_TIMEOUT, MAX_FRAME_BYTES, MAX_IN_FLIGHT, STREAMING_METHODS, FrameDecoder,
                        RequestIds, decode_payload, default_socket_path, encode_frame, make_request, read_response,
                        resolve_deadline)
from .errors import (ERROR_CLASSES, Aborted, AlreadyExists, Cancelled, ConnectionClosed, DaemonNotRunning,
                     DeadlineExceeded, FailedPrecondition, Internal, InvalidArgument, LocalDeadlineExceeded, NotFound,
                     PermissionDenied, PinadsConnectionError, PinadsError, ProtocolError, ResourceExhausted,
                     Unauthenticated, Unavailable, Unimplemented, error_class, error_from_frame)

__version__ = "0.1.0"

#: The names of the one-file client this package replaces, for scripts written against it.
PinAdsClient = Client
PinAdsError = PinadsError
PinAdsTimeout = LocalDeadlineExceeded

__all__ = [
    "Client", "AsyncClient", "PendingCall", "Stream", "AsyncStream",
    "PinadsError", "InvalidArgument", "NotFound", "AlreadyExists", "FailedPrecondition", "Unauthenticated",
    "PermissionDenied", "ResourceExhausted", "DeadlineExceeded", "Unavailable", "Unimplemented", "Internal",
    "Cancelled", "Aborted", "LocalDeadlineExceeded", "PinadsConnectionError", "DaemonNotRunning",
    "ConnectionClosed", "ProtocolError", "ERROR_CLASSES", "error_class", "error_from_frame",
    "default_socket_path", "encode_frame", "decode_payload", "FrameDecoder", "RequestIds", "make_request",
    "read_response", "resolve_deadline",
    "DEFAULT_TIMEOUT", "ANSWER_GRACE", "MAX_FRAME_BYTES", "MAX_IN_FLIGHT", "STREAMING_METHODS",
    "PinAdsClient", "PinAdsError", "PinAdsTimeout", "__version__",
]
