"""``casesim serve``: the classroom in a browser (and ``serve-session``, the process of one session).

``serve`` runs the web server of :mod:`casesim.cli.serve_web` on one store (``--db``); every
browser session gets its own ``casesim serve-session`` process, started by the server with the
signed-in trainee in its environment. ``serve-session`` is hidden: it refuses to start without that
environment, and a browser can never set it.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import replace
from pathlib import Path

import rich_click as click

from casesim.cli.options import pass_settings, path_option, record_key
from casesim.cli.serve_lrs import lrs_options
from casesim.database_url import DatabaseUrl, is_database_url
from casesim.errors import CaseSimError
from casesim.settings import Settings

__all__ = ["COMMANDS"]


def _server_key(state_dir: Path) -> bytes:
    """The key that signs session cookies: made once, 0600 in the state folder, so sessions
    survive a restart of the server (delete the file to end every session)."""
    path = state_dir / "session-key"
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    try:
        text = path.read_text(encoding="ascii").strip()
        return bytes.fromhex(text)
    except (OSError, ValueError) as exc:
        raise CaseSimError(f"the session key {path} cannot be read: {exc}", title="bad session key",
                           hint="delete the file; a new one is made (everyone signs in again)") from exc


def _child_flags(settings: Settings) -> list[str]:
    """The store and library flags every session's process starts with. A PostgreSQL URL is not
    among them: it may carry a password, which a command line shows to every user of the host
    (``ps``), so it goes in the session's environment instead (:func:`_child_env`)."""
    flags = [] if isinstance(settings.db, DatabaseUrl) else ["--db", str(settings.db)]
    flags += ["--scenarios", str(settings.scenarios_dir), "--scoring", str(settings.frameworks_dir)]
    for folder in settings.catalog_dirs:
        flags += ["--catalog", str(folder)]
    return flags


def _forwarder_db(lrs_db: str | None, settings: Settings) -> Path | DatabaseUrl:
    """The store the LRS forwarder opens: ``--lrs-db`` (a PostgreSQL URL or a file), else serve's."""
    if not lrs_db:
        return settings.db
    return DatabaseUrl(lrs_db) if is_database_url(lrs_db) else Path(lrs_db).expanduser()


def _child_env(settings: Settings) -> dict[str, str]:
    """``CASESIM_DB`` with the whole URL (password included) for a PostgreSQL store: only the
    session's process sees its environment."""
    return {"CASESIM_DB": settings.db.secret_url} if isinstance(settings.db, DatabaseUrl) else {}


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="the address to listen on")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="the port to listen on")
@click.option("--public-url", default=None, metavar="URL",
              help="the address browsers use (e.g. https://casesim.example.edu behind a proxy); "
                   "default: http://HOST:PORT")
@click.option("--trust-header", default=None, metavar="HEADER",
              help="believe this request header as the signed-in user (e.g. X-Forwarded-User from oauth2-proxy), "
                   "only from --trusted-proxy")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True, metavar="ADDRESS",
              help="an address (or network) of the proxy that sets --trust-header (repeatable; default 127.0.0.1 and ::1)")
@click.option("--admin", "admins", multiple=True, metavar="ID", envvar="CASESIM_SERVE_ADMINS",
              help="a user id with the administrator role: every class (repeatable) [env: CASESIM_SERVE_ADMINS, "
                   "separated by spaces]")
@click.option("--session-hours", default=12.0, show_default=True, type=click.FloatRange(0.1, 24 * 30),
              help="how long a sign-in lasts in the browser")
@click.option("--max-sessions", default=200, show_default=True, type=click.IntRange(1, 10_000),
              help="at most this many sessions (processes) at once")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR",
              help="the server's own folder: session key, each trainee's private settings "
                   "(default: serve/ in the data folder)")
