"""The shared framing and envelope module, the exceptions, and the golden examples of
protocol/examples: no daemon needed."""

from __future__ import annotations

import decimal
import json
import os
import pathlib
import re
import struct
from typing import Any, Dict, List

import pytest

import pinads_client
from pinads_client import _protocol, errors  # noqa: F401  (modules of the package)

REPO = pathlib.Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "protocol" / "examples"


def frame_bytes(message: Dict[str, Any]) -> bytes:
    payload = json.dumps(message).encode()
    return struct.pack(">I", len(payload)) + payload


def test_the_worked_example_of_the_readme() -> None:
    # protocol/README.md §12: {"id":1,"method":"system.health"} is 33 bytes, header 00 00 00 21.
    frame = pinads_client.encode_frame(pinads_client.make_request(1, "system.health"))
    assert frame == bytes.fromhex("00000021") + b'{"id":1,"method":"system.health"}'


def test_frames_split_and_joined_any_way() -> None:
    messages = [{"id": n, "result": {"text": "é" * n}} for n in range(1, 6)]
    stream = b"".join(frame_bytes(m) for m in messages)
    for size in (1, 2, 3, 7, len(stream)):
        decoder = pinads_client.FrameDecoder()
        got: List[Dict[str, Any]] = []
        for start in range(0, len(stream), size):
            got.extend(decoder.feed(stream[start:start + size]))
        assert got == messages, size
        assert decoder.pending_bytes == 0


def test_bad_frames_are_protocol_errors() -> None:
    with pytest.raises(pinads_client.ProtocolError):
        pinads_client.FrameDecoder().feed(b"\x00\x00\x00\x00")
    with pytest.raises(pinads_client.ProtocolError):
        pinads_client.FrameDecoder(max_frame_bytes=10).feed(struct.pack(">I", 11))
    with pytest.raises(pinads_client.ProtocolError):
        pinads_client.FrameDecoder().feed(struct.pack(">I", 2) + b"[]")
    with pytest.raises(pinads_client.ProtocolError):
        pinads_client.FrameDecoder().feed(struct.pack(">I", 2) + b"\xff\xfe")
    decoder = pinads_client.FrameDecoder()
    assert decoder.feed(struct.pack(">I", 10) + b"{") == [] and decoder.pending_bytes == 5


def test_a_request_too_large_is_refused_before_sending() -> None:
    request = pinads_client.make_request(3, "conversions.send", {"events": ["x" * 100]})
    with pytest.raises(pinads_client.ResourceExhausted) as too_large:
        pinads_client.encode_frame(request, max_frame_bytes=64)
    assert too_large.value.details["maximum"] == 64 and too_large.value.details["length"] > 64


def test_values_are_sent_as_given() -> None:
    params = {"events": [{"event_name": "checkout", "event_id": "1", "value": decimal.Decimal("49.990"),
                          "no_such_field": [1, None]}]}
    frame = pinads_client.encode_frame(pinads_client.make_request("a", "conversions.send", params, 500))
    sent = json.loads(frame[4:])
    assert sent == {"id": "a", "method": "conversions.send", "deadline_ms": 500, "params": {"events": [
        {"event_name": "checkout", "event_id": "1", "value": "49.990", "no_such_field": [1, None]}]}}
    with pytest.raises(ValueError):
        pinads_client.encode_frame({"id": 1, "method": "m", "params": {"x": float("nan")}})


def test_golden_requests_are_what_make_request_builds() -> None:
    requests = sorted(EXAMPLES.glob("*.request.json")) + sorted((EXAMPLES / "more").glob("*.request.json"))
    assert len(requests) > 20
    for path in requests:
        golden = json.loads(path.read_text())
        built = pinads_client.make_request(golden["id"], golden["method"], golden.get("params"),
                                           golden.get("deadline_ms"))
        assert built == golden, path.name
        frame = pinads_client.encode_frame(built)
        assert pinads_client.FrameDecoder().feed(frame) == [golden], path.name


def test_golden_responses_read() -> None:
    for path in sorted(EXAMPLES.glob("*.response.json")):
        golden = json.loads(path.read_text())
        frames = golden if isinstance(golden, list) else [golden]
        for frame in frames:
            response = pinads_client.read_response(frame)
            assert response.id == frame["id"], path.name
            assert response.kind in ("result", "event"), path.name
            assert response.value == frame.get("result", frame.get("event")), path.name
        assert pinads_client.read_response(frames[-1]).final


def test_golden_errors_raise_their_classes() -> None:
    seen = set()
    for path in sorted((EXAMPLES / "errors").glob("*.json")):
        frame = json.loads(path.read_text())
        response = pinads_client.read_response(frame)
        error = response.error
        assert response.kind == "error" and error is not None, path.name
        code = frame["error"]["code"]
        seen.add(code)
        assert error.code == code and type(error) is errors.ERROR_CLASSES[code], path.name
        assert error.message == frame["error"]["message"]
        assert error.details == frame["error"].get("details", {})
        assert error.request_id == frame["id"]
        assert response.about_connection == (frame["id"] is None)
    assert {"NOT_FOUND", "INVALID_ARGUMENT", "PERMISSION_DENIED", "DEADLINE_EXCEEDED"} <= seen


