"""The asyncio AsyncClient against a running `pinadsd --sandbox` (plain asyncio.run: no plugin)."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, Callable, Dict, List, Set

import pytest

import pinads_client
from pinads_client import AsyncClient


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_health(daemon: Any) -> None:
    async def body() -> None:
        async with AsyncClient(daemon.socket_path, timeout=15) as client:
            health = await client.health()
            assert health["status"] == "ok" and health["protocol_version"] == 1
    run(body())


def test_a_batch_of_conversions(daemon: Any, unique: str,
                                make_events: Callable[[str, int], List[Dict[str, Any]]]) -> None:
    events = make_events(unique, 50)
    events[7]["coupon"] = "WINTER10"
    events[8]["event_name"] = "purchase"  # not one of Pinterest's names
    events[9]["event_id"] = events[1]["event_id"]

    async def body() -> None:
        async with AsyncClient(daemon.socket_path, timeout=15) as client:
            # The second ad account, as test events: their own lane.
            result = await client.send_conversions(events, ad_account_id=daemon.ad_account_ids[1], test=True)
            assert (result["accepted"], result["duplicates"]) == (47, 1), result
            assert [(r["index"], r["reason"].split(":")[0]) for r in result["rejected"]] == [
                (7, "coupon"), (8, "event_name")]
            accepted = [e for i, e in enumerate(events) if i not in (7, 8, 9)]
            infos = await asyncio.gather(*(
                client.get_conversion(e["event_id"], ad_account_id=daemon.ad_account_ids[1], test=True)
                for e in accepted))
            assert [info["event_id"] for info in infos] == [e["event_id"] for e in accepted]
            assert all(info["test"] and info["state"] in ("queued", "in_flight", "sent") for info in infos), infos
            with pytest.raises(pinads_client.NotFound):
                # Test events are not the real ones.
                await client.get_conversion(accepted[0]["event_id"], ad_account_id=daemon.ad_account_ids[1])
            page = await client.list_conversions(ad_account_id=daemon.ad_account_ids[1], test=True, limit=1000)
            listed = {e["event_id"] for e in page["events"]}
            assert {e["event_id"] for e in accepted} <= listed
    run(body())


def test_errors_are_mapped_to_their_classes(daemon: Any) -> None:
    async def body() -> None:
        async with AsyncClient(daemon.socket_path, timeout=15) as client:
            with pytest.raises(pinads_client.NotFound) as missing:
                await client.get_audience(987654)
            assert missing.value.code == "NOT_FOUND" and isinstance(missing.value.request_id, int)
            with pytest.raises(pinads_client.InvalidArgument) as bad:
                await client.list_conversions(limit=0)
            assert bad.value.field == "limit"
            with pytest.raises(pinads_client.NotFound) as unknown_job:
                await client.get_job(99999999)
            assert "99999999" in unknown_job.value.message
            with pytest.raises(pinads_client.Unimplemented):
                await client.call("no.such", {"x": 1})
            assert (await client.health())["status"] == "ok"
    run(body())


def test_a_deadline_that_passes_is_deadline_exceeded(daemon: Any) -> None:
    async def body() -> None:
        async with AsyncClient(daemon.socket_path, timeout=15) as client:
            job = (await client.selftest(steps=100, step_ms=100))["job"]
            try:
                events = []
                with pytest.raises(pinads_client.DeadlineExceeded) as passed:
                    async for event in client.watch_jobs([job["id"]], deadline_ms=300):
                        events.append(event)
                assert not isinstance(passed.value, pinads_client.LocalDeadlineExceeded)
                assert events and events[0]["job"]["id"] == job["id"]
            finally:
                await client.call("jobs.cancel", {"id": job["id"]})
    run(body())


def test_the_client_gives_up_itself_on_a_silent_daemon(silent_socket: str) -> None:
    async def body() -> None:
        async with AsyncClient(silent_socket, timeout=0.3) as client:
            started = time.monotonic()
            with pytest.raises(pinads_client.LocalDeadlineExceeded) as gave_up:
                await client.health()
            assert 0.3 <= time.monotonic() - started < 2
            assert gave_up.value.details["socket"] == silent_socket
    run(body())


def test_no_daemon_is_a_connection_error(tmp_path: Any) -> None:
    async def body() -> None:
        with pytest.raises(pinads_client.DaemonNotRunning):
            await AsyncClient(str(tmp_path / "nobody.sock")).health()
    run(body())


def test_200_coroutines_in_flight_on_one_connection(daemon: Any) -> None:
    async def body() -> None:
        async with AsyncClient(daemon.socket_path, timeout=15) as watcher, \
                AsyncClient(daemon.socket_path, timeout=15) as client:
            before = (await watcher.status())["connections"]["accepted_total"]
            answers = await asyncio.gather(*(client.health() for _ in range(200)))
            assert [a["status"] for a in answers] == ["ok"] * 200
            mixed = await client.pipeline([("jobs.list", {"limit": 1}), ("no.such", None)] * 100)
            assert all(isinstance(a, dict) for a in mixed[0::2])
            assert all(isinstance(a, pinads_client.Unimplemented) for a in mixed[1::2])
            after = (await watcher.status())["connections"]["accepted_total"]
            assert after - before == 1, "one connection carried all of them"
    run(body())


def test_streaming_jobs_watch(daemon: Any) -> None:
    async def body() -> None:
        async with AsyncClient(daemon.socket_path, timeout=15) as client:
            jobs = await asyncio.gather(*(client.selftest(steps=2, step_ms=20) for _ in range(3)))
            ids = [j["job"]["id"] for j in jobs]
            watch = client.watch_jobs(ids)
            seen = set()
            async for event in watch:
                seen.add(event["job"]["id"])
            assert seen == set(ids)
            assert watch.result is not None
            assert [j["id"] for j in watch.result["jobs"]] == ids
            assert {j["state"] for j in watch.result["jobs"]} == {"succeeded"}

            # Several streams at once, each on its own connection, beside unary calls.
            async def follow(job_id: int) -> str:
                async with client.watch_jobs([job_id]) as stream:
                    final = await stream.wait()
                return final["jobs"][0]["state"]
            more = await asyncio.gather(*(client.selftest(steps=3, step_ms=30) for _ in range(4)))
            states = await asyncio.gather(*(follow(j["job"]["id"]) for j in more), client.health())
            assert states[:4] == ["succeeded"] * 4
    run(body())


def test_closing_a_stream_early_leaves_the_client_working(daemon: Any) -> None:
    async def body() -> None:
        async with AsyncClient(daemon.socket_path, timeout=15) as client:
            job = (await client.selftest(steps=50, step_ms=100))["job"]
            try:
                async with client.watch_jobs([job["id"]]) as watch:
                    first = await watch.__anext__()
                    assert first["job"]["id"] == job["id"]
                assert [e async for e in watch] == []
                assert (await client.get_job(job["id"]))["job"]["state"] in ("queued", "running")
            finally:
                await client.call("jobs.cancel", {"id": job["id"]})
    run(body())


def test_one_client_in_two_event_loops(daemon: Any) -> None:
    client = AsyncClient(daemon.socket_path, timeout=15)
    assert run(client.health())["status"] == "ok"
    assert run(client.health())["status"] == "ok", "a new loop gets a new connection"
    run(client.close())


def test_whoami(daemon: Any, daemon_methods: Set[str]) -> None:
    if "system.whoami" not in daemon_methods:
        pytest.skip("this pinadsd has no system.whoami yet (it is being added with --allow-uid/--allow-group)")

    async def body() -> None:
        async with AsyncClient(daemon.socket_path, timeout=15) as client:
            me = await client.whoami()
            assert me["uid"] == os.getuid() and me["gid"] == os.getgid() and me["role"] == "owner", me
    run(body())