@lrs_options
@path_option("db")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@pass_settings
def serve_command(settings: Settings, host: str, port: int, public_url: str | None, trust_header: str | None,
                  trusted_proxies: tuple[str, ...], admins: tuple[str, ...], session_hours: float,
                  max_sessions: int, state_dir: Path | None, lrs_endpoint: str | None, lrs_user: str | None,
                  lrs_password_file: Path | None, lrs_env_password: str | None, lrs_db: str | None,
                  lrs_interval: float, lrs_max_interval: float) -> int:
    """Serve casesim to browsers: a classroom on one store.

    Students sign in with a one-time code from `casesim class add-students` (or through single sign-on
    with --trust-header) and play in the browser; instructors see their classes at /instructor.
    Put it behind a reverse proxy that terminates TLS (docs/deploying.md). With --lrs-endpoint it
    also forwards the store's outbox of xAPI statements to an LRS (`casesim lrs enable` first).
    """
    from aiohttp import web

    from casesim.cli.classroom import class_group
    from casesim.cli.serve_lrs import BackgroundForwarder, check_forwarder_store, lrs_config
    from casesim.cli.serve_web import ADMIN_SECTIONS, ServeConfig, build_app, child_command
    from casesim.records import open_store
    from casesim.records.labels import clean_label

    state = (state_dir or settings.data_dir / "serve").expanduser()
    key = _server_key(state)
    admin_ids = frozenset(clean_label(a, "trainee id", where="--admin") for value in admins for a in value.split())
    config = ServeConfig(child_command=child_command(_child_flags(settings)), child_env=_child_env(settings),
                         state_dir=state,
                         public_url=(public_url or f"http://{host}:{port}").rstrip("/"), session_hours=session_hours,
                         trust_header=trust_header, trusted_proxies=trusted_proxies or ("127.0.0.1", "::1"),
                         admins=admin_ids, max_sessions=max_sessions, live_view="watch" in class_group.commands)
    if host in ("0.0.0.0", "::") and public_url is None:
        raise CaseSimError(f"--host {host} needs --public-url: browsers cannot connect to {host}",
                           title="public URL needed", hint="give the address students type, e.g. --public-url "
                                                           "http://labhost:8000 (or https:// behind a proxy)")
    lrs = lrs_config(lrs_endpoint, lrs_user, lrs_password_file, lrs_env_password)
    _log_to_stderr()
    store_key = record_key()
    store = open_store(settings.db, key=store_key)
    try:
        app = build_app(config, store, key)
        if lrs is not None:
            forwarder_db = _forwarder_db(lrs_db, settings)
            with open_store(forwarder_db, key=store_key) as probe:
                check_forwarder_store(probe)
            BackgroundForwarder(lambda: open_store(forwarder_db, key=store_key), lrs, state_dir=state,
                                interval=lrs_interval, max_interval=lrs_max_interval).attach(app, app[ADMIN_SECTIONS])
        elif store.outbox_settings() is not None:
            click.echo("casesim serve: the store's outbox is on but no --lrs-endpoint was given: statements queue "
                       "until `casesim lrs sync` posts them", err=True)
        click.echo(f"casesim serve: {config.public_url} (store {store.location}); ctrl+c stops it", err=True)
        web.run_app(app, host=host, port=port, print=None, access_log=None)
    finally:
        store.close()
    return 0


def _log_to_stderr() -> None:
    """The server's own messages (sign-ins, refused codes, the LRS forwarder) on its error output,
    where systemd's journal keeps them; the sessions' processes log nothing there."""
    import logging

    logger = logging.getLogger("casesim")
    if any(getattr(h, "_casesim_serve", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._casesim_serve = True  # type: ignore[attr-defined]
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    def detach() -> None:  # when the command ends, however it ends (casesim is also a library)
        logger.removeHandler(handler)
        logger.setLevel(previous)

    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # always, from the command; a direct call (a test) keeps the handler
        ctx.call_on_close(detach)


@click.command("serve-session", hidden=True)
# The signed-in id, set by the server in the session's environment (serve_web.ENV_TRAINEE), never by
# the browser; bound here like every CASESIM_* variable, so nothing else reads the environment.
@click.option("--signed-in-id", "trainee_id", envvar="CASESIM_SERVE_TRAINEE", default=None, hidden=True)
@pass_settings
def serve_session_command(settings: Settings, trainee_id: str | None) -> int:
    """One browser session of `casesim serve` (started by the server, not by people)."""
    from casesim.cli.library import TRAINEE_FILE, load_catalog_for
    from casesim.play.trainee import load_trainee
    from casesim.records import open_store
    from casesim.records.labels import clean_label
    from casesim.tui import OpenLibrary, make_app

    if not trainee_id:
        raise CaseSimError("serve-session is started by `casesim serve` for a signed-in trainee",
                           title="not a served session", hint="run `casesim serve`, or `casesim` to play here")
    trainee_id = clean_label(trainee_id, "trainee id")
    catalog = load_catalog_for(settings)
    trainee_file = settings.data_dir / TRAINEE_FILE
    trainee = replace(load_trainee(trainee_file), name=trainee_id)
    store = open_store(settings.db, key=record_key())
    try:
        app = make_app(catalog=catalog, library_paths=[settings.scenarios_dir], store=store, trainee=trainee,
                       trainee_file=trainee_file, start=OpenLibrary(), keymap=settings.keymap, theme=settings.theme,
                       choice_settle_seconds=settings.choice_settle_seconds, signed_in=True)
        app.run()
    finally:
        store.close()
    return 0


COMMANDS = [serve_command, serve_session_command]
