"""The command line: `python3 -m pinads_client`, `pinads-client`, or the one-file script
contrib/python/pinads_client.py (the same code).

    pinads_client [--socket PATH] [--timeout S] [--deadline-ms MS] METHOD [PARAMS_JSON]
    pinads_client [--socket PATH] [--timeout S] --pipeline N

Exit status: 0 success, 1 error answered by the daemon (or connection lost), 2 usage error,
69 no daemon listening, 75 no answer within the timeout (or DEADLINE_EXCEEDED).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, List, Optional

from ._client import Client
from ._protocol import DEFAULT_TIMEOUT, STREAMING_METHODS
from .errors import DaemonNotRunning, DeadlineExceeded, LocalDeadlineExceeded, PinadsConnectionError, PinadsError

EX_UNAVAILABLE = 69
EX_TEMPFAIL = 75


def _print_json(value: Any, compact: bool = False) -> None:
    if compact:
        print(json.dumps(value, separators=(",", ":"), ensure_ascii=False), flush=True)
    else:
        print(json.dumps(value, indent=2, ensure_ascii=False), flush=True)


def main(argv: Optional[List[str]] = None, prog: Optional[str] = None) -> int:
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog=prog, description="Call a method of pinadsd.")
    parser.add_argument("--socket", help="socket path (default: $PINADS_SOCKET, $XDG_RUNTIME_DIR/pinads/pinadsd.sock, "
                                         "/tmp/pinads-$UID/pinadsd.sock)")
    parser.add_argument("--deadline-ms", type=int, help="deadline for the request, in milliseconds (default: --timeout)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds to wait for the answer; a stream stops when the daemon is silent this long "
                             "(default 30); exit 75 past it")
    parser.add_argument("--pipeline", type=int, metavar="N",
                        help="send N system.health requests pipelined; print the count answered")
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
    if args.deadline_ms is not None and args.deadline_ms < 1:
        parser.error("--deadline-ms must be at least 1")

    client = Client(args.socket, timeout=args.timeout)
    name = prog or "pinads_client"
    try:
        # No connect() first: each call connects when it must, so a refused peer makes one connection.
        if args.pipeline is not None:
            client.connect()
            answers = client.pipeline([("system.health", None)] * max(args.pipeline, 0), deadline_ms=args.deadline_ms)
            answered = sum(not isinstance(a, (PinadsConnectionError, LocalDeadlineExceeded)) for a in answers)
            _print_json({"sent": len(answers), "answered": answered}, compact=True)
            return 0 if answered == len(answers) else 1
        if args.method not in STREAMING_METHODS:
            _print_json(client.call(args.method, params, deadline_ms=args.deadline_ms))
            return 0
        stream = client.stream(args.method, params, deadline_ms=args.deadline_ms)
        for event in stream:
            _print_json(event, compact=True)
        _print_json(stream.result, compact=True)
        return 0
    except DaemonNotRunning:
        print(f"{name}: no daemon at {client.socket_path} (start it with: pinadsd)", file=sys.stderr)
        return EX_UNAVAILABLE
    except LocalDeadlineExceeded as problem:
        print(f"{name}: {problem.message}", file=sys.stderr)
        return EX_TEMPFAIL
    except PinadsConnectionError as problem:
        print(f"{name}: {problem.message}", file=sys.stderr)
        return 1
    except PinadsError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return EX_TEMPFAIL if isinstance(error, DeadlineExceeded) else 1
    except OSError as problem:
        print(f"{name}: {problem}", file=sys.stderr)
        return 1
    finally:
        client.close()


def run() -> None:
    """The console script's entry point."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
