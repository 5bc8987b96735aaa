"""``casesim serve``'s LRS forwarder: the store's outbox posted to an LRS while the class plays.

With ``--lrs-endpoint`` (or ``CASESIM_LRS_ENDPOINT``) the server runs the forwarder of
:mod:`casesim.records.lrs` (:func:`~casesim.records.lrs.forward_in_background`) from its start to
its stop, in a thread of the server process with its own connection to the store. It never
touches the students' sessions: those are processes of their own, which only add rows to the
outbox in the transaction of each event; the forwarder reads them, posts them and marks them sent
in short transactions of its own.

- An LRS that is down costs a few quick retries per sync, then the syncs space out (doubling up
  to ``--lrs-max-interval``) until it answers again, when they go back to ``--lrs-interval``.
  Nothing is lost meanwhile: a statement stays pending until the LRS has accepted it.
- Stopping the server stops the forwarder: a backoff wait ends at once, a post in flight gets
  at most the LRS timeout; a statement whose post was cut short stays pending and is posted
  again by the next sync (the LRS keeps one copy: ids are fixed).
- Its state (last sync, sent, the LRS's last error, next try) is on administrators'
  ``/instructor`` page, in the server's log, and in ``STATE_DIR/lrs-forwarder.json``, which
  ``casesim lrs status`` shows.

Credentials come from flags or the environment and are never shown or written anywhere.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import rich_click as click

from casesim.errors import CaseSimError
from casesim.format.text import visible

if TYPE_CHECKING:  # the options are read at every casesim start: aiohttp and httpx only when serving
    from aiohttp import web

    from casesim.records.api import RecordStore
    from casesim.records.lrs import Backoff, LrsConfig, SyncReport

__all__ = ["STATUS_FILE", "BackgroundForwarder", "check_forwarder_store", "describe_status", "lrs_config",
           "lrs_options", "lrs_password", "read_status"]

log = logging.getLogger(__name__)

STATUS_FILE = "lrs-forwarder.json"
"""In the server's state folder: the forwarder's state, rewritten after every sync."""

FC = TypeVar("FC", bound=Callable[..., Any])


def lrs_options(f: FC) -> FC:
    """The forwarder's options of ``casesim serve`` (the same variables as ``casesim lrs sync``)."""
    options = [
        click.option("--lrs-endpoint", envvar="CASESIM_LRS_ENDPOINT", show_envvar=True, default=None, metavar="URL",
                     help="forward the store's outbox to this LRS (xAPI endpoint, e.g. https://lrs.example.edu/xAPI) "
                          "while serving; turn the outbox on first with `casesim lrs enable`"),
        click.option("--lrs-user", envvar="CASESIM_LRS_USER", show_envvar=True, default=None,
                     help="the LRS user (Basic auth)"),
        click.option("--lrs-password-file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
                     metavar="FILE", help="a file holding the LRS password (else CASESIM_LRS_PASSWORD)"),
        click.option("--lrs-password", "lrs_env_password", envvar="CASESIM_LRS_PASSWORD", hidden=True, default=None,
                     help="(from the environment only: CASESIM_LRS_PASSWORD)"),
        click.option("--lrs-db", envvar="CASESIM_LRS_DB", show_envvar=True, default=None, metavar="URL|FILE",
                     help="the store connection the forwarder uses (default: the store serve uses). On PostgreSQL "
                          "serve connects as the instructor's role, which may read and mark the outbox; a connection "
                          "as the player's role may only queue statements (docs/deploying.md)"),
        click.option("--lrs-interval", type=click.FloatRange(0.2, 3600), default=30.0, show_default=True,
                     metavar="SECONDS", help="how often the forwarder looks for statements to send"),
        click.option("--lrs-max-interval", type=click.FloatRange(1, 24 * 3600), default=600.0, show_default=True,
                     metavar="SECONDS", help="the longest wait between tries while the LRS is down"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def lrs_password(password_file: Path | None, env_password: str | None, *, missing: str, file_option: str) -> str:
    """The LRS password, as ``casesim lrs sync`` and ``casesim serve`` both read it: the password
    file's text (trimmed) when one is given, else ``CASESIM_LRS_PASSWORD`` (``env_password``);
    :class:`CaseSimError` (``missing``, naming ``file_option`` in the hint) when neither has one.
    Never from a visible flag: a command line is shown to every user of the host."""
    password = _read_password_file(password_file, file_option) if password_file is not None else env_password or ""
    if not password:
        raise CaseSimError(missing, title="lrs: no credentials",
                           hint=f"set CASESIM_LRS_PASSWORD or give {file_option} FILE")
    return password


def _read_password_file(path: Path, file_option: str) -> str:
    """The password file's text, trimmed; a file that cannot be read is a clear error, not a traceback."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except UnicodeDecodeError:
        raise CaseSimError(f"{visible(str(path), one_line=True)}: not a text file (UTF-8)",
                           title="lrs: unreadable password file",
                           hint=f"put the password alone on one line of a UTF-8 text file and give it as {file_option}") from None
    except OSError as exc:
        raise CaseSimError(f"{visible(str(path), one_line=True)}: {exc.strerror or exc}",
                           title="lrs: unreadable password file",
                           hint=f"check the path and that you may read it ({file_option})") from None


def lrs_config(endpoint: str | None, user: str | None, password_file: Path | None,
               env_password: str | None) -> LrsConfig | None:
    """The LRS to forward to (None: no ``--lrs-endpoint``), or :class:`CaseSimError` saying what
    is missing, before the server starts (a server that would silently forward nothing is worse
    than one that does not start)."""
    if not endpoint:
        return None
    if not user:
        raise CaseSimError("--lrs-endpoint needs an LRS user", title="lrs: no credentials",
                           hint="give --lrs-user (or CASESIM_LRS_USER) and CASESIM_LRS_PASSWORD or --lrs-password-file")
    password = lrs_password(password_file, env_password, missing="--lrs-endpoint needs the LRS password",
                            file_option="--lrs-password-file")
    from casesim.records.lrs import LrsConfig

    # A short timeout: a post in flight is what a stopping server waits for.
    return LrsConfig(endpoint, user, password, timeout=15.0)


def check_forwarder_store(store: RecordStore) -> None:
    """Refuse to start when the forwarder's connection cannot read the outbox (on PostgreSQL, the
    player's role): a server whose forwarder fails on every sync would look like an LRS outage in
    the log while statements pile up, so it is said before any student signs in."""
    try:
        store.outbox_counts()
        store.outbox_pending(1)
    except CaseSimError as exc:
        raise CaseSimError(f"the LRS forwarder cannot read the outbox at {store.location}: {exc.message}",
                           title="lrs: the forwarder's connection may not forward",
                           hint="give --lrs-db (or CASESIM_LRS_DB) a connection whose role may read and mark the "
                                "outbox (on PostgreSQL the instructor's role; docs/deploying.md)") from exc


class BackgroundForwarder:
    """The forwarder as part of an aiohttp application (:meth:`attach`)."""

    def __init__(self, open_store: Callable[[], RecordStore], config: LrsConfig, *, state_dir: Path,
                 interval: float = 30.0, max_interval: float = 600.0, batch_size: int = 100,
                 backoff: Backoff | None = None) -> None:
        from casesim.records.lrs import Backoff, ForwarderStatus

        self.open_store = open_store
        self.config = config
        self.state_dir = state_dir
        self.interval = interval
        self.max_interval = max_interval
        self.batch_size = batch_size
        # A few quick retries for a blip; a longer outage is the loop's to space out.
        self.backoff = backoff or Backoff(base=0.5, cap=4.0, tries=3)
        self.status = ForwarderStatus(endpoint=config.endpoint)
        self.stop = threading.Event()
        self.store: RecordStore | None = None
        self._was_failing = False

    def attach(self, app: web.Application, sections: list[Callable[[], str]] | None = None) -> None:
        """Start with the application, stop with it; add its section to the administrators' page."""
        app.cleanup_ctx.append(self._lifetime)
        app.on_shutdown.append(self._shutdown)
        if sections is not None:
            sections.append(self.section)

    async def _shutdown(self, app: web.Application) -> None:
        self.stop.set()  # at once, while the sessions' sockets are closed

    async def _lifetime(self, app: web.Application) -> AsyncIterator[None]:
        from casesim.records.lrs import forward_in_background

        store = self.store = self.open_store()
        outbox = store.outbox_settings()
        if outbox is None:
            log.warning("the store's outbox is off: statements are not queued, so there is nothing new to forward "
                        "(run `casesim lrs enable --base-iri URL`; the forwarder picks them up without a restart)")
        log.info("forwarding the outbox to %s every %g s", self.config.endpoint, self.interval)
        task = asyncio.create_task(forward_in_background(
            store, self.config, interval=self.interval, stop=self.stop, batch_size=self.batch_size,
            backoff=self.backoff, max_interval=self.max_interval, status=self.status,
            on_report=self._reported, on_error=self._failed), name="casesim-lrs-forwarder")
        try:
            yield
        finally:
            self.stop.set()
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=self.config.timeout + 5)
            except TimeoutError:
                log.warning("the LRS forwarder did not stop in time; what it was posting stays pending")
            except Exception:  # the loop catches what it can; a crash of the thread itself is said here
                log.exception("the LRS forwarder stopped with an error")
            if task.done():
                store.close()
            self._write_status()
            log.info("the LRS forwarder stopped (%d statement(s) sent since the start)", self.status.sent)

    def _reported(self, report: SyncReport) -> None:
        if report.stopped:
            self._failing(report.stopped)
        else:
            if self._was_failing:
                log.info("the LRS at %s answers again", self.config.endpoint)
            self._was_failing = False
            if report.sent or report.rejected:
                log.info("sent %d statement(s) to the LRS (%d refused, %d post(s), %.1f s)", report.sent,
                         report.rejected, report.posts, report.seconds)
        for error in report.errors[:5]:
            log.warning("the LRS refused a statement: %s", visible(error, one_line=True))
        self._write_status()

    def _failed(self, error: CaseSimError) -> None:
        self._failing(error.message)
        self._write_status()

    def _failing(self, message: str) -> None:
        view = self.status.snapshot()
        wait = (view.next_sync_at - time.time()) if view.next_sync_at else self.interval
        log.warning("the LRS forwarder could not send (%d time(s) in a row; next try in %.0f s): %s",
                    view.failures, max(0.0, wait), visible(message, one_line=True))
        self._was_failing = True

    def _write_status(self) -> None:
        """``lrs-forwarder.json`` in the state folder, replaced whole (a reader never sees half)."""
        data = self.status.as_dict() | {"pid": os.getpid(), "written_at": time.time()}
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, name = tempfile.mkstemp(dir=self.state_dir, prefix=".lrs-forwarder.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(name, self.state_dir / STATUS_FILE)
        except OSError as exc:
            log.warning("cannot write the forwarder's state to %s: %s", self.state_dir, exc)

    def section(self) -> str:
        """The administrators' section: the forwarder's state and the outbox's counts."""
        counts = None
        if self.store is not None:
            try:
                counts = self.store.outbox_counts()
            except CaseSimError as exc:
                log.warning("cannot count the outbox: %s", exc.message)
        lines = describe_status(self.status.as_dict(), now=time.time())
        if counts is not None:
            lines.append(f"Outbox: {counts.pending} pending ({counts.failed} tried and not yet accepted), "
                         f"{counts.sent} sent in all")
        items = "".join(f"<li>{html.escape(visible(line, one_line=True))}</li>" for line in lines)
        return f'<section aria-labelledby="lrs-heading"><h2 id="lrs-heading">LRS forwarding</h2><ul>{items}</ul></section>'


def _ago(then: float, now: float) -> str:
    seconds = max(0, int(now - then))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def _at(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(moment))


def describe_status(data: dict[str, Any], *, now: float) -> list[str]:
    """The forwarder's state (:meth:`ForwarderStatus.as_dict`, or the status file) in plain lines."""
    lines = [f"LRS: {data.get('endpoint') or 'unknown'}"]
    started = data.get("started_at")
    if not data.get("running"):
        lines.append("Forwarder: stopped" + (f" (had started {_at(started)})" if isinstance(started, (int, float))
                                             else ""))
    elif isinstance(started, (int, float)):
        lines.append(f"Forwarder: running since {_at(started)}")
    last, ok = data.get("last_sync_at"), data.get("last_ok_at")
    if not isinstance(last, (int, float)):
        lines.append("Last sync: none yet")
    else:
        lines.append(f"Last sync: {_at(last)} ({_ago(last, now)}); {data.get('sent', 0)} statement(s) sent and "
                     f"{data.get('rejected', 0)} refused since the start")
    failures = data.get("failures") or 0
    if failures:
        since = f"; last answered {_at(ok)}" if isinstance(ok, (int, float)) else "; not reached since the start"
        lines.append(f"LRS unavailable: {failures} sync(s) in a row failed{since}. Last error: "
                     f"{data.get('last_error') or 'unknown'}")
    nxt = data.get("next_sync_at")
    if data.get("running") and isinstance(nxt, (int, float)):
        lines.append(f"Next sync: in {max(0, int(nxt - now))} s")
    return lines


def read_status(state_dir: Path) -> dict[str, Any] | None:
    """The status file ``casesim serve`` keeps in ``state_dir`` (None: none, or unreadable)."""
    try:
        data = json.loads((state_dir / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
