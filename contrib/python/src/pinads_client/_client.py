"""The blocking client: `Client`, one connection to pinadsd shared by every thread that uses it,
with pipelined requests matched by id, deadlines, and streams (jobs.watch) on connections of their
own."""

from __future__ import annotations

import datetime
import queue
import socket
import threading
import time
from typing import (Any, Dict, Generic, Iterable, List, Mapping, Optional, Sequence, Tuple, TypeVar,
                    Union, cast)

from ._protocol import (DEFAULT_TIMEOUT, MAX_FRAME_BYTES, MAX_IN_FLIGHT, STREAMING_METHODS, FrameDecoder, JSONObject,
                        RequestIds, Response, check_timeout, clean, connection_error, copy_error, default_socket_path,
                        encode_frame, make_request, nominal, read_response, refused_as_too_many,
                        remaining_deadline_ms, resolve_deadline)
from .errors import ConnectionClosed, LocalDeadlineExceeded, PinadsError, RequestId
from .types import (AudienceResult, CampaignDetail, CampaignMetricsResult, ConversionEventInfo, ConversionStats,
                    HealthResult, JobEvent, JobResult, ListActivationsResult, ListAdAccountsResult, ListAudiencesResult,
                    ListCampaignsResult, ListConversionsResult, ListJobsResult, MembersChangeResult, MethodsResult,
                    SendConversionsResult, StatusResult, SyncAudiencesResult, WatchJobsResult, WhoAmIResult)

E = TypeVar("E")
R = TypeVar("R")
DateLike = Union[str, datetime.date]


def _date(value: DateLike) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _open_socket(socket_path: str, timeout: Optional[float]) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(socket_path)
    except socket.timeout:
        sock.close()
        raise LocalDeadlineExceeded(socket_path, timeout or 0.0, what="no connection") from None
    except OSError as problem:
        sock.close()
        raise connection_error(problem, socket_path) from None
    sock.settimeout(None)
    return sock


# -- waiters: what a request's frames are delivered to -----------------------------------------

class _Waiter:
    def deliver(self, response: Response) -> None:
        raise NotImplementedError

    def fail(self, error: PinadsError) -> None:
        raise NotImplementedError


class _UnaryWaiter(_Waiter):
    """A unary call: events (a streaming method called with `call`) are ignored."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: Optional[PinadsError] = None

    def deliver(self, response: Response) -> None:
        if response.final:
            self.value, self.error = response.value, response.error
            self.done.set()

    def fail(self, error: PinadsError) -> None:
        self.error = error
        self.done.set()


class _StreamWaiter(_Waiter):
    def __init__(self) -> None:
        self.queue: "queue.Queue[Tuple[str, Any]]" = queue.Queue()

    def deliver(self, response: Response) -> None:
        if response.kind == "error":
            self.queue.put(("error", response.error))
        else:
            self.queue.put((response.kind, response.value))

    def fail(self, error: PinadsError) -> None:
        self.queue.put(("error", error))


class _ProbeWaiter(_Waiter):
    """A stream's liveness probe: any answer says the daemon lives."""

    def __init__(self, stream: _StreamWaiter) -> None:
        self.stream = stream

    def deliver(self, response: Response) -> None:
        if response.final:
            self.stream.queue.put(("alive", None))

    def fail(self, error: PinadsError) -> None:
        pass  # the stream's own waiter hears of it


# -- one connection -----------------------------------------------------------------------------

