"""Post a store's outbox to an LRS: batches, retries with backoff, idempotent, at-least-once.

Delivery rule: a statement is marked sent only after the LRS accepted the post that carried it
(HTTP 200 or 204). Whatever dies in between (this process, the LRS, the network), the statement
stays pending and is posted again by the next sync. Posting again is safe because statement ids
are UUIDv5 of the attempt, event and verb: an LRS stores a statement once per id, answering a
re-post of identical statements with 204 (Ralph: "already stored") or storing only the new ones
of a batch (200). A statement the LRS refuses (400/409/413/422: malformed, or another statement
with its id and different content) is isolated by splitting its batch, marked failed with the
LRS's answer, and skipped for the rest of the sync; the others go on.

Transient failures (refused connections, timeouts, resets, HTTP 429 and 5xx) are retried with
exponential backoff and full jitter (a random wait between 0 and ``base * 2**try``, capped), so
many forwarders that lost the same LRS do not come back in step. When the tries run out the
batch is noted as failed and the sync stops: the LRS is down, later batches would fail the same
way, and the next sync starts where this one stopped. A 401 or 403 stops at once (wrong
credentials do not get better by retrying).

Credentials are never printed or stored: :class:`LrsConfig` keeps the password out of its
``repr`` and every message names the endpoint without its user info.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

from casesim.errors import CaseSimError
from casesim.records.api import OutboxRow, RecordStore

__all__ = ["Backoff", "Forwarder", "ForwarderStatus", "LrsConfig", "LrsError", "SyncReport", "check_endpoint",
           "forward_forever", "forward_in_background", "next_wait"]

XAPI_VERSION = "1.0.3"

_log = logging.getLogger(__name__)


class LrsError(CaseSimError):
    """The LRS cannot be reached or refuses us in a way retrying does not fix."""


def check_endpoint(url: str) -> str:
    """The LRS's xAPI endpoint (e.g. ``https://lrs.example.edu/xAPI``) without a trailing
    ``/statements`` or ``/``, or :class:`LrsError` saying what is wrong with ``url``."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LrsError(f"the LRS endpoint {_safe(url)!r} is not an absolute http(s) URL", title="lrs: bad endpoint",
                       hint="give the xAPI endpoint, e.g. --endpoint https://lrs.example.edu/xAPI")
    if parts.username or parts.password:
        raise LrsError("the LRS endpoint must not carry a user or password", title="lrs: bad endpoint",
                       hint="give them with --user and CASESIM_LRS_PASSWORD (or --password-file) instead")
    if parts.query or parts.fragment:
        raise LrsError("the LRS endpoint must not have a query or fragment (? or #)", title="lrs: bad endpoint",
                       hint="give the xAPI endpoint, e.g. https://lrs.example.edu/xAPI")
    path = parts.path.rstrip("/")
    if path.endswith("/statements"):
        path = path[: -len("/statements")]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _safe(url: str) -> str:
    """``url`` without any user info (never print a password someone put in a URL)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass(frozen=True, slots=True)
class LrsConfig:
    """Where to post and as whom (HTTP Basic auth). ``password`` never appears in a repr."""

    endpoint: str
    username: str
    password: str = field(repr=False)
    version: str = XAPI_VERSION
    timeout: float = 30.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "endpoint", check_endpoint(self.endpoint))
        if not self.username:
            raise LrsError("no LRS user given", title="lrs: no credentials",
                           hint="give --user (or CASESIM_LRS_USER) and CASESIM_LRS_PASSWORD")

    @property
    def statements_url(self) -> str:
        return f"{self.endpoint}/statements"


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with full jitter: try ``n`` (from 0) waits ``uniform(0, min(cap, base * 2**n))``."""

    base: float = 0.5
    cap: float = 30.0
    tries: int = 6
    """Posts of one batch before the sync gives up on the LRS for now."""

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0.0, min(self.cap, self.base * (2 ** attempt)))


@dataclass(slots=True)
class SyncReport:
    """What one sync did. ``stopped`` says why it ended early (None: the outbox was emptied,
    apart from statements the LRS refused)."""

    sent: int = 0
    rejected: int = 0
    retries: int = 0
    posts: int = 0
    seconds: float = 0.0
    stopped: str | None = None
    errors: list[str] = field(default_factory=list)
    """The LRS's answers to refused statements (one per statement, with its id)."""


class _Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class _Down(Exception):
    """The LRS did not accept the batch after every try (transient failures)."""


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return str(response.text)[:300]
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])[:300]
    return str(body)[:300]


def _transport_error(exc: httpx.TransportError, url: str) -> str:
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {url} ({exc})"
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer from {url} in time ({type(exc).__name__})"
    return f"the connection to {url} failed ({type(exc).__name__}: {exc})"


