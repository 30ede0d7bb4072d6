"""Fixtures: one `pinadsd --sandbox` for the whole session (a connected sandbox user with two ad
accounts), on a socket and state folder of its own, and a socket that never answers.

The daemon is $PINADSD, else .build/debug/pinadsd of the repository (contrib/scripts/test.sh
builds it). It is stopped with SIGTERM at the end, and must exit 0."""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from typing import Any, Dict, Iterator, List, Set

import pytest

import pinads_client

REPO = pathlib.Path(__file__).resolve().parents[3]

if pathlib.Path(pinads_client.__file__).name != "__init__.py":
    raise RuntimeError(
        f"these tests are of the pinads_client package, but `import pinads_client` found {pinads_client.__file__} "
        "(the one-file script: `python -m pytest` run in contrib/python puts that folder first on sys.path); "
        "install the package (pip install ./contrib/python) and run pytest from the repository root")
PYTHON_DIR = REPO / "contrib" / "python"
START_DEADLINE_S = 60.0
STOP_DEADLINE_S = 30.0


class Daemon:
    def __init__(self, binary: pathlib.Path, folder: pathlib.Path) -> None:
        self.binary = binary
        self.folder = folder
        self.socket_path = str(folder / "pinadsd.sock")
        self.state_dir = str(folder / "state")
        self.log_path = folder / "pinadsd.log"
        self.ad_account_ids: List[str] = []
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(binary), "--sandbox", "--socket", self.socket_path, "--state-dir", self.state_dir],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def wait_ready(self) -> None:
        """Until the socket answers system.health, within START_DEADLINE_S (no fixed sleep)."""
        until = time.monotonic() + START_DEADLINE_S
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"pinadsd exited with {self.process.returncode} before serving:\n{self.log()}")
            try:
                with pinads_client.Client(self.socket_path, timeout=2) as client:
                    health = client.health()
                    accounts = client.list_ad_accounts()["ad_accounts"]
                if health["protocol_version"] == 1 and len(accounts) == 2:
                    self.ad_account_ids = [account["id"] for account in accounts]
                    return
            except pinads_client.PinadsError:
                pass  # not listening yet (DaemonNotRunning), or not connected to the sandbox yet
            if time.monotonic() > until:
                raise RuntimeError(f"pinadsd did not answer system.health within {START_DEADLINE_S:g} s:\n{self.log()}")
            time.sleep(0.05)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"pinadsd did not stop within {STOP_DEADLINE_S:g} s of SIGTERM:\n{self.log()}")
        finally:
            self._log.close()
        return code


def _binary() -> pathlib.Path:
    explicit = os.environ.get("PINADSD")
    if explicit:
        path = pathlib.Path(explicit)
        if not path.is_absolute() and not path.exists():
            path = REPO / path
        if not path.exists():
            pytest.fail(f"PINADSD={explicit} does not exist")
        return path
    path = REPO / ".build" / "debug" / "pinadsd"
    if not path.exists():
        pytest.skip(f"no pinadsd: build it (swift build) or set PINADSD; looked for {path}")
    return path


@pytest.fixture(scope="session")
def daemon() -> Iterator[Daemon]:
    # A short folder under /tmp: a Unix socket path must stay under 108 bytes.
    binary = _binary()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="pinads-py-", dir="/tmp"))
    running = Daemon(binary, folder)
    try:
        running.wait_ready()
        yield running
    finally:
        code = running.stop()
        log = running.log_path.read_text(errors="replace")[-4000:]
        shutil.rmtree(folder, ignore_errors=True)
    assert code == 0, f"pinadsd exited with {code} after SIGTERM:\n{log}"


@pytest.fixture
def client(daemon: Daemon) -> Iterator[pinads_client.Client]:
    with pinads_client.Client(daemon.socket_path, timeout=15) as made:
        yield made


@pytest.fixture
def silent_socket() -> Iterator[str]:
    """A socket that accepts connections (the kernel's backlog) and never answers."""
    folder = tempfile.mkdtemp(prefix="pinads-silent-", dir="/tmp")
    path = os.path.join(folder, "silent.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    try:
        yield path
    finally:
        listener.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def daemon_methods(daemon: Daemon) -> Set[str]:
    """The names of the methods the daemon serves (system.methods)."""
    with pinads_client.Client(daemon.socket_path, timeout=15) as made:
        return {method["name"] for method in made.methods()["methods"]}


@pytest.fixture
def unique() -> str:
    """A prefix no other test (nor an earlier run) uses: conversion event ids are deduplicated."""
    return uuid.uuid4().hex[:12]


def checkout_events(prefix: str, count: int) -> List[Dict[str, Any]]:
    now = int(time.time())
    return [{"event_name": "checkout", "event_id": f"{prefix}-order-{i}", "event_time": now,
             "email": f"buyer{i}@example.com", "value": f"{i}.99", "currency": "USD", "order_id": f"{i}",
             "content_ids": [f"sku-{i}"], "num_items": 1} for i in range(count)]


@pytest.fixture
def make_events() -> Any:
    return checkout_events
