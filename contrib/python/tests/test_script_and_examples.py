"""The one-file script (generated from the package), the command line, and the examples, run
as a user would run them, against the session's daemon."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
from typing import Any, Dict, List, Optional

import pytest

import pinads_client

REPO = pathlib.Path(__file__).resolve().parents[3]
# The folder the tests import the package from (the venv's site-packages, or src when run with
# PYTHONPATH=contrib/python/src): the commands below use the same one.
PACKAGE_PARENT = str(pathlib.Path(pinads_client.__file__).resolve().parents[1])
PYTHON_DIR = REPO / "contrib" / "python"
SCRIPT = PYTHON_DIR / "pinads_client.py"


def run(args: List[str], env: Optional[Dict[str, str]] = None, cwd: Optional[str] = None,
        timeout: float = 60) -> "subprocess.CompletedProcess[str]":
    environment = {k: v for k, v in os.environ.items() if k != "PINADS_SOCKET"}
    environment["PYTHONPATH"] = PACKAGE_PARENT
    environment.update(env or {})
    return subprocess.run(args, capture_output=True, text=True, env=environment, cwd=cwd, timeout=timeout)


def test_the_script_is_generated_from_the_package() -> None:
    check = run([sys.executable, str(PYTHON_DIR / "tools" / "make_script.py"), "--check"])
    assert check.returncode == 0, check.stderr


def test_the_script_works_alone(daemon: Any) -> None:
    # As the end-to-end tests use it: one file copied into an empty folder, nothing installed.
    folder = tempfile.mkdtemp(prefix="pinads-script-")
    try:
        script = shutil.copy(SCRIPT, folder)
        health = run([sys.executable, "-I", script, "--socket", daemon.socket_path, "system.health"], cwd=folder)
        assert health.returncode == 0, health.stderr
        assert json.loads(health.stdout)["status"] == "ok"

        pipelined = run([sys.executable, "-I", script, "--socket", daemon.socket_path, "--pipeline", "200"])
        assert pipelined.returncode == 0, pipelined.stderr
        assert json.loads(pipelined.stdout) == {"sent": 200, "answered": 200}

        unknown = run([sys.executable, "-I", script, "--socket", daemon.socket_path, "no.such"])
        assert unknown.returncode == 1 and "UNIMPLEMENTED" in unknown.stderr

        watch = run([sys.executable, "-I", script, "--socket", daemon.socket_path, "system.selftest",
                     '{"steps": 2, "step_ms": 10}'])
        job_id = json.loads(watch.stdout)["job"]["id"]
        watched = run([sys.executable, "-I", script, "--socket", daemon.socket_path, "jobs.watch",
                       json.dumps({"ids": [job_id]})])
        lines = watched.stdout.splitlines()
        assert watched.returncode == 0 and json.loads(lines[-1])["jobs"][0]["state"] == "succeeded", watched.stderr

        nobody = run([sys.executable, "-I", script, "--socket", folder + "/nobody.sock", "system.health"])
        assert nobody.returncode == 69 and "no daemon" in nobody.stderr
        nobody = run([sys.executable, "-I", script, "--socket", folder + "/nobody.sock", "--pipeline", "3"])
        assert nobody.returncode == 69 and "no daemon" in nobody.stderr

        # Imported, the file offers the package's API.
        imported = run([sys.executable, "-I", "-c",
                        "import sys; sys.path.insert(0, sys.argv[1]); import pinads_client as p; "
                        "c = p.Client(sys.argv[2]); print(c.health()['status'], p.NotFound.CODE, "
                        "p.AsyncClient.__name__, p.__file__)", folder, daemon.socket_path])
        assert imported.returncode == 0, imported.stderr
        assert imported.stdout.split()[:3] == ["ok", "NOT_FOUND", "AsyncClient"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_script_gives_up_on_a_silent_socket(silent_socket: str) -> None:
    result = run([sys.executable, "-I", str(SCRIPT), "--socket", silent_socket, "--timeout", "0.5", "system.health"])
    assert result.returncode == 75 and silent_socket in result.stderr


def test_the_package_runs_as_a_module(daemon: Any) -> None:
    result = run([sys.executable, "-m", "pinads_client", "--socket", daemon.socket_path, "system.methods"],
                 cwd=str(REPO))
    assert result.returncode == 0, result.stderr
    methods = {m["name"]: m for m in json.loads(result.stdout)["methods"]}
    assert methods["jobs.watch"]["streaming"] is True and methods["jobs.watch"].get("role") == "client"
    bad = run([sys.executable, "-m", "pinads_client", "--socket", daemon.socket_path, "jobs.list", '{"limit": 0}'],
              cwd=str(REPO))
    assert bad.returncode == 1 and "INVALID_ARGUMENT" in bad.stderr


def example(name: str, daemon: Any, *args: str) -> "subprocess.CompletedProcess[str]":
    # Through PINADS_SOCKET, as a shop would point them at its daemon.
    return run([sys.executable, str(PYTHON_DIR / "examples" / name), *args], env={"PINADS_SOCKET": daemon.socket_path},
               cwd=str(REPO))


def test_the_checkout_example(daemon: Any, unique: str) -> None:
    first = example("checkout_conversion.py", daemon, "--order-id", unique, "--email", "jane@example.com",
                    "--value", "49.990", "--sku", "sku-1")
    assert first.returncode == 0, first.stderr
    assert f"order {unique}: accepted" in first.stdout
    again = example("checkout_conversion.py", daemon, "--order-id", unique, "--email", "jane@example.com",
                    "--value", "49.99")
    assert again.returncode == 0 and "duplicate" in again.stdout, again.stderr


def test_the_csv_example(daemon: Any, unique: str) -> None:
    csv = str(PYTHON_DIR / "examples" / "members.csv")
    first = example("audience_from_csv.py", daemon, csv, "--audience", f"csv-{unique}")
    assert first.returncode == 0, first.stderr
    assert "3 added, 2 unchanged, 2 rejected; 3 members now" in first.stdout, first.stdout
    assert "line 4: not an email address" in first.stderr and "line 7: empty" in first.stderr
    again = example("audience_from_csv.py", daemon, csv, "--audience", f"csv-{unique}", "--chunk", "2")
    assert "0 added, 5 unchanged, 2 rejected; 3 members now" in again.stdout, again.stdout


def test_the_asyncio_batch_example(daemon: Any, tmp_path: pathlib.Path, unique: str) -> None:
    demo = example("async_batch_sender.py", daemon, "--demo", "3000", "--batch-size", "250", "--test")
    assert demo.returncode == 0, demo.stderr
    assert "3000 events" in demo.stdout and "3000 accepted" in demo.stdout, demo.stdout

    events = tmp_path / "events.jsonl"
    lines = [{"event_name": "lead", "event_id": f"{unique}-{i}", "email": f"l{i}@example.com"} for i in range(10)]
    lines[3]["coupon"] = "X"
    events.write_text("".join(json.dumps(line) + "\n" for line in lines))
    sent = example("async_batch_sender.py", daemon, str(events), "--batch-size", "3", "--test")
    assert sent.returncode == 0, sent.stderr
    assert "9 accepted" in sent.stdout and "1 rejected" in sent.stdout, sent.stdout
    assert "line 4: coupon: unknown field" in sent.stderr


def test_a_peer_of_another_user_is_refused(daemon: Any) -> None:
    """As uid 65534 (setpriv; root only), both clients get the daemon's PERMISSION_DENIED."""
    if os.getuid() != 0 or not os.path.exists("/usr/bin/setpriv"):
        pytest.skip("needs root and /usr/bin/setpriv to run a client as another user")
    folder = tempfile.mkdtemp(prefix="pinads-nobody-")
    socket_dir = os.path.dirname(daemon.socket_path)
    dir_mode, sock_mode = os.stat(socket_dir).st_mode & 0o7777, os.stat(daemon.socket_path).st_mode & 0o7777
    try:
        os.chmod(folder, 0o755)
        script = shutil.copy(SCRIPT, folder)
        os.chmod(script, 0o644)
        # Open the modes wide, so that only the daemon's own check (SO_PEERCRED) stands in the way.
        os.chmod(socket_dir, 0o755)
        os.chmod(daemon.socket_path, 0o777)
        code = ("import asyncio, sys; sys.path.insert(0, sys.argv[1]); import pinads_client as p\n"
                "async def main():\n"
                "    async with p.AsyncClient(sys.argv[2]) as c:\n"
                "        try: await c.health()\n"
                "        except p.PermissionDenied as e: print('async', e.code, e.request_id)\n"
                "asyncio.run(main())\n"
                "with p.Client(sys.argv[2]) as c:\n"
                "    try: c.health()\n"
                "    except p.PermissionDenied as e: print('blocking', e.code, e.request_id)\n")
        # The system's python: another user may not reach a python under /root (pyenv).
        python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        result = run(["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python, "-I",
                      "-c", code, folder, daemon.socket_path], env={"HOME": "/tmp"})
        assert result.stdout.split("\n")[:2] == ["async PERMISSION_DENIED None", "blocking PERMISSION_DENIED None"], (
            result.stdout + result.stderr)
    finally:
        os.chmod(socket_dir, dir_mode)
        os.chmod(daemon.socket_path, sock_mode)
        shutil.rmtree(folder, ignore_errors=True)
