"""Both clients against a scripted stand-in for the daemon, for what the real one does not do on
demand: answers out of order, frames cut into single bytes, a connection-level error, a bad
frame, a hang-up, a refusal for too many requests in flight, a silent stream."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import struct
import tempfile
import threading
import time
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

import pinads_client
from pinads_client import AsyncClient, Client


class Peer:
    """The daemon's end of one connection."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.decoder = pinads_client.FrameDecoder()
        self.frames: List[Dict[str, Any]] = []

    def request(self) -> Dict[str, Any]:
        while not self.frames:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.frames.extend(self.decoder.feed(data))
        return self.frames.pop(0)

    def send(self, message: Dict[str, Any], byte_by_byte: bool = False) -> None:
        payload = json.dumps(message).encode()
        data = struct.pack(">I", len(payload)) + payload
        if byte_by_byte:
            for i in range(len(data)):
                self.sock.sendall(data[i:i + 1])
        else:
            self.sock.sendall(data)


class FakeDaemon:
    def __init__(self, script: Callable[[Peer], None]) -> None:
        self.folder = tempfile.mkdtemp(prefix="pinads-fake-", dir="/tmp")
        self.socket_path = os.path.join(self.folder, "fake.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.socket_path)
        self.listener.listen(8)
        self.script = script
        self.errors: List[BaseException] = []
        self.seen: List[Dict[str, Any]] = []
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(sock,), daemon=True).start()

    def _run(self, sock: socket.socket) -> None:
        peer = Peer(sock)
        original = peer.request

        def recording() -> Dict[str, Any]:
            frame = original()
            self.seen.append(frame)
            return frame
        peer.request = recording  # type: ignore[method-assign]
        try:
            self.script(peer)
        except (EOFError, OSError):
            pass
        except BaseException as error:  # pragma: no cover - shown by the test
            self.errors.append(error)
        finally:
            sock.close()

    def close(self) -> None:
        self.listener.close()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def fake() -> Iterator[Callable[[Callable[[Peer], None]], FakeDaemon]]:
    made: List[FakeDaemon] = []

    def start(script: Callable[[Peer], None]) -> FakeDaemon:
        daemon = FakeDaemon(script)
        made.append(daemon)
        return daemon
    yield start
    for daemon in made:
        daemon.close()
        assert daemon.errors == []


def reverse_three(peer: Peer) -> None:
    """Reads three requests, then answers them last first, each frame a byte at a time."""
    requests = [peer.request() for _ in range(3)]
    for request in reversed(requests):
        peer.send({"id": request["id"], "result": {"echo": request["params"]["n"]}}, byte_by_byte=True)
    while True:
        request = peer.request()
        peer.send({"id": request["id"], "result": {}})


def test_answers_out_of_order_are_matched_by_id(fake: Any) -> None:
    daemon = fake(reverse_three)
    with Client(daemon.socket_path, timeout=5) as client:
        calls = [client.submit("echo", {"n": n}) for n in range(3)]
        assert [c.result()["echo"] for c in calls] == [0, 1, 2]
    sent = daemon.seen[:3]
    assert [f["id"] for f in sent] == [1, 2, 3]
    assert all(f["deadline_ms"] == 5000 and f["method"] == "echo" for f in sent), "the default deadline is sent"

    daemon = fake(reverse_three)

    async def body() -> List[Any]:
        async with AsyncClient(daemon.socket_path, timeout=5) as client:
            return list(await asyncio.gather(*(client.call("echo", {"n": n}, deadline_ms=900) for n in range(3))))
    assert [a["echo"] for a in asyncio.run(body())] == [0, 1, 2]
    assert [f["deadline_ms"] for f in daemon.seen[:3]] == [900] * 3


def test_no_timeout_sends_no_deadline(fake: Any) -> None:
    daemon = fake(reverse_three)
    with Client(daemon.socket_path, timeout=None) as client:
        calls = [client.submit("echo", {"n": n}) for n in range(3)]
        assert [c.result()["echo"] for c in calls] == [0, 1, 2]
    assert all("deadline_ms" not in f for f in daemon.seen)


def refuse(peer: Peer) -> None:
    peer.send({"id": None, "error": {"code": "PERMISSION_DENIED", "message": "pinadsd serves only its own user"}})


def test_an_error_about_the_connection_fails_what_is_in_flight(fake: Any) -> None:
    daemon = fake(refuse)
    with Client(daemon.socket_path, timeout=5) as client:
        with pytest.raises(pinads_client.PermissionDenied) as refused:
            client.health()
        assert refused.value.request_id is None
    with pytest.raises(pinads_client.PermissionDenied):
        asyncio.run(AsyncClient(daemon.socket_path, timeout=5).health())


