"""The blocking Client against a running `pinadsd --sandbox`."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Set

import pytest

import pinads_client
from pinads_client import Client


def test_health(client: Client) -> None:
    health = client.health()
    assert health["status"] == "ok", health
    assert health["protocol_version"] == 1
    assert health["store"]["status"] == "ok"
    assert isinstance(health["uptime_s"], float)


def test_a_batch_of_conversions(client: Client, daemon: Any, unique: str,
                                make_events: Callable[[str, int], List[Dict[str, Any]]]) -> None:
    events = make_events(unique, 50)
    events[10]["coupon"] = "WINTER10"          # unknown: the daemon rejects it, naming it
    del events[20]["event_id"]                 # missing: rejected
    events[30]["event_id"] = events[0]["event_id"]  # the same key again: a duplicate
    result = client.send_conversions(events)
    assert result["accepted"] == 47, result
    assert result["duplicates"] == 1
    assert [r["index"] for r in result["rejected"]] == [10, 20]
    assert result["rejected"][0]["reason"].startswith("coupon: unknown field"), result
    assert result["rejected"][1]["reason"].startswith("event_id: missing"), result
    assert "coupon" in events[10], "the client must not change the caller's events"

    # Each event's outcome, asked for all of them at once (pipelined on the one connection).
    accepted = [e for i, e in enumerate(events) if i not in (10, 20, 30)]
    answers = client.pipeline([("conversions.get", {"event_id": e["event_id"]}) for e in accepted])
    for event, info in zip(accepted, answers):
        assert isinstance(info, dict), info
        assert info["event_id"] == event["event_id"]
        assert info["ad_account_id"] == daemon.ad_account_ids[0], "the default ad account"
        assert info["state"] in ("queued", "in_flight", "sent"), info
    assert client.get_conversion(events[0]["event_id"])["duplicates"] == 1
    with pytest.raises(pinads_client.NotFound):
        client.get_conversion(events[10]["event_id"])

    # The sandbox's Pinterest takes them: each ends `sent`.
    until = time.monotonic() + 20
    while True:
        states = {client.get_conversion(e["event_id"])["state"] for e in accepted[:5]}
        if states == {"sent"} or time.monotonic() > until:
            break
        time.sleep(0.1)
    assert states == {"sent"}
    stats = client.conversion_stats(ad_account_id=daemon.ad_account_ids[0])
    assert stats["sent"] >= 5 and stats["rejected"] >= 2


def test_errors_are_mapped_to_their_classes(client: Client) -> None:
    with pytest.raises(pinads_client.NotFound) as missing:
        client.get_audience(987654)
    error = missing.value
    assert error.code == "NOT_FOUND" and "987654" in error.message
    assert isinstance(error.request_id, int)
    assert isinstance(error, pinads_client.PinadsError) and not isinstance(error, pinads_client.InvalidArgument)

    with pytest.raises(pinads_client.InvalidArgument) as bad:
        client.list_jobs(limit=5000)
    assert bad.value.details["field"] == "limit" and bad.value.field == "limit"
    assert bad.value.message.startswith("limit:")

    with pytest.raises(pinads_client.InvalidArgument) as wrong_type:
        client.call("audiences.get", {"audience_id": "three"})
    assert wrong_type.value.field == "audience_id"

    with pytest.raises(pinads_client.Unimplemented) as unknown:
        client.call("no.such")
    assert unknown.value.details["method"] == "no.such"

    with pytest.raises(pinads_client.FailedPrecondition):
        job = client.selftest(steps=1, step_ms=0)["job"]
        client.watch_jobs([job["id"]]).wait()
        client.call("jobs.cancel", {"id": job["id"]})  # a finished job cannot be cancelled

    # The connection is still good after errors.
    assert client.health()["status"] == "ok"


def test_audience_members(client: Client, unique: str) -> None:
    audience = client.call("audiences.create", {"name": f"py-{unique}"})["audience"]
    added = client.add_audience_members(audience["id"], [" Jane.Doe@Example.com", "not-an-email", "ravi@example.org",
                                                         "jane.doe@example.com"])
    assert (added["added"], added["unchanged"]) == (2, 1)
    assert added["rejected"] == [{"index": 1, "reason": "not an email address"}]
    removed = client.remove_audience_members(audience["id"], ["ravi@example.org"])
    assert removed["removed"] == 1
    got = client.get_audience(audience["id"])["audience"]
    assert got["member_count"] == 1 and got["version"] == 2
    assert any(a["id"] == audience["id"] for a in client.list_audiences()["audiences"])
    assert client.list_activations(audience["id"])["activations"] == []
    with pytest.raises(pinads_client.FailedPrecondition):
        client.sync_audience(audience["id"])  # not activated anywhere


def test_the_read_methods(client: Client, daemon: Any) -> None:
    accounts = client.list_ad_accounts()["ad_accounts"]
    assert [a["id"] for a in accounts] == daemon.ad_account_ids and accounts[0]["is_default"]
    assert client.list_campaigns()["campaigns"] == []
    with pytest.raises(pinads_client.NotFound):
        client.get_campaign(424242)
    metrics = client.campaign_metrics("2026-11-01", "2026-11-30")
    assert metrics["rows"] == [] and metrics["totals"]["spend_micro"] == 0
    assert "job_workers" in {s["name"] for s in client.status()["services"]}
    assert client.list_conversions(limit=1)["events"] is not None
    jobs = client.list_jobs(limit=1)
    assert isinstance(jobs["jobs"], list)


def test_a_deadline_that_passes_is_deadline_exceeded(client: Client) -> None:
    job = client.selftest(steps=100, step_ms=100)["job"]
    try:
        started = time.monotonic()
        events = []
        with pytest.raises(pinads_client.DeadlineExceeded) as passed:
            for event in client.watch_jobs([job["id"]], deadline_ms=300):
                events.append(event)
        assert not isinstance(passed.value, pinads_client.LocalDeadlineExceeded), "the daemon's own answer"
        assert passed.value.code == "DEADLINE_EXCEEDED"
        assert events and events[0]["job"]["id"] == job["id"]
        assert time.monotonic() - started < 5
    finally:
        client.call("jobs.cancel", {"id": job["id"]})


def test_the_client_gives_up_itself_on_a_silent_daemon(silent_socket: str) -> None:
    with Client(silent_socket, timeout=0.3) as silent:
        started = time.monotonic()
        with pytest.raises(pinads_client.LocalDeadlineExceeded) as gave_up:
            silent.health()
        took = time.monotonic() - started
    assert 0.3 <= took < 2, took
    assert gave_up.value.details["socket"] == silent_socket
    assert isinstance(gave_up.value, TimeoutError) and isinstance(gave_up.value, pinads_client.DeadlineExceeded)
    assert silent_socket in str(gave_up.value)


def test_no_daemon_is_a_connection_error(tmp_path: Any) -> None:
    with pytest.raises(pinads_client.DaemonNotRunning) as nobody:
        Client(str(tmp_path / "nobody.sock")).health()
    assert isinstance(nobody.value, ConnectionError) and isinstance(nobody.value, pinads_client.Unavailable)


def test_200_requests_in_flight_on_one_connection(client: Client, daemon: Any) -> None:
    before = client.status()["connections"]["accepted_total"]
    with Client(daemon.socket_path, timeout=15) as pipelined:
        answers = pipelined.pipeline([("system.health", None)] * 200)
        assert len(answers) == 200
        bad = [a for a in answers if not (isinstance(a, dict) and a["status"] == "ok")]
        assert bad == [], bad[:3]

        # And from many threads at once, on the same connection.
        with ThreadPoolExecutor(max_workers=20) as pool:
            results = list(pool.map(lambda _: pipelined.health()["status"], range(200)))
        assert results == ["ok"] * 200

        # submit() leaves them in flight until asked.
        calls = [pipelined.submit("jobs.list", {"limit": 1}) for _ in range(200)]
        assert len({c.id for c in calls}) == 200
        assert all(isinstance(c.result()["jobs"], list) for c in calls)
    assert client.status()["connections"]["accepted_total"] - before == 1, "one connection carried all of them"


def test_streaming_jobs_watch(client: Client) -> None:
    job = client.selftest(steps=3, step_ms=20)["job"]
    watch = client.watch_jobs([job["id"]])
    events = list(watch)
    assert events[0]["job"]["id"] == job["id"]
    assert any(e["job"].get("progress", {}).get("done") == 3 for e in events), events
    assert watch.result is not None
    assert [j["state"] for j in watch.result["jobs"]] == ["succeeded"]
    assert watch.result["jobs"][0]["result"] == {"steps": 3, "attempts": 1}

    # `call` of a streaming method reads the events and returns the result.
    assert client.call("jobs.watch", {"ids": [job["id"]]})["jobs"][0]["state"] == "succeeded"
    with pytest.raises(pinads_client.NotFound):
        client.watch_jobs([job["id"], 99999999]).wait()


def test_closing_a_stream_early_leaves_the_client_working(client: Client) -> None:
    job = client.selftest(steps=50, step_ms=100)["job"]
    try:
        with client.watch_jobs([job["id"]]) as watch:
            first = next(watch)
            assert first["job"]["id"] == job["id"]
        assert list(watch) == [], "a closed stream ends"
        assert client.get_job(job["id"])["job"]["state"] in ("queued", "running"), "the job goes on"
        assert client.health()["status"] == "ok"
    finally:
        client.call("jobs.cancel", {"id": job["id"]})


def test_the_connection_is_made_again_after_it_was_lost(daemon: Any) -> None:
    with Client(daemon.socket_path, timeout=15) as reconnecting:
        assert reconnecting.health()["status"] == "ok"
        connection = reconnecting._connection
        assert connection is not None
        connection._sock.shutdown(2)  # as if the daemon had gone away
        deadline = time.monotonic() + 5
        while connection.usable and time.monotonic() < deadline:
            time.sleep(0.01)
        assert reconnecting.health()["status"] == "ok"


def test_whoami(client: Client, daemon_methods: Set[str]) -> None:
    if "system.whoami" not in daemon_methods:
        pytest.skip("this pinadsd has no system.whoami yet (it is being added with --allow-uid/--allow-group)")
    me = client.whoami()
    assert me == {"uid": os.getuid(), "gid": os.getgid(), "role": "owner"} or (
        me["uid"] == os.getuid() and me["role"] == "owner"), me


def test_the_client_is_safe_to_share_between_threads(client: Client, unique: str,
                                                      make_events: Callable[[str, int], List[Dict[str, Any]]]) -> None:
    errors: List[BaseException] = []

    def send(batch: int) -> None:
        try:
            result = client.send_conversions(make_events(f"{unique}-t{batch}", 20))
            assert result["accepted"] == 20, result
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
