#!/usr/bin/env python3
"""A small client of pinadsd, the pinads daemon, using only Python's standard library.

The wire protocol is described in protocol/README.md: over a Unix stream socket, each
frame is a 4-byte unsigned big-endian length N followed by N bytes of UTF-8 JSON.

    from pinads_client import PinAdsClient, PinAdsError
    with PinAdsClient() as client:
        print(client.call("system.health"))
        job = client.call("system.selftest", {"steps": 3})["job"]
        watch = client.stream("jobs.watch", {"ids": [job["id"]]})
        # iterate the events; the generator's return value is the final result

Every call has a deadline: `timeout` seconds (30 unless told), sent to the daemon as
`deadline_ms` so it stops the work too; past it the call raises PinAdsTimeout (a
TimeoutError). A stream (jobs.watch) has no end in time but goes on only while the daemon
lives: when it says nothing for `timeout`, the client asks it for system.health on the same
connection and raises PinAdsTimeout when that is not answered within `timeout` either.

Command line:

    python3 pinads_client.py [--socket PATH] [--timeout S] METHOD [PARAMS_JSON]
    python3 pinads_client.py [--socket PATH] --pipeline N

Exit status: 0 success, 1 error answered by the daemon (or connection lost),
2 usage error, 69 no daemon listening, 75 no answer within the timeout.
"""

import argparse
import itertools
import json
import os
import socket
import struct
import sys
import threading
import time

MAX_FRAME_BYTES = 16 * 1024 * 1024
STREAMING_METHODS = {"jobs.watch"}
EX_UNAVAILABLE = 69
EX_TEMPFAIL = 75
DEFAULT_TIMEOUT = 30.0
# How much longer than the deadline it sent the client waits, so the daemon's own
# DEADLINE_EXCEEDED answer can arrive first.
ANSWER_GRACE = 0.25


def default_socket_path():
    """$PINADS_SOCKET, else $XDG_RUNTIME_DIR/pinads/pinadsd.sock, else /tmp/pinads-$UID/pinadsd.sock."""
    explicit = os.environ.get("PINADS_SOCKET", "")
    if explicit:
        return explicit
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime.startswith("/"):
        return runtime + "/pinads/pinadsd.sock"
    return f"/tmp/pinads-{os.getuid()}/pinadsd.sock"


class PinAdsError(Exception):
    """An error frame from the daemon: `code` (e.g. "NOT_FOUND"), `message`, optional `details`."""

    def __init__(self, code, message, details=None):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.details = code, message, details

    @classmethod
    def from_frame(cls, error):
        return cls(error.get("code", "UNKNOWN"), error.get("message", ""), error.get("details"))


class ProtocolError(Exception):
    """The byte stream broke the framing rules, or the daemon closed the connection."""


class PinAdsTimeout(TimeoutError):
    """The daemon did not answer (or, on a stream, fell silent) within the client's timeout."""

    def __init__(self, socket_path, timeout):
        super().__init__(
            f"no answer from the daemon at {socket_path} within {timeout:g} s; it may be stuck or "
            "overloaded: `pinads status` or its log tells more, or give a longer timeout")
        self.socket_path, self.timeout = socket_path, timeout