class Forwarder:
    """Posts a store's pending statements to one LRS (:meth:`sync`)."""

    def __init__(self, store: RecordStore, config: LrsConfig, *, batch_size: int = 100,
                 backoff: Backoff | None = None, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None, transport: httpx.BaseTransport | None = None) -> None:
        if batch_size < 1:
            raise ValueError("the batch size must be at least 1")
        self.store = store
        self.config = config
        self.batch_size = batch_size
        self.backoff = backoff or Backoff()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._transport = transport

    def _client(self) -> httpx.Client:
        return httpx.Client(auth=(self.config.username, self.config.password), timeout=self.config.timeout,
                            headers={"X-Experience-API-Version": self.config.version,
                                     "Content-Type": "application/json"},
                            transport=self._transport)

    def sync(self, *, limit: int | None = None) -> SyncReport:
        """Post every pending statement (at most ``limit``), batch by batch in write order.

        Raises :class:`LrsError` for what retrying cannot fix (wrong credentials, no xAPI
        resource at the endpoint); an LRS that stays down ends the sync with ``stopped`` set.
        """
        report = SyncReport()
        started = time.perf_counter()
        cursor = 0
        try:
            with self._client() as client:
                while limit is None or report.sent + report.rejected < limit:
                    size = self.batch_size if limit is None else min(self.batch_size, limit - report.sent - report.rejected)
                    batch = self.store.outbox_pending(size, after=cursor)
                    if not batch:
                        break
                    cursor = batch[-1].seq
                    try:
                        self._deliver(client, batch, report)
                    except _Down as exc:
                        report.stopped = str(exc)
                        break
        finally:
            report.seconds = time.perf_counter() - started
        return report

    def _deliver(self, client: httpx.Client, batch: Sequence[OutboxRow], report: SyncReport) -> None:
        """Post ``batch``; on a refusal split it until each refused statement is alone."""
        try:
            self._post(client, batch, report)
        except _Refused as refused:
            if len(batch) == 1:
                message = f"HTTP {refused.status}: {refused.detail}"
                self.store.outbox_mark_failed([batch[0].id], message)
                report.rejected += 1
                report.errors.append(f"{batch[0].id}: {message}")
                return
            middle = len(batch) // 2
            self._deliver(client, batch[:middle], report)
            self._deliver(client, batch[middle:], report)
            return
        except _Down:
            raise
        self.store.outbox_mark_sent([row.id for row in batch])
        report.sent += len(batch)

    def _post(self, client: httpx.Client, batch: Sequence[OutboxRow], report: SyncReport) -> None:
        body = "[" + ",".join(row.statement for row in batch) + "]"
        url = self.config.statements_url
        last = ""
        for attempt in range(self.backoff.tries):
            if attempt:
                report.retries += 1
                self._sleep(self.backoff.delay(attempt - 1, self._rng))
            report.posts += 1
            try:
                response = client.post(url, content=body.encode("utf-8"))
            except httpx.TransportError as exc:
                last = _transport_error(exc, url)
                continue
            status = response.status_code
            if status in (200, 204):
                return
            if status in (401, 403):
                raise LrsError(f"the LRS at {url} refused the credentials of user {self.config.username!r} "
                               f"(HTTP {status}: {_detail(response)})", title="lrs: not allowed",
                               hint="check --user and CASESIM_LRS_PASSWORD, and that the user may write "
                                    "statements (scope statements/write)")
            if status in (404, 405):
                raise LrsError(f"there is no xAPI statements resource at {url} (HTTP {status})",
                               title="lrs: wrong endpoint",
                               hint="the endpoint is the LRS's xAPI root, e.g. https://lrs.example.edu/xAPI")
            if status in (400, 409, 413, 422):
                raise _Refused(status, _detail(response))
            last = f"HTTP {status} from {url}: {_detail(response)}"
        self.store.outbox_mark_failed([row.id for row in batch], last)
        raise _Down(f"the LRS did not accept a batch after {self.backoff.tries} tries: {last}")


@dataclass(slots=True)
class ForwarderStatus:
    """What a background forwarder (:func:`forward_forever`) is doing, for a server's status page
    and ``casesim lrs status``. Written by the forwarder's thread, read by others: every read goes
    through :meth:`snapshot` (a copy taken under the lock)."""

    endpoint: str = ""
    started_at: float | None = None
    """Wall-clock time (``time.time()``) the loop started."""
    running: bool = False
    last_sync_at: float | None = None
    last_ok_at: float | None = None
    """The last sync that ended with nothing it could send left (the LRS answered)."""
    sent: int = 0
    """Statements the LRS accepted since the loop started."""
    rejected: int = 0
    syncs: int = 0
    failures: int = 0
    """Syncs in a row that ended with the LRS unavailable or an error (0: all well)."""
    last_error: str | None = None
    next_sync_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def snapshot(self) -> ForwarderStatus:
        with self._lock:
            return ForwarderStatus(self.endpoint, self.started_at, self.running, self.last_sync_at, self.last_ok_at,
                                   self.sent, self.rejected, self.syncs, self.failures, self.last_error,
                                   self.next_sync_at)

    def as_dict(self) -> dict[str, object]:
        view = self.snapshot()
        return {name: getattr(view, name) for name in ("endpoint", "started_at", "running", "last_sync_at",
                                                       "last_ok_at", "sent", "rejected", "syncs", "failures",
                                                       "last_error", "next_sync_at")}

    def _update(self, **values: object) -> None:
        with self._lock:
            for name, value in values.items():
                setattr(self, name, value)