def bad_length(peer: Peer) -> None:
    peer.request()
    peer.sock.sendall(struct.pack(">I", 0))


def hang_up(peer: Peer) -> None:
    peer.request()


def test_a_bad_frame_and_a_hang_up_are_connection_errors(fake: Any) -> None:
    for script, cls in ((bad_length, pinads_client.ProtocolError), (hang_up, pinads_client.ConnectionClosed)):
        daemon = fake(script)
        with Client(daemon.socket_path, timeout=5) as client:
            with pytest.raises(cls) as broke:
                client.health()
            assert broke.value.request_id == 1
        with pytest.raises(cls):
            asyncio.run(AsyncClient(daemon.socket_path, timeout=5).health())


def full_once(peer: Peer) -> None:
    """Refuses the first request for the in-flight limit, as the daemon does, then answers."""
    first = peer.request()
    peer.send({"id": first["id"], "error": {"code": "RESOURCE_EXHAUSTED", "message": "more than 128 requests in flight",
                                            "details": {"limit": 128}}})
    while True:
        request = peer.request()
        peer.send({"id": request["id"], "result": {"again": True}})


def test_a_request_refused_for_the_in_flight_limit_is_sent_again(fake: Any) -> None:
    daemon = fake(full_once)
    with Client(daemon.socket_path, timeout=5) as client:
        assert client.call("x") == {"again": True}
    assert [f["id"] for f in daemon.seen] == [1, 2]
    assert daemon.seen[1]["deadline_ms"] <= 5000

    daemon = fake(full_once)
    assert asyncio.run(AsyncClient(daemon.socket_path, timeout=5).call("x")) == {"again": True}

    daemon = fake(full_once)
    with Client(daemon.socket_path, timeout=5, max_in_flight=None) as client:
        with pytest.raises(pinads_client.ResourceExhausted):
            client.call("x")  # without the client's own limit, the caller decides


def quiet_stream(answer_probes: bool) -> Callable[[Peer], None]:
    def script(peer: Peer) -> None:
        watch = peer.request()
        peer.send({"id": watch["id"], "event": {"job": {"id": 1, "state": "running"}}})
        started = time.monotonic()
        while True:
            request = peer.request()
            assert request["method"] == "system.health"
            if not answer_probes:
                continue
            peer.send({"id": request["id"], "result": {"status": "ok"}})
            if time.monotonic() - started > 0.8:
                peer.send({"id": watch["id"], "result": {"jobs": [{"id": 1, "state": "succeeded"}]}})
    return script


def test_a_quiet_stream_goes_on_while_the_daemon_answers(fake: Any) -> None:
    daemon = fake(quiet_stream(answer_probes=True))
    with Client(daemon.socket_path, timeout=0.2) as client:
        watch = client.watch_jobs([1])
        assert [e["job"]["state"] for e in watch] == ["running"]
        assert watch.result == {"jobs": [{"id": 1, "state": "succeeded"}]}
    probes = [f for f in daemon.seen if f["method"] == "system.health"]
    assert len(probes) >= 3 and all(p["deadline_ms"] == 200 for p in probes)
    assert "deadline_ms" not in daemon.seen[0], "a stream has no deadline unless given one"

    daemon = fake(quiet_stream(answer_probes=True))

    async def body() -> Optional[Any]:
        async with AsyncClient(daemon.socket_path, timeout=0.2) as client:
            watch = client.watch_jobs([1])
            assert [e["job"]["state"] async for e in watch] == ["running"]
            return watch.result
    assert asyncio.run(body()) == {"jobs": [{"id": 1, "state": "succeeded"}]}


def test_a_stream_whose_daemon_stops_answering_gives_up(fake: Any) -> None:
    daemon = fake(quiet_stream(answer_probes=False))
    with Client(daemon.socket_path, timeout=0.2) as client:
        started = time.monotonic()
        with pytest.raises(pinads_client.LocalDeadlineExceeded) as gave_up:
            list(client.watch_jobs([1]))
        assert 0.4 <= time.monotonic() - started < 2
        assert "no sign of life" in str(gave_up.value)

    daemon = fake(quiet_stream(answer_probes=False))

    async def body() -> None:
        async with AsyncClient(daemon.socket_path, timeout=0.2) as client:
            with pytest.raises(pinads_client.LocalDeadlineExceeded):
                async for _ in client.watch_jobs([1]):
                    pass
    asyncio.run(body())