class PinAdsClient:
    """One connection to pinadsd. Not thread-safe; use one client per thread."""

    def __init__(self, socket_path=None, timeout=DEFAULT_TIMEOUT, max_frame_bytes=MAX_FRAME_BYTES):
        """`timeout`: seconds a call may take (None: as long as it takes)."""
        self.socket_path = socket_path or default_socket_path()
        self.max_frame_bytes = max_frame_bytes
        self.timeout = timeout
        self._sock = None
        self._ids = itertools.count(1)
        self._deadline = None  # time.monotonic() by which the current read must end
        self._probes = set()  # liveness probes of a stream, not yet answered

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def connect(self):
        """Connects if not connected. Raises FileNotFoundError/ConnectionRefusedError when no daemon listens."""
        if self._sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(self.socket_path)
            except socket.timeout:
                sock.close()
                raise PinAdsTimeout(self.socket_path, self.timeout) from None
            except BaseException:
                sock.close()
                raise
            self._sock = sock
        return self._sock

    def close(self):
        """Closes the connection; the daemon cancels whatever was still in flight on it."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    # -- framing -----------------------------------------------------------

    def _encode(self, frame):
        payload = json.dumps(frame, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if len(payload) > self.max_frame_bytes:
            raise ValueError(f"request of {len(payload)} bytes exceeds the {self.max_frame_bytes}-byte frame limit")
        return struct.pack(">I", len(payload)) + payload

    def _read_exactly(self, n):
        """Reads exactly n bytes, across short reads; raises ProtocolError at end of stream."""
        chunks, remaining = [], n
        while remaining:
            if self._deadline is None:
                self._sock.settimeout(None)
            else:
                left = self._deadline - time.monotonic()
                if left <= 0:
                    raise PinAdsTimeout(self.socket_path, self.timeout)
                self._sock.settimeout(left)
            try:
                chunk = self._sock.recv(min(remaining, 1 << 20))
            except socket.timeout:
                raise PinAdsTimeout(self.socket_path, self.timeout) from None
            if not chunk:
                raise ProtocolError("connection closed by the daemon")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def _read_frame(self):
        (length,) = struct.unpack(">I", self._read_exactly(4))
        if length == 0 or length > self.max_frame_bytes:
            self.close()
            raise ProtocolError(f"invalid frame length {length} (allowed 1..{self.max_frame_bytes})")
        return json.loads(self._read_exactly(length).decode("utf-8"))

    def _request(self, method, params, deadline_ms):
        frame = {"id": next(self._ids), "method": method}
        if params is not None:
            frame["params"] = params
        if deadline_ms is not None:
            frame["deadline_ms"] = deadline_ms
        return frame

    def _next_for(self, wanted, deadline=None, streaming=False):
        """The next frame whose id is in `wanted`, by `deadline` (a time.monotonic() value).
        An error frame with id null is about the connection itself (the daemon closes it
        next), so it closes and raises at once. `streaming`: when the daemon is silent for
        `timeout`, probe it with system.health instead of giving up."""
        while True:
            if streaming and self.timeout is not None:
                self._deadline = time.monotonic() + self.timeout
            else:
                self._deadline = deadline
            try:
                frame = self._read_frame()
            except PinAdsTimeout:
                if not streaming or self._probes or self.timeout is None:
                    self.close()
                    raise
                probe = self._request("system.health", None, int(self.timeout * 1000))
                self._sock.sendall(self._encode(probe))
                self._probes.add(probe["id"])
                continue
            finally:
                self._deadline = None
            if frame.get("id") is None and "error" in frame:
                self.close()
                raise PinAdsError.from_frame(frame["error"])
            if frame.get("id") in self._probes:
                self._probes.discard(frame["id"])
                continue
            if frame.get("id") in wanted:
                return frame

    def _deadline_for(self, deadline_ms):
        """The deadline_ms to send and the monotonic instant to stop waiting."""
        if deadline_ms is None and self.timeout is not None:
            deadline_ms = max(1, int(self.timeout * 1000))
        if deadline_ms is None:
            return None, None
        return deadline_ms, time.monotonic() + deadline_ms / 1000 + ANSWER_GRACE

    # -- calls ---------------------------------------------------------------

    def call(self, method, params=None, deadline_ms=None):
        """Sends one request and returns its `result` (a dict); raises PinAdsError on an error
        frame, PinAdsTimeout when no answer comes by `deadline_ms` (default: `timeout`)."""
        events = self._exchange(method, params, deadline_ms, streaming=method in STREAMING_METHODS)
        while True:
            try:
                next(events)  # a unary method sends no events; ignore any a streaming one sends
            except StopIteration as done:
                return done.value

    def stream(self, method, params=None, deadline_ms=None):
        """A generator yielding each `event` of a streaming method (e.g. jobs.watch).

        When the final frame arrives the generator returns its `result` (the value of
        StopIteration, or of `result = yield from client.stream(...)`), or raises PinAdsError.
        Abandoning the generator early closes the connection, which cancels the stream.
        A streaming method goes on while the daemon lives; any other has a deadline, as `call`.
        """
        return self._exchange(method, params, deadline_ms, streaming=method in STREAMING_METHODS)

    def _exchange(self, method, params, deadline_ms, streaming):
        until = None
        if not streaming or deadline_ms is not None:
            deadline_ms, until = self._deadline_for(deadline_ms)
        request = self._request(method, params, deadline_ms)
        try:
            self.connect().sendall(self._encode(request))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the daemon refused the connection; its error frame is still there to read
        finished = False
        try:
            while True:
                frame = self._next_for({request["id"]}, until, streaming=streaming and until is None)
                if "event" in frame:
                    yield frame["event"]
                    continue
                finished = True
                if "error" in frame:
                    raise PinAdsError.from_frame(frame["error"])
                return frame.get("result")
        finally:
            if not finished:
                self.close()

    def pipeline(self, calls, deadline_ms=None):
        """Sends every (method, params) before reading any answer; returns the answers in `calls` order.

        Answers arrive in any order and are matched by id. Each item of the returned list is
        the result dict, a PinAdsError for a request the daemon answered with an error, or a
        ProtocolError when the connection ended before that request was answered. Unary
        methods only. Sending runs in a thread, so neither side stalls on a full socket buffer.
        """
        if deadline_ms is None and self.timeout is not None:
            deadline_ms = max(1, int(self.timeout * 1000))
        requests = [self._request(method, params, deadline_ms) for method, params in calls]
        data = b"".join(self._encode(r) for r in requests)
        sock = self.connect()

        def send():
            try:
                sock.sendall(data)
            except OSError:
                pass  # the daemon closed the connection; the reader below reports it

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        answers, pending = {}, {r["id"] for r in requests}
        try:
            while pending:
                # Answers keep coming while the daemon works through them: each may take `timeout`.
                until = None if self.timeout is None else time.monotonic() + self.timeout + ANSWER_GRACE
                frame = self._next_for(pending, until)
                if "event" in frame:
                    continue
                pending.discard(frame["id"])
                error = frame.get("error")
                answers[frame["id"]] = PinAdsError.from_frame(error) if error else frame.get("result")
        except ProtocolError as lost:
            answers.update({i: lost for i in pending})
        sender.join()
        return [answers[r["id"]] for r in requests]


def _print_json(value, compact=False):
    if compact:
        print(json.dumps(value, separators=(",", ":"), ensure_ascii=False), flush=True)
    else:
        print(json.dumps(value, indent=2, ensure_ascii=False), flush=True)


def main(argv=None):
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="pinads_client.py", description="Call a method of pinadsd.")
    parser.add_argument("--socket", help="socket path (default: $PINADS_SOCKET, $XDG_RUNTIME_DIR/pinads/pinadsd.sock)")
    parser.add_argument("--deadline-ms", type=int, help="deadline for the request, in milliseconds (default: --timeout)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds to wait for the answer; a stream stops when the daemon is silent this long (default 30); exit 75 past it")
    parser.add_argument("--pipeline", type=int, metavar="N", help="send N system.health requests pipelined; print the count answered")
    parser.add_argument("method", nargs="?", help="e.g. system.health, jobs.list")
    parser.add_argument("params", nargs="?", help='params as a JSON object, e.g. \'{"limit": 5}\'')
    args = parser.parse_args(argv)
    if args.pipeline is None and not args.method:
        parser.error("a METHOD is required (or --pipeline N)")
    params = None
    if args.params is not None:
        try:
            params = json.loads(args.params)
        except json.JSONDecodeError as problem:
            parser.error(f"PARAMS_JSON is not valid JSON: {problem}")
        if not isinstance(params, dict):
            parser.error("PARAMS_JSON must be a JSON object")

    if args.timeout <= 0:
        parser.error("--timeout must be a positive number of seconds")
    client = PinAdsClient(args.socket, timeout=args.timeout)
    try:
        try:
            client.connect()
        except (FileNotFoundError, ConnectionRefusedError):
            print(f"pinads_client: no daemon at {client.socket_path} (start it with: pinadsd)", file=sys.stderr)
            return EX_UNAVAILABLE
        if args.pipeline is not None:
            answers = client.pipeline([("system.health", None)] * max(args.pipeline, 0), args.deadline_ms)
            answered = sum(not isinstance(a, ProtocolError) for a in answers)
            _print_json({"sent": len(answers), "answered": answered}, compact=True)
            return 0 if answered == len(answers) else 1
        streaming = args.method in STREAMING_METHODS
        events = client.stream(args.method, params, args.deadline_ms)
        while True:
            try:
                event = next(events)
            except StopIteration as done:
                _print_json(done.value, compact=streaming)
                return 0
            streaming = True
            _print_json(event, compact=True)
    except PinAdsTimeout as problem:
        print(f"pinads_client: {problem}", file=sys.stderr)
        return EX_TEMPFAIL
    except PinAdsError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return EX_TEMPFAIL if error.code == "DEADLINE_EXCEEDED" else 1
    except (ProtocolError, OSError) as problem:
        print(f"pinads_client: {problem}", file=sys.stderr)
        return 1
    finally:
        client.close()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