def test_one_class_per_code_of_the_daemon() -> None:
    swift = (REPO / "Sources" / "PinAdsProtocol" / "ErrorCode.swift").read_text()
    codes = re.findall(r'ErrorCode\(rawValue: "([A-Z_]+)"\)', swift)
    assert len(codes) == 13
    assert list(errors.ERROR_CLASSES) == codes, "in the order of ErrorCode.all"
    for code in codes:
        cls = pinads_client.error_class(code)
        assert cls.CODE == code and issubclass(cls, pinads_client.PinadsError)
        name = "".join(part.capitalize() for part in code.split("_"))
        assert getattr(pinads_client, name) is cls


def test_an_unknown_code_is_internal() -> None:
    error = pinads_client.error_from_frame({"code": "SOMETHING_NEW", "message": "m", "details": {"a": 1}}, 5)
    assert type(error) is pinads_client.Internal
    assert (error.code, error.message, error.details, error.request_id) == ("SOMETHING_NEW", "m", {"a": 1}, 5)
    assert str(error) == "SOMETHING_NEW: m"


def test_the_exception_hierarchy() -> None:
    assert issubclass(pinads_client.LocalDeadlineExceeded, pinads_client.DeadlineExceeded)
    assert issubclass(pinads_client.DeadlineExceeded, TimeoutError)
    for cls in (pinads_client.DaemonNotRunning, pinads_client.ConnectionClosed, pinads_client.ProtocolError):
        assert issubclass(cls, pinads_client.PinadsConnectionError)
        assert issubclass(cls, ConnectionError) and issubclass(cls, pinads_client.Unavailable)
    error = pinads_client.LocalDeadlineExceeded("/run/x.sock", 1.0, 7)
    assert "/run/x.sock" in str(error) and "within 1 s" in str(error)
    assert error.socket_path == "/run/x.sock" and error.timeout_s == 1.0 and error.request_id == 7


def test_the_default_socket_path_is_the_daemons(monkeypatch: Any) -> None:
    path = pinads_client.default_socket_path
    assert path({"PINADS_SOCKET": "/x/y.sock", "XDG_RUNTIME_DIR": "/run/user/5"}) == "/x/y.sock"
    assert path({"PINADS_SOCKET": "", "XDG_RUNTIME_DIR": "/run/user/5"}) == "/run/user/5/pinads/pinadsd.sock"
    assert path({"XDG_RUNTIME_DIR": "relative"}) == f"/tmp/pinads-{os.getuid()}/pinadsd.sock"
    assert path({}) == f"/tmp/pinads-{os.getuid()}/pinadsd.sock"
    monkeypatch.setenv("PINADS_SOCKET", "/from/env.sock")
    assert path() == "/from/env.sock"
    assert pinads_client.Client().socket_path == "/from/env.sock"
    assert pinads_client.AsyncClient().socket_path == "/from/env.sock"


def test_deadlines() -> None:
    assert pinads_client.resolve_deadline(30.0, None) == (30000, 30.25)
    assert pinads_client.resolve_deadline(30.0, 500) == (500, 0.75)
    assert pinads_client.resolve_deadline(None, None) == (None, None)
    assert pinads_client.resolve_deadline(0.0001, None)[0] == 1
    for bad in (0, -5, 1.5, True, "10"):
        with pytest.raises(ValueError):
            pinads_client.resolve_deadline(30.0, bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        pinads_client.Client(timeout=0)
    assert _protocol.remaining_deadline_ms(5000, 1.25) == 1000
    assert _protocol.remaining_deadline_ms(None, 1.0) is None


def test_request_ids_are_unique_across_threads() -> None:
    import threading
    ids = pinads_client.RequestIds()
    got: List[int] = []
    lock = threading.Lock()

    def take() -> None:
        mine = [ids.next() for _ in range(1000)]
        with lock:
            got.extend(mine)
    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 8001))


def test_the_blocking_and_asyncio_clients_offer_the_same_methods() -> None:
    import inspect
    names = {n for n in dir(pinads_client.Client) if not n.startswith("_")}
    assert names - {"submit"} == {n for n in dir(pinads_client.AsyncClient) if not n.startswith("_")}
    for name in names - {"submit", "close", "connect"}:
        sync = inspect.signature(getattr(pinads_client.Client, name))
        aio = inspect.signature(getattr(pinads_client.AsyncClient, name))
        assert list(sync.parameters) == list(aio.parameters), name
        assert [p.default for p in sync.parameters.values()] == [p.default for p in aio.parameters.values()], name
    for method in ("send_conversions", "conversion_stats", "get_conversion", "list_conversions",
                   "add_audience_members", "remove_audience_members", "get_audience", "list_audiences",
                   "list_activations", "sync_audience", "list_campaigns", "get_campaign", "campaign_metrics",
                   "list_ad_accounts", "get_job", "list_jobs", "watch_jobs", "health", "status", "methods",
                   "whoami", "call", "pipeline", "stream"):
        assert method in names, method


def test_the_package_ships_its_type_marker() -> None:
    package = pathlib.Path(pinads_client.__file__).parent
    assert (package / "py.typed").exists()