class _Connection:
    """A socket with a reader thread (dispatching frames to waiters by id) and a writer thread
    (so that no caller blocks on a full socket, and frames go out whole, one after another)."""

    def __init__(self, socket_path: str, connect_timeout: Optional[float], max_frame_bytes: int,
                 max_in_flight: Optional[int]) -> None:
        self.socket_path = socket_path
        self.max_frame_bytes = max_frame_bytes
        self.ids = RequestIds()
        self._sock = _open_socket(socket_path, connect_timeout)
        self._lock = threading.Lock()
        self._pending: Dict[RequestId, Tuple[_Waiter, bool]] = {}
        self._slots = threading.BoundedSemaphore(max_in_flight) if max_in_flight else None
        self._outbox: "queue.Queue[Optional[bytes]]" = queue.Queue()
        self._dead: Optional[PinadsError] = None
        self._write_failed = False
        self._closing = False
        self._reader = threading.Thread(target=self._read_loop, name="pinads-client-reader", daemon=True)
        self._writer = threading.Thread(target=self._write_loop, name="pinads-client-writer", daemon=True)
        self._reader.start()
        self._writer.start()

    @property
    def usable(self) -> bool:
        return self._dead is None and not self._write_failed and not self._closing

    def send(self, request: JSONObject, waiter: _Waiter, slot_timeout: Optional[float]) -> None:
        """Queues the request; its frames go to `waiter`. Raises at once when the request is too
        large, no slot frees within `slot_timeout`, or the connection is gone."""
        data = encode_frame(request, self.max_frame_bytes)
        slot = False
        if self._slots is not None:
            if not self._slots.acquire(timeout=slot_timeout):
                raise LocalDeadlineExceeded(self.socket_path, nominal(slot_timeout), request["id"],
                                            what="no free request slot (too many requests in flight)")
            slot = True
        with self._lock:
            if self._dead is not None or self._write_failed or self._closing:
                if slot and self._slots is not None:
                    self._slots.release()
                raise (copy_error(self._dead, request["id"]) if self._dead is not None else
                       ConnectionClosed(f"the connection to {self.socket_path} is closed", self.socket_path,
                                        request["id"]))
            self._pending[request["id"]] = (waiter, slot)
        self._outbox.put(data)

    def _write_loop(self) -> None:
        while True:
            data = self._outbox.get()
            if data is None:
                return
            try:
                self._sock.sendall(data)
            except OSError:
                # The daemon closed its side (a refused peer, a shutdown): what it sent before
                # closing is still there to read, so the reader reports it, not this.
                self._write_failed = True
                return

    def _read_loop(self) -> None:
        decoder = FrameDecoder(self.max_frame_bytes, self.socket_path)
        try:
            while True:
                try:
                    data = self._sock.recv(1 << 16)
                except OSError as problem:
                    if self._closing:
                        raise ConnectionClosed("the client closed the connection", self.socket_path) from None
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
        except BaseException as error:  # pragma: no cover - a bug here must not hang the callers
            self._die(ConnectionClosed(f"the client's reader failed: {error!r}", self.socket_path))
            raise

    def _dispatch(self, response: Response) -> None:
        if response.id is None:
            return
        with self._lock:
            entry = self._pending.get(response.id)
            if entry is None:
                return  # an answer nobody waits for any more
            if response.final:
                del self._pending[response.id]
                if entry[1] and self._slots is not None:
                    self._slots.release()
        entry[0].deliver(response)

    def _die(self, error: PinadsError) -> None:
        with self._lock:
            if self._dead is not None:
                return
            self._dead = error
            pending, self._pending = self._pending, {}
            for _, slot in pending.values():
                if slot and self._slots is not None:
                    self._slots.release()
        self._outbox.put(None)
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        for request_id, (waiter, _) in pending.items():
            waiter.fail(copy_error(error, request_id))

    def close(self) -> None:
        """Closes the socket: the daemon cancels what was still in flight on it."""
        self._closing = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._outbox.put(None)
        current = threading.current_thread()
        for thread in (self._reader, self._writer):
            if thread is not current:
                thread.join(timeout=5)
        self._die(ConnectionClosed("the client closed the connection", self.socket_path))
        self._sock.close()


# -- calls -------------------------------------------------------------------------------------

class PendingCall:
    """A request sent and not yet answered (from `Client.submit`). `result()` waits for it."""

    def __init__(self, connection: _Connection, method: str, params: Optional[Mapping[str, Any]],
                 deadline_ms: Optional[int], wait: Optional[float], retry_when_full: bool) -> None:
        self.method = method
        self._connection = connection
        self._params = params
        self._deadline_ms = deadline_ms
        self._wait = wait
        self._retry_when_full = retry_when_full
        self._until: Optional[float] = None
        self._send()

    def _send(self) -> None:
        request = make_request(self._connection.ids.next(), self.method, self._params, self._deadline_ms)
        self.id: RequestId = request["id"]
        self._waiter = _UnaryWaiter()
        self._connection.send(request, self._waiter, self._wait)
        if self._until is None and self._wait is not None:
            self._until = time.monotonic() + self._wait

    def done(self) -> bool:
        return self._waiter.done.is_set()

    def result(self) -> Any:
        """The call's `result` object. Raises the PinadsError subclass of an error answer,
        LocalDeadlineExceeded when no answer comes within the deadline and a little grace
        (the request may go on at the daemon), PinadsConnectionError when the connection broke."""
        backoff = 0.002
        while True:
            left = None if self._until is None else max(0.0, self._until - time.monotonic())
            if not self._waiter.done.wait(left):
                raise LocalDeadlineExceeded(self._connection.socket_path, nominal(self._wait), self.id)
            error = self._waiter.error
            if error is None:
                return self._waiter.value
            if self._retry_when_full and refused_as_too_many(error) and self._time_left() > backoff:
                # Refused unexecuted for the daemon's in-flight limit: wait for answers, send again.
                time.sleep(backoff)
                backoff = min(backoff * 2, 0.1)
                self._deadline_ms = remaining_deadline_ms(self._deadline_ms, self._time_left())
                self._send()
                continue
            raise copy_error(error, self.id)

    def _time_left(self) -> float:
        return float("inf") if self._until is None else self._until - time.monotonic()

    def exception(self) -> Optional[PinadsError]:
        """The error `result()` would raise, or None when it succeeded."""
        try:
            self.result()
        except PinadsError as error:
            return error
        return None


