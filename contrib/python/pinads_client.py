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

Command line:

    python3 pinads_client.py [--socket PATH] METHOD [PARAMS_JSON]
    python3 pinads_client.py [--socket PATH] --pipeline N

Exit status: 0 success, 1 error answered by the daemon (or connection lost),
2 usage error, 69 no daemon listening.
"""

import argparse
import itertools
import json
import os
import socket
import struct
import sys
import threading

MAX_FRAME_BYTES = 16 * 1024 * 1024
STREAMING_METHODS = {"jobs.watch"}
EX_UNAVAILABLE = 69


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


class PinAdsClient:
    """One connection to pinadsd. Not thread-safe; use one client per thread."""

    def __init__(self, socket_path=None, timeout=None, max_frame_bytes=MAX_FRAME_BYTES):
        self.socket_path = socket_path or default_socket_path()
        self.max_frame_bytes = max_frame_bytes
        self._timeout = timeout
        self._sock = None
        self._ids = itertools.count(1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def connect(self):
        """Connects if not connected. Raises FileNotFoundError/ConnectionRefusedError when no daemon listens."""
        if self._sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self._timeout)
            try:
                sock.connect(self.socket_path)
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
            chunk = self._sock.recv(min(remaining, 1 << 20))
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

    def _next_for(self, wanted):
        """The next frame whose id is in `wanted`. An error frame with id null is about the
        connection itself (the daemon closes it next), so it closes and raises at once."""
        while True:
            frame = self._read_frame()
            if frame.get("id") is None and "error" in frame:
                self.close()
                raise PinAdsError.from_frame(frame["error"])
            if frame.get("id") in wanted:
                return frame

    # -- calls ---------------------------------------------------------------

    def call(self, method, params=None, deadline_ms=None):
        """Sends one request and returns its `result` (a dict); raises PinAdsError on an error frame."""
        events = self.stream(method, params, deadline_ms)
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
        """
        request = self._request(method, params, deadline_ms)
        try:
            self.connect().sendall(self._encode(request))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the daemon refused the connection; its error frame is still there to read
        finished = False
        try:
            while True:
                frame = self._next_for({request["id"]})
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
                frame = self._next_for(pending)
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
    parser.add_argument("--deadline-ms", type=int, help="deadline for the request, in milliseconds")
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

    client = PinAdsClient(args.socket)
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
    except PinAdsError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return 1
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
