"""The asyncio client: `AsyncClient`, one connection to pinadsd on which any number of
coroutines await their calls together (pipelined, matched by id), and `AsyncStream` for
jobs.watch on a connection of its own. Framing, envelopes and deadlines are those of
`_protocol`, as in the blocking client."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any, Dict, Generic, Iterable, List, Mapping, Optional, Sequence, Tuple, Union, cast

from ._client import E, R, DateLike, _date
from ._protocol import (DEFAULT_TIMEOUT, MAX_FRAME_BYTES, MAX_IN_FLIGHT, STREAMING_METHODS, FrameDecoder, JSONObject,
                        RequestIds, Response, check_timeout, clean, connection_error, copy_error, default_socket_path,
                        encode_frame, make_request, nominal, read_response, refused_as_too_many,
                        remaining_deadline_ms, resolve_deadline)
from .errors import ConnectionClosed, LocalDeadlineExceeded, PinadsError, RequestId
from .types import (AudienceResult, CampaignDetail, CampaignMetricsResult, ConversionEventInfo, ConversionStats,
                    HealthResult, JobEvent, JobResult, ListActivationsResult, ListAdAccountsResult, ListAudiencesResult,
                    ListCampaignsResult, ListConversionsResult, ListJobsResult, MembersChangeResult, MethodsResult,
                    SendConversionsResult, StatusResult, SyncAudiencesResult, WatchJobsResult, WhoAmIResult)

_Outcome = Tuple[Any, Optional[PinadsError]]


class _AsyncWaiter:
    def deliver(self, response: Response) -> None:
        raise NotImplementedError

    def fail(self, error: PinadsError) -> None:
        raise NotImplementedError


class _AsyncUnaryWaiter(_AsyncWaiter):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        # The outcome is a (value, error) pair, never an exception set on the future, so that an
        # abandoned call leaves no "exception was never retrieved" behind.
        self.future: "asyncio.Future[_Outcome]" = loop.create_future()

    def deliver(self, response: Response) -> None:
        if response.final and not self.future.done():
            self.future.set_result((response.value, response.error))

    def fail(self, error: PinadsError) -> None:
        if not self.future.done():
            self.future.set_result((None, error))


class _AsyncStreamWaiter(_AsyncWaiter):
    def __init__(self) -> None:
        self.queue: "asyncio.Queue[Tuple[str, Any]]" = asyncio.Queue()

    def deliver(self, response: Response) -> None:
        if response.kind == "error":
            self.queue.put_nowait(("error", response.error))
        else:
            self.queue.put_nowait((response.kind, response.value))

    def fail(self, error: PinadsError) -> None:
        self.queue.put_nowait(("error", error))


class _AsyncProbeWaiter(_AsyncWaiter):
    def __init__(self, stream: _AsyncStreamWaiter) -> None:
        self.stream = stream

    def deliver(self, response: Response) -> None:
        if response.final:
            self.stream.queue.put_nowait(("alive", None))

    def fail(self, error: PinadsError) -> None:
        pass


class _AsyncConnection:
    """A socket of its own (non-blocking, driven by the loop's sock_* calls rather than a
    transport, so that a failed write never discards what the daemon sent before closing: a
    refused peer's PERMISSION_DENIED frame, say), with a reader task that dispatches frames to
    waiters by id, and writes one whole frame at a time."""

    def __init__(self, socket_path: str, max_frame_bytes: int, max_in_flight: Optional[int]) -> None:
        self.socket_path = socket_path
        self.max_frame_bytes = max_frame_bytes
        self.ids = RequestIds()
        self.loop = asyncio.get_running_loop()
        self._pending: Dict[RequestId, Tuple[_AsyncWaiter, bool]] = {}
        self._slots = asyncio.Semaphore(max_in_flight) if max_in_flight else None
        self._write_lock = asyncio.Lock()
        self._dead: Optional[PinadsError] = None
        self._write_failed = False
        self._closing = False
        self._sock: Optional[socket.socket] = None
        self._task: Optional["asyncio.Task[None]"] = None

    async def open(self, timeout: Optional[float]) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await asyncio.wait_for(self.loop.sock_connect(sock, self.socket_path), timeout)
        except asyncio.TimeoutError:
            sock.close()
            raise LocalDeadlineExceeded(self.socket_path, timeout or 0.0, what="no connection") from None
        except OSError as problem:
            sock.close()
            raise connection_error(problem, self.socket_path) from None
        except BaseException:
            sock.close()
            raise
        self._sock = sock
        self._task = self.loop.create_task(self._read_loop(sock))

    @property
    def usable(self) -> bool:
        return (self._dead is None and not self._write_failed and not self._closing
                and self.loop is asyncio.get_running_loop())

    async def send(self, request: JSONObject, waiter: _AsyncWaiter, slot_timeout: Optional[float]) -> None:
        data = encode_frame(request, self.max_frame_bytes)
        slot = False
        if self._slots is not None:
            try:
                await asyncio.wait_for(self._slots.acquire(), slot_timeout)
            except asyncio.TimeoutError:
                raise LocalDeadlineExceeded(self.socket_path, nominal(slot_timeout), request["id"],
                                            what="no free request slot (too many requests in flight)") from None
            slot = True
        if self._dead is not None or self._write_failed or self._closing or self._sock is None:
            if slot and self._slots is not None:
                self._slots.release()
            raise (copy_error(self._dead, request["id"]) if self._dead is not None else
                   ConnectionClosed(f"the connection to {self.socket_path} is closed", self.socket_path, request["id"]))
        self._pending[request["id"]] = (waiter, slot)
        sock = self._sock
        async with self._write_lock:  # one whole frame after another
            if self._write_failed or self._dead is not None:
                return  # the waiter hears of it from the reader
            try:
                await self.loop.sock_sendall(sock, data)
            except OSError:
                # The daemon closed its side (a refused peer, a shutdown): what it sent before
                # closing is still there to read, so the reader reports it, not this.
                self._write_failed = True

    async def _read_loop(self, sock: socket.socket) -> None:
        decoder = FrameDecoder(self.max_frame_bytes, self.socket_path)
        try:
            while True:
                try:
                    data = await self.loop.sock_recv(sock, 1 << 16)
                except OSError as problem:
                    raise ConnectionClosed(f"the connection to {self.socket_path} broke: {problem}",
                                           self.socket_path) from None
                if not data:
                    if self._closing:
                        raise ConnectionClosed("the client closed the connection", self.socket_path)
                    raise ConnectionClosed(f"the daemon at {self.socket_path} closed the connection", self.socket_path)
                for frame in decoder.feed(data):
                    response = read_response(frame)
                    if response.about_connection:
                        assert response.error is not None
                        raise response.error
                    self._dispatch(response)
        except PinadsError as error:
            self._die(error)
            # Dead: the socket is closed here, once no write is under way on it (one on the shut
            # down socket fails at once), so that it does not wait for close() to go.
            async with self._write_lock:
                sock.close()
        except asyncio.CancelledError:
            # close(), or the loop ending (asyncio.run cancels what is left): either way the
            # connection is done, and its socket must not outlive the loop.
            self._closing = True
            self._die(ConnectionClosed("the client closed the connection", self.socket_path))
            sock.close()
            raise

    def _dispatch(self, response: Response) -> None:
        if response.id is None:
            return
        entry = self._pending.get(response.id)
        if entry is None:
            return
        if response.final:
            del self._pending[response.id]
            if entry[1] and self._slots is not None:
                self._slots.release()
        entry[0].deliver(response)

    def _die(self, error: PinadsError) -> None:
        if self._dead is not None:
            return
        self._dead = error
        pending, self._pending = self._pending, {}
        for request_id, (waiter, slot) in pending.items():
            if slot and self._slots is not None:
                self._slots.release()
            waiter.fail(copy_error(error, request_id))
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def abort(self) -> None:
        """Closes at once, without waiting (for finalizers, and for a loop that is gone)."""
        self._closing = True
        if self._task is not None and not self._task.done() and not self.loop.is_closed():
            self._task.cancel()
        if self._sock is not None:
            self._sock.close()

    async def close(self) -> None:
        self._closing = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self._die(ConnectionClosed("the client closed the connection", self.socket_path))
        if self._sock is not None:
            self._sock.close()


class AsyncStream(Generic[E, R]):
    """A streaming call (jobs.watch) on a connection of its own, started at the first
    `async for` step (or `async with`): the iteration yields the events, then `result` holds the
    final result; an error answer is raised by the iteration. `aclose()` (or leaving `async with`)
    closes the connection, which cancels the stream at the daemon and nothing else. Liveness as
    the blocking `Stream`: after `timeout` of silence a system.health probe, and
    LocalDeadlineExceeded when that is not answered within `timeout` either."""

    def __init__(self, client: "AsyncClient", method: str, params: Optional[Mapping[str, Any]],
                 deadline_ms: Optional[int]) -> None:
        self.method = method
        self.result: Optional[R] = None
        self.id: Optional[RequestId] = None
        self._client = client
        self._params = params
        self._deadline_ms = deadline_ms
        self._timeout = client.timeout
        self._connection: Optional[_AsyncConnection] = None
        self._waiter: Optional[_AsyncStreamWaiter] = None
        self._until: Optional[float] = None
        self._wait: Optional[float] = None
        self._finished = False
        self._probing = False

    async def _start(self) -> None:
        if self._connection is not None or self._finished:
            return
        deadline_ms = self._deadline_ms
        if deadline_ms is not None:
            deadline_ms, self._wait = resolve_deadline(None, deadline_ms)
            assert self._wait is not None
            self._until = time.monotonic() + self._wait
        connection = _AsyncConnection(self._client.socket_path, self._client.max_frame_bytes, None)
        await connection.open(self._client.timeout)
        self._connection = connection
        self._waiter = _AsyncStreamWaiter()
        request = make_request(connection.ids.next(), self.method, self._params, deadline_ms)
        self.id = request["id"]
        try:
            await connection.send(request, self._waiter, None)
        except BaseException:
            await self.aclose()
            raise

    def __aiter__(self) -> "AsyncStream[E, R]":
        return self

    async def __anext__(self) -> E:
        if self._finished:
            raise StopAsyncIteration
        await self._start()
        assert self._waiter is not None
        while True:
            try:
                kind, value = await asyncio.wait_for(self._waiter.queue.get(), self._silence_limit())
            except asyncio.TimeoutError:
                await self._on_silence()
                continue
            if kind == "alive":
                self._probing = False
            elif kind == "event":
                return cast(E, value)
            elif kind == "result":
                self.result = cast(R, value)
                await self.aclose()
                raise StopAsyncIteration
            else:
                await self.aclose()
                raise cast(PinadsError, value)

    def _silence_limit(self) -> Optional[float]:
        if self._until is not None:
            return max(0.0, self._until - time.monotonic())
        return self._timeout

    async def _on_silence(self) -> None:
        assert self._connection is not None and self._waiter is not None
        socket_path = self._connection.socket_path
        if self._until is not None or self._timeout is None:
            await self.aclose()
            raise LocalDeadlineExceeded(socket_path, nominal(self._wait), self.id)
        if self._probing:
            await self.aclose()
            raise LocalDeadlineExceeded(socket_path, self._timeout, self.id,
                                        what="no sign of life (system.health unanswered)")
        self._probing = True
        probe = make_request(self._connection.ids.next(), "system.health", None, max(1, int(self._timeout * 1000)))
        try:
            await self._connection.send(probe, _AsyncProbeWaiter(self._waiter), None)
        except PinadsError:
            pass

    async def wait(self) -> R:
        """Reads the remaining events and returns the final result."""
        async for _ in self:
            pass
        return cast(R, self.result)

    async def aclose(self) -> None:
        if not self._finished:
            self._finished = True
            if self._connection is not None:
                await self._connection.close()

    async def __aenter__(self) -> "AsyncStream[E, R]":
        await self._start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        try:
            if not self._finished and self._connection is not None:
                self._connection.abort()
        except Exception:
            pass


class AsyncClient:
    """An asyncio client of pinadsd over one Unix-socket connection: any number of coroutines
    may await calls at once; they are pipelined on the connection and matched by id. It
    connects at the first call (or `await connect()`), again after the connection was lost,
    and when used from another event loop; `await close()` (or leaving `async with`) closes it.
    `timeout`, `max_frame_bytes` and `max_in_flight` are those of the blocking `Client`."""

    def __init__(self, socket_path: Optional[str] = None, *, timeout: Optional[float] = DEFAULT_TIMEOUT,
                 max_frame_bytes: int = MAX_FRAME_BYTES, max_in_flight: Optional[int] = MAX_IN_FLIGHT) -> None:
        self.socket_path: str = socket_path or default_socket_path()
        self.timeout: Optional[float] = check_timeout(timeout)
        self.max_frame_bytes = max_frame_bytes
        self.max_in_flight = max_in_flight
        self._connection: Optional[_AsyncConnection] = None
        self._connecting: Optional["asyncio.Future[_AsyncConnection]"] = None

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"AsyncClient(socket_path={self.socket_path!r}, timeout={self.timeout!r})"

    async def connect(self) -> None:
        """Connects now, if not connected. Raises DaemonNotRunning when no daemon listens."""
        await self._live_connection()

    async def _live_connection(self) -> _AsyncConnection:
        connection = self._connection
        if connection is not None and connection.usable:
            return connection
        loop = asyncio.get_running_loop()
        connecting = self._connecting
        if connecting is not None and connecting.get_loop() is loop:
            return await asyncio.shield(connecting)
        # One coroutine connects; the others that come meanwhile await the same connect.
        self._connecting = connecting = loop.create_future()
        try:
            if connection is not None:
                if connection.loop is loop:
                    await connection.close()
                else:
                    connection.abort()
            self._connection = None
            fresh = _AsyncConnection(self.socket_path, self.max_frame_bytes, self.max_in_flight)
            await fresh.open(self.timeout)
            self._connection = fresh
            connecting.set_result(fresh)
            return fresh
        except Exception as error:
            connecting.set_exception(error)
            connecting.exception()  # marked retrieved: the waiters, if any, get it from their await
            raise
        except BaseException:
            connecting.cancel()
            raise
        finally:
            self._connecting = None

    async def close(self) -> None:
        """Closes the connection; the daemon cancels whatever was still in flight on it."""
        connection, self._connection = self._connection, None
        if connection is not None:
            if connection.loop is asyncio.get_running_loop():
                await connection.close()
            else:
                connection.abort()

    # -- generic calls -------------------------------------------------------------------------

    async def call(self, method: str, params: Optional[Mapping[str, Any]] = None, *,
                   deadline_ms: Optional[int] = None) -> Any:
        """Calls a method and returns its `result`; raises as the blocking `Client.call`."""
        if method in STREAMING_METHODS:
            return await self.stream(method, params, deadline_ms=deadline_ms).wait()
        deadline_ms, wait = resolve_deadline(self.timeout, deadline_ms)
        connection = await self._live_connection()
        until: Optional[float] = None
        backoff = 0.002
        while True:
            request = make_request(connection.ids.next(), method, params, deadline_ms)
            waiter = _AsyncUnaryWaiter(connection.loop)
            await connection.send(request, waiter, wait)
            if until is None and wait is not None:
                until = time.monotonic() + wait
            left = None if until is None else max(0.0, until - time.monotonic())
            try:
                value, error = await asyncio.wait_for(asyncio.shield(waiter.future), left)
            except asyncio.TimeoutError:
                raise LocalDeadlineExceeded(self.socket_path, nominal(wait), request["id"]) from None
            if error is None:
                return value
            time_left = float("inf") if until is None else until - time.monotonic()
            if self.max_in_flight is not None and refused_as_too_many(error) and time_left > backoff:
                # Refused unexecuted for the daemon's in-flight limit: wait for answers, send again.
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 0.1)
                deadline_ms = remaining_deadline_ms(deadline_ms, time_left - backoff)
                continue
            raise copy_error(error, request["id"])

    async def pipeline(self, calls: Iterable[Tuple[str, Optional[Mapping[str, Any]]]], *,
                       deadline_ms: Optional[int] = None) -> List[Union[Any, PinadsError]]:
        """Every (method, params) at once; in the order of `calls`, each result or its PinadsError."""
        async def one(method: str, params: Optional[Mapping[str, Any]]) -> Union[Any, PinadsError]:
            try:
                return await self.call(method, params, deadline_ms=deadline_ms)
            except PinadsError as error:
                return error
        return list(await asyncio.gather(*(one(method, params) for method, params in calls)))

    def stream(self, method: str, params: Optional[Mapping[str, Any]] = None, *,
               deadline_ms: Optional[int] = None) -> AsyncStream[JSONObject, JSONObject]:
        """A streaming method on a connection of its own: `async for event in client.stream(...)`."""
        return AsyncStream(self, method, params, deadline_ms)

    # -- typed methods (as the blocking Client's) ------------------------------------------------

    async def health(self, *, deadline_ms: Optional[int] = None) -> HealthResult:
        """system.health: is the daemon up, and what is wrong."""
        return cast(HealthResult, await self.call("system.health", None, deadline_ms=deadline_ms))

    async def status(self, *, deadline_ms: Optional[int] = None) -> StatusResult:
        """system.status: job counts, connections, services."""
        return cast(StatusResult, await self.call("system.status", None, deadline_ms=deadline_ms))

    async def methods(self, *, deadline_ms: Optional[int] = None) -> MethodsResult:
        """system.methods: the methods this daemon serves."""
        return cast(MethodsResult, await self.call("system.methods", None, deadline_ms=deadline_ms))

    async def whoami(self, *, deadline_ms: Optional[int] = None) -> WhoAmIResult:
        """system.whoami: the uid and gid the daemon sees for this client, and its role."""
        return cast(WhoAmIResult, await self.call("system.whoami", {}, deadline_ms=deadline_ms))

    async def selftest(self, *, steps: Optional[int] = None, step_ms: Optional[int] = None,
                       fail_attempts: Optional[int] = None, deadline_ms: Optional[int] = None) -> JobResult:
        """system.selftest: queues a job that exercises the job machinery (no Pinterest)."""
        params = clean({"steps": steps, "step_ms": step_ms, "fail_attempts": fail_attempts})
        return cast(JobResult, await self.call("system.selftest", params, deadline_ms=deadline_ms))

    async def get_job(self, job_id: int, *, deadline_ms: Optional[int] = None) -> JobResult:
        """jobs.get."""
        return cast(JobResult, await self.call("jobs.get", {"id": job_id}, deadline_ms=deadline_ms))

    async def list_jobs(self, *, state: Optional[str] = None, kind: Optional[str] = None, limit: Optional[int] = None,
                        before_id: Optional[int] = None, deadline_ms: Optional[int] = None) -> ListJobsResult:
        """jobs.list: newest first, one page; pass `next_before_id` as `before_id` for the next."""
        params = clean({"state": state, "kind": kind, "limit": limit, "before_id": before_id})
        return cast(ListJobsResult, await self.call("jobs.list", params, deadline_ms=deadline_ms))

    def watch_jobs(self, job_ids: Sequence[int], *,
                   deadline_ms: Optional[int] = None) -> AsyncStream[JobEvent, WatchJobsResult]:
        """jobs.watch: an AsyncStream of {"job": …} events until every job has finished; then its
        `result` is {"jobs": [...]}, the final states."""
        return cast(AsyncStream[JobEvent, WatchJobsResult],
                    self.stream("jobs.watch", {"ids": list(job_ids)}, deadline_ms=deadline_ms))

    async def list_ad_accounts(self, *, connection_id: Optional[int] = None, refresh: Optional[bool] = None,
                               deadline_ms: Optional[int] = None) -> ListAdAccountsResult:
        """ad_accounts.list (`refresh=True` reads them from Pinterest first)."""
        params = clean({"connection_id": connection_id, "refresh": refresh})
        return cast(ListAdAccountsResult, await self.call("ad_accounts.list", params, deadline_ms=deadline_ms))

    async def add_audience_members(self, audience_id: int, members: Iterable[str], *,
                                   deadline_ms: Optional[int] = None) -> MembersChangeResult:
        """audiences.add_members: emails or device ids (plain or SHA-256), at most 100,000 a call."""
        params = {"audience_id": audience_id, "members": list(members)}
        return cast(MembersChangeResult, await self.call("audiences.add_members", params, deadline_ms=deadline_ms))

    async def remove_audience_members(self, audience_id: int, members: Iterable[str], *,
                                      deadline_ms: Optional[int] = None) -> MembersChangeResult:
        """audiences.remove_members."""
        params = {"audience_id": audience_id, "members": list(members)}
        return cast(MembersChangeResult, await self.call("audiences.remove_members", params, deadline_ms=deadline_ms))

    async def get_audience(self, audience_id: int, *, deadline_ms: Optional[int] = None) -> AudienceResult:
        """audiences.get."""
        return cast(AudienceResult,
                    await self.call("audiences.get", {"audience_id": audience_id}, deadline_ms=deadline_ms))

    async def list_audiences(self, *, deadline_ms: Optional[int] = None) -> ListAudiencesResult:
        """audiences.list."""
        return cast(ListAudiencesResult, await self.call("audiences.list", {}, deadline_ms=deadline_ms))

    async def list_activations(self, audience_id: Optional[int] = None, *,
                               deadline_ms: Optional[int] = None) -> ListActivationsResult:
        """audiences.activations: of one audience, or of all."""
        params = clean({"audience_id": audience_id})
        return cast(ListActivationsResult, await self.call("audiences.activations", params, deadline_ms=deadline_ms))

    async def sync_audience(self, audience_id: int, *, ad_account_id: Optional[str] = None,
                            deadline_ms: Optional[int] = None) -> SyncAudiencesResult:
        """audiences.sync: queues a sync job per activation (follow them with watch_jobs)."""
        params = clean({"audience_id": audience_id, "ad_account_id": ad_account_id})
        return cast(SyncAudiencesResult, await self.call("audiences.sync", params, deadline_ms=deadline_ms))

    async def list_campaigns(self, *, ad_account_id: Optional[str] = None,
                             deadline_ms: Optional[int] = None) -> ListCampaignsResult:
        """campaigns.list."""
        params = clean({"ad_account_id": ad_account_id})
        return cast(ListCampaignsResult, await self.call("campaigns.list", params, deadline_ms=deadline_ms))

    async def get_campaign(self, campaign_id: int, *, refresh: Optional[bool] = None,
                           deadline_ms: Optional[int] = None) -> CampaignDetail:
        """campaigns.get: the campaign with its ad groups and ads (`refresh=True`: from Pinterest)."""
        params = clean({"campaign_id": campaign_id, "refresh": refresh})
        return cast(CampaignDetail, await self.call("campaigns.get", params, deadline_ms=deadline_ms))

    async def campaign_metrics(self, from_date: DateLike, to_date: DateLike, *, campaign_id: Optional[int] = None,
                               level: Optional[str] = None, ad_group_id: Optional[int] = None,
                               deadline_ms: Optional[int] = None) -> CampaignMetricsResult:
        """campaigns.metrics: daily rows from `from_date` to `to_date` (inclusive, UTC), and totals."""
        params = clean({"from": _date(from_date), "to": _date(to_date), "campaign_id": campaign_id, "level": level,
                        "ad_group_id": ad_group_id})
        return cast(CampaignMetricsResult, await self.call("campaigns.metrics", params, deadline_ms=deadline_ms))

    async def send_conversions(self, events: Iterable[Mapping[str, Any]], *, ad_account_id: Optional[str] = None,
                               test: Optional[bool] = None,
                               deadline_ms: Optional[int] = None) -> SendConversionsResult:
        """conversions.send: 1 to 10,000 events, sent exactly as given (see the blocking Client)."""
        params = clean({"ad_account_id": ad_account_id, "test": test})
        params["events"] = list(events)
        return cast(SendConversionsResult, await self.call("conversions.send", params, deadline_ms=deadline_ms))

    async def conversion_stats(self, *, ad_account_id: Optional[str] = None,
                               deadline_ms: Optional[int] = None) -> ConversionStats:
        """conversions.stats: the outbox and the delivery."""
        params = clean({"ad_account_id": ad_account_id})
        return cast(ConversionStats, await self.call("conversions.stats", params, deadline_ms=deadline_ms))

    async def get_conversion(self, event_id: str, *, event_name: Optional[str] = None,
                             ad_account_id: Optional[str] = None, test: Optional[bool] = None,
                             deadline_ms: Optional[int] = None) -> ConversionEventInfo:
        """conversions.get: what became of one event."""
        params = clean({"event_id": event_id, "event_name": event_name, "ad_account_id": ad_account_id, "test": test})
        return cast(ConversionEventInfo, await self.call("conversions.get", params, deadline_ms=deadline_ms))

    async def list_conversions(self, *, ad_account_id: Optional[str] = None, state: Optional[str] = None,
                               since: Optional[str] = None, test: Optional[bool] = None, limit: Optional[int] = None,
                               after: Optional[int] = None,
                               deadline_ms: Optional[int] = None) -> ListConversionsResult:
        """conversions.list: events in acceptance order, one page; pass `next_after` as `after`."""
        params = clean({"ad_account_id": ad_account_id, "state": state, "since": since, "test": test, "limit": limit,
                        "after": after})
        return cast(ListConversionsResult, await self.call("conversions.list", params, deadline_ms=deadline_ms))