class Stream(Generic[E, R]):
    """A streaming call (jobs.watch) on a connection of its own: iterate it for the events; once
    the iteration ends, `result` holds the final result. An error answer is raised by the
    iteration. `close()` (or leaving a `with` block, or dropping the stream) closes its
    connection, which cancels the stream at the daemon and nothing else.

    Without a deadline a stream goes on while the daemon lives: after `timeout` seconds of
    silence the client asks the daemon for system.health on the stream's connection, and raises
    LocalDeadlineExceeded when that is not answered within `timeout` either."""

    def __init__(self, client: "Client", method: str, params: Optional[Mapping[str, Any]],
                 deadline_ms: Optional[int]) -> None:
        self.method = method
        self.result: Optional[R] = None
        self._timeout = client.timeout
        self._finished = False
        self._probing = False
        self._waiter = _StreamWaiter()
        self._until: Optional[float] = None
        self._wait: Optional[float] = None
        if deadline_ms is not None:
            deadline_ms, self._wait = resolve_deadline(None, deadline_ms)
            assert self._wait is not None
            self._until = time.monotonic() + self._wait
        self._connection = _Connection(client.socket_path, client.timeout, client.max_frame_bytes, None)
        try:
            request = make_request(self._connection.ids.next(), method, params, deadline_ms)
            self.id: RequestId = request["id"]
            self._connection.send(request, self._waiter, None)
        except BaseException:
            self._connection.close()
            raise

    def __iter__(self) -> "Stream[E, R]":
        return self

    def __next__(self) -> E:
        if self._finished:
            raise StopIteration
        while True:
            try:
                kind, value = self._waiter.queue.get(timeout=self._silence_limit())
            except queue.Empty:
                self._on_silence()
                continue
            if kind == "alive":
                self._probing = False
            elif kind == "event":
                return cast(E, value)
            elif kind == "result":
                self.result = cast(R, value)
                self.close()
                raise StopIteration
            else:
                self.close()
                raise cast(PinadsError, value)

    def _silence_limit(self) -> Optional[float]:
        if self._until is not None:
            return max(0.0, self._until - time.monotonic())
        return self._timeout

    def _on_silence(self) -> None:
        if self._until is not None or self._timeout is None:
            self.close()
            raise LocalDeadlineExceeded(self._connection.socket_path, nominal(self._wait), self.id)
        if self._probing:
            self.close()
            raise LocalDeadlineExceeded(self._connection.socket_path, self._timeout, self.id,
                                        what="no sign of life (system.health unanswered)")
        self._probing = True
        probe = make_request(self._connection.ids.next(), "system.health", None, max(1, int(self._timeout * 1000)))
        try:
            self._connection.send(probe, _ProbeWaiter(self._waiter), None)
        except PinadsError:
            pass  # the connection is gone: the stream's waiter has the error

    def wait(self) -> R:
        """Reads the remaining events and returns the final result."""
        for _ in self:
            pass
        return cast(R, self.result)

    def close(self) -> None:
        """Closes the stream's connection (cancelling the stream at the daemon when unfinished)."""
        if not self._finished:
            self._finished = True
            self._connection.close()

    def __enter__(self) -> "Stream[E, R]":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if not self._finished:
                self.close()
        except Exception:
            pass