def next_wait(interval: float, failures: int, *, max_interval: float, rng: random.Random) -> float:
    """Seconds until the next sync: ``interval`` while the LRS answers; after ``failures`` failed
    syncs in a row, ``interval * 2**failures`` capped at ``max_interval``, with jitter (a random
    half of it may be left out), so forwarders that lost the same LRS do not return in step and a
    long outage costs one try every ``max_interval`` seconds."""
    if failures <= 0:
        return interval
    ceiling = min(max(max_interval, interval), interval * (2 ** min(failures, 30)))
    return rng.uniform(ceiling / 2, ceiling)


def forward_forever(store: RecordStore, config: LrsConfig, *, interval: float = 30.0,
                    stop: threading.Event | None = None, batch_size: int = 100,
                    on_report: Callable[[SyncReport], None] | None = None,
                    on_error: Callable[[CaseSimError], None] | None = None,
                    backoff: Backoff | None = None, max_interval: float = 600.0,
                    status: ForwarderStatus | None = None, rng: random.Random | None = None) -> None:
    """Sync every ``interval`` seconds until ``stop`` is set (for ``casesim serve``: run it in a
    thread, or ``await asyncio.to_thread(forward_forever, ...)``; :func:`forward_in_background`
    does that). Errors (:class:`LrsError`, and a store that cannot be read or written just now)
    are handed to ``on_error`` and the loop goes on: an LRS that is down or misconfigured must
    never stop a classroom. While syncs keep failing (the LRS down, or refusing us) the wait
    between them doubles up to ``max_interval`` (:func:`next_wait`); the first sync that gets
    through goes back to ``interval``. ``backoff`` is each sync's own retry of one batch (a
    blip); ``status`` is kept up to date for a status page. Two forwarders of one store (this
    loop and a cron ``lrs sync``) may post the same statements; the LRS keeps one of each."""
    stop = stop or threading.Event()
    halt = stop
    rng = rng or random.Random()
    status = status if status is not None else ForwarderStatus()

    def wait(seconds: float) -> None:
        halt.wait(seconds)  # a backoff wait ends at once when the server stops

    forwarder = Forwarder(store, config, batch_size=batch_size, backoff=backoff, sleep=wait, rng=rng)
    status._update(endpoint=config.endpoint, started_at=time.time(), running=True)
    failures = 0
    try:
        while not stop.is_set():
            report: SyncReport | None = None
            failure: CaseSimError | None = None
            try:
                report = forwarder.sync()
            except CaseSimError as exc:
                failure = exc
            except Exception as exc:  # a bug must not end a server's forwarding for good: say it, go on
                _log.exception("the LRS forwarder failed unexpectedly; it tries again later")
                failure = LrsError(f"unexpected {type(exc).__name__}: {exc}", title="lrs: forwarder failed")
            error = failure.message if failure is not None else report.stopped if report is not None else None
            failures = failures + 1 if error is not None else 0
            delay = next_wait(interval, failures, max_interval=max_interval, rng=rng)
            now = time.time()
            with status._lock:  # before the callbacks, so what they read is this sync's
                status.syncs += 1
                status.sent += report.sent if report is not None else 0
                status.rejected += report.rejected if report is not None else 0
                status.last_sync_at = now
                status.failures = failures
                if error is None:
                    status.last_ok_at = now
                else:
                    status.last_error = error
                status.next_sync_at = now + delay
            if failure is not None and on_error is not None:
                on_error(failure)
            if report is not None and on_report is not None:
                on_report(report)
            stop.wait(delay)
    finally:
        status._update(running=False, next_sync_at=None)


async def forward_in_background(store: RecordStore, config: LrsConfig, *, interval: float = 30.0,
                                stop: threading.Event | None = None, batch_size: int = 100,
                                on_report: Callable[[SyncReport], None] | None = None,
                                on_error: Callable[[CaseSimError], None] | None = None,
                                backoff: Backoff | None = None, max_interval: float = 600.0,
                                status: ForwarderStatus | None = None) -> None:
    """:func:`forward_forever` in a worker thread, for an asyncio server's task list
    (set ``stop`` to end it; cancelling the task alone leaves the thread to finish its sync)."""
    await asyncio.to_thread(forward_forever, store, config, interval=interval, stop=stop, batch_size=batch_size,
                            on_report=on_report, on_error=on_error, backoff=backoff, max_interval=max_interval,
                            status=status)