class Client:
    """A blocking client of pinadsd over one Unix-socket connection, safe to share between
    threads: calls from several threads (or `submit`/`pipeline`) are in flight together on the
    connection and matched by id. It connects at the first call (or `connect()`), and again
    after the connection was lost; `close()` (or leaving the `with` block) closes it.

    `timeout` (seconds; None: none) is the default deadline of every call: sent as
    `deadline_ms`, and the client gives up itself 0.25 s after it (LocalDeadlineExceeded).
    `max_in_flight` holds requests back once that many are in flight (the daemon refuses more
    than its --max-requests-per-connection, 128 by default; None: no limit)."""

    def __init__(self, socket_path: Optional[str] = None, *, timeout: Optional[float] = DEFAULT_TIMEOUT,
                 max_frame_bytes: int = MAX_FRAME_BYTES, max_in_flight: Optional[int] = MAX_IN_FLIGHT) -> None:
        self.socket_path: str = socket_path or default_socket_path()
        self.timeout: Optional[float] = check_timeout(timeout)
        self.max_frame_bytes = max_frame_bytes
        self.max_in_flight = max_in_flight
        self._connection: Optional[_Connection] = None
        self._lock = threading.Lock()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(socket_path={self.socket_path!r}, timeout={self.timeout!r})"

    def connect(self) -> None:
        """Connects now, if not connected. Raises DaemonNotRunning when no daemon listens."""
        self._live_connection()

    def _live_connection(self) -> _Connection:
        with self._lock:
            if self._connection is None or not self._connection.usable:
                if self._connection is not None:
                    self._connection.close()
                self._connection = _Connection(self.socket_path, self.timeout, self.max_frame_bytes,
                                               self.max_in_flight)
            return self._connection

    def close(self) -> None:
        """Closes the connection; the daemon cancels whatever was still in flight on it."""
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    # -- generic calls -------------------------------------------------------------------------

    def submit(self, method: str, params: Optional[Mapping[str, Any]] = None, *,
               deadline_ms: Optional[int] = None) -> PendingCall:
        """Sends a request without waiting for its answer; `.result()` of the returned call waits."""
        return self._submit_on(self._live_connection(), method, params, deadline_ms)

    def _submit_on(self, connection: _Connection, method: str, params: Optional[Mapping[str, Any]],
                   deadline_ms: Optional[int]) -> PendingCall:
        deadline_ms, wait = resolve_deadline(self.timeout, deadline_ms)
        return PendingCall(connection, method, params, deadline_ms, wait, self.max_in_flight is not None)

    def call(self, method: str, params: Optional[Mapping[str, Any]] = None, *,
             deadline_ms: Optional[int] = None) -> Any:
        """Calls a method and returns its `result` (a dict). `params` is sent as given.
        A streaming method's events are read and dropped (use `stream` to see them)."""
        if method in STREAMING_METHODS:
            return self.stream(method, params, deadline_ms=deadline_ms).wait()
        return self.submit(method, params, deadline_ms=deadline_ms).result()

    def pipeline(self, calls: Iterable[Tuple[str, Optional[Mapping[str, Any]]]], *,
                 deadline_ms: Optional[int] = None) -> List[Union[Any, PinadsError]]:
        """Sends every (method, params) before waiting for any answer, all on one connection;
        returns, in the order of `calls`, each result, or the PinadsError that call met (not
        raised). When the connection fails, the calls not yet answered get its error."""
        calls = list(calls)
        try:
            connection = self._live_connection()
        except PinadsError as error:
            return [copy_error(error, None) for _ in calls]
        pending: List[Union[PendingCall, PinadsError]] = []
        for method, params in calls:
            try:
                pending.append(self._submit_on(connection, method, params, deadline_ms))
            except PinadsError as error:
                pending.append(error)
        answers: List[Union[Any, PinadsError]] = []
        for call in pending:
            if isinstance(call, PinadsError):
                answers.append(call)
                continue
            try:
                answers.append(call.result())
            except PinadsError as error:
                answers.append(error)
        return answers

    def stream(self, method: str, params: Optional[Mapping[str, Any]] = None, *,
               deadline_ms: Optional[int] = None) -> Stream[JSONObject, JSONObject]:
        """Starts a streaming method on a connection of its own; iterate the returned Stream."""
        return Stream(self, method, params, deadline_ms)

    # -- typed methods: system and jobs ------------------------------------------------------------

    def health(self, *, deadline_ms: Optional[int] = None) -> HealthResult:
        """system.health: is the daemon up, and what is wrong."""
        return cast(HealthResult, self.call("system.health", None, deadline_ms=deadline_ms))

    def status(self, *, deadline_ms: Optional[int] = None) -> StatusResult:
        """system.status: job counts, connections, services."""
        return cast(StatusResult, self.call("system.status", None, deadline_ms=deadline_ms))

    def methods(self, *, deadline_ms: Optional[int] = None) -> MethodsResult:
        """system.methods: the methods this daemon serves."""
        return cast(MethodsResult, self.call("system.methods", None, deadline_ms=deadline_ms))

    def whoami(self, *, deadline_ms: Optional[int] = None) -> WhoAmIResult:
        """system.whoami: the uid and gid the daemon sees for this client, and its role."""
        return cast(WhoAmIResult, self.call("system.whoami", {}, deadline_ms=deadline_ms))

    def selftest(self, *, steps: Optional[int] = None, step_ms: Optional[int] = None,
                 fail_attempts: Optional[int] = None, deadline_ms: Optional[int] = None) -> JobResult:
        """system.selftest: queues a job that exercises the job machinery (no Pinterest)."""
        params = clean({"steps": steps, "step_ms": step_ms, "fail_attempts": fail_attempts})
        return cast(JobResult, self.call("system.selftest", params, deadline_ms=deadline_ms))

    def get_job(self, job_id: int, *, deadline_ms: Optional[int] = None) -> JobResult:
        """jobs.get."""
        return cast(JobResult, self.call("jobs.get", {"id": job_id}, deadline_ms=deadline_ms))

    def list_jobs(self, *, state: Optional[str] = None, kind: Optional[str] = None, limit: Optional[int] = None,
                  before_id: Optional[int] = None, deadline_ms: Optional[int] = None) -> ListJobsResult:
        """jobs.list: newest first, one page; pass `next_before_id` as `before_id` for the next."""
        params = clean({"state": state, "kind": kind, "limit": limit, "before_id": before_id})
        return cast(ListJobsResult, self.call("jobs.list", params, deadline_ms=deadline_ms))

    def watch_jobs(self, job_ids: Sequence[int], *,
                   deadline_ms: Optional[int] = None) -> Stream[JobEvent, WatchJobsResult]:
        """jobs.watch: a Stream of {"job": …} events until every job has finished; then its
        `result` is {"jobs": [...]}, the final states."""
        return cast(Stream[JobEvent, WatchJobsResult],
                    self.stream("jobs.watch", {"ids": list(job_ids)}, deadline_ms=deadline_ms))

    # -- ad accounts, audiences --------------------------------------------------------------------

    def list_ad_accounts(self, *, connection_id: Optional[int] = None, refresh: Optional[bool] = None,
                         deadline_ms: Optional[int] = None) -> ListAdAccountsResult:
        """ad_accounts.list (`refresh=True` reads them from Pinterest first)."""
        params = clean({"connection_id": connection_id, "refresh": refresh})
        return cast(ListAdAccountsResult, self.call("ad_accounts.list", params, deadline_ms=deadline_ms))

    def add_audience_members(self, audience_id: int, members: Iterable[str], *,
                             deadline_ms: Optional[int] = None) -> MembersChangeResult:
        """audiences.add_members: emails or device ids (plain or SHA-256), at most 100,000 a call."""
        params = {"audience_id": audience_id, "members": list(members)}
        return cast(MembersChangeResult, self.call("audiences.add_members", params, deadline_ms=deadline_ms))

    def remove_audience_members(self, audience_id: int, members: Iterable[str], *,
                                deadline_ms: Optional[int] = None) -> MembersChangeResult:
        """audiences.remove_members."""
        params = {"audience_id": audience_id, "members": list(members)}
        return cast(MembersChangeResult, self.call("audiences.remove_members", params, deadline_ms=deadline_ms))

    def get_audience(self, audience_id: int, *, deadline_ms: Optional[int] = None) -> AudienceResult:
        """audiences.get."""
        return cast(AudienceResult, self.call("audiences.get", {"audience_id": audience_id}, deadline_ms=deadline_ms))

    def list_audiences(self, *, deadline_ms: Optional[int] = None) -> ListAudiencesResult:
        """audiences.list."""
        return cast(ListAudiencesResult, self.call("audiences.list", {}, deadline_ms=deadline_ms))

    def list_activations(self, audience_id: Optional[int] = None, *,
                         deadline_ms: Optional[int] = None) -> ListActivationsResult:
        """audiences.activations: of one audience, or of all."""
        params = clean({"audience_id": audience_id})
        return cast(ListActivationsResult, self.call("audiences.activations", params, deadline_ms=deadline_ms))

    def sync_audience(self, audience_id: int, *, ad_account_id: Optional[str] = None,
                      deadline_ms: Optional[int] = None) -> SyncAudiencesResult:
        """audiences.sync: queues a sync job per activation (follow them with watch_jobs)."""
        params = clean({"audience_id": audience_id, "ad_account_id": ad_account_id})
        return cast(SyncAudiencesResult, self.call("audiences.sync", params, deadline_ms=deadline_ms))

    # -- campaigns -----------------------------------------------------------------------------

    def list_campaigns(self, *, ad_account_id: Optional[str] = None,
                       deadline_ms: Optional[int] = None) -> ListCampaignsResult:
        """campaigns.list."""
        params = clean({"ad_account_id": ad_account_id})
        return cast(ListCampaignsResult, self.call("campaigns.list", params, deadline_ms=deadline_ms))

    def get_campaign(self, campaign_id: int, *, refresh: Optional[bool] = None,
                     deadline_ms: Optional[int] = None) -> CampaignDetail:
        """campaigns.get: the campaign with its ad groups and ads (`refresh=True`: from Pinterest)."""
        params = clean({"campaign_id": campaign_id, "refresh": refresh})
        return cast(CampaignDetail, self.call("campaigns.get", params, deadline_ms=deadline_ms))

    def campaign_metrics(self, from_date: DateLike, to_date: DateLike, *, campaign_id: Optional[int] = None,
                         level: Optional[str] = None, ad_group_id: Optional[int] = None,
                         deadline_ms: Optional[int] = None) -> CampaignMetricsResult:
        """campaigns.metrics: daily rows from `from_date` to `to_date` (inclusive, UTC), and totals."""
        params = clean({"from": _date(from_date), "to": _date(to_date), "campaign_id": campaign_id, "level": level,
                        "ad_group_id": ad_group_id})
        return cast(CampaignMetricsResult, self.call("campaigns.metrics", params, deadline_ms=deadline_ms))

    # -- conversions ---------------------------------------------------------------------------

    def send_conversions(self, events: Iterable[Mapping[str, Any]], *, ad_account_id: Optional[str] = None,
                         test: Optional[bool] = None, deadline_ms: Optional[int] = None) -> SendConversionsResult:
        """conversions.send: 1 to 10,000 events (dicts, sent exactly as given: the daemon rejects an
        event with a field it does not know, by index). Returns accepted, duplicates, rejected."""
        params = clean({"ad_account_id": ad_account_id, "test": test})
        params["events"] = list(events)
        return cast(SendConversionsResult, self.call("conversions.send", params, deadline_ms=deadline_ms))

    def conversion_stats(self, *, ad_account_id: Optional[str] = None,
                         deadline_ms: Optional[int] = None) -> ConversionStats:
        """conversions.stats: the outbox and the delivery."""
        params = clean({"ad_account_id": ad_account_id})
        return cast(ConversionStats, self.call("conversions.stats", params, deadline_ms=deadline_ms))

    def get_conversion(self, event_id: str, *, event_name: Optional[str] = None, ad_account_id: Optional[str] = None,
                       test: Optional[bool] = None, deadline_ms: Optional[int] = None) -> ConversionEventInfo:
        """conversions.get: what became of one event."""
        params = clean({"event_id": event_id, "event_name": event_name, "ad_account_id": ad_account_id, "test": test})
        return cast(ConversionEventInfo, self.call("conversions.get", params, deadline_ms=deadline_ms))

    def list_conversions(self, *, ad_account_id: Optional[str] = None, state: Optional[str] = None,
                         since: Optional[str] = None, test: Optional[bool] = None, limit: Optional[int] = None,
                         after: Optional[int] = None, deadline_ms: Optional[int] = None) -> ListConversionsResult:
        """conversions.list: events in acceptance order, one page; pass `next_after` as `after`."""
        params = clean({"ad_account_id": ad_account_id, "state": state, "since": since, "test": test, "limit": limit,
                        "after": after})
        return cast(ListConversionsResult, self.call("conversions.list", params, deadline_ms=deadline_ms))
