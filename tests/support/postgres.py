"""A real PostgreSQL server for the tests, started in a temporary folder and stopped afterwards.

The store tests run against this server exactly as against an SQLite file: no mock, no shared
database. :class:`PostgresServer` runs Debian's ``initdb`` and ``pg_ctl`` (found under
``/usr/lib/postgresql/*/bin``) on a fresh data folder, listens on a Unix socket inside that
folder and on 127.0.0.1 at a free port, and creates one empty database per test
(``CREATE DATABASE … TEMPLATE template0``, a few tens of milliseconds).

PostgreSQL refuses to run as root, so when the tests run as root (as CI does) the server runs as
the ``postgres`` user Debian's package creates (else ``nobody``) through ``runuser``, and the
folder is handed to that user. Missing binaries fail loudly with what to run (``make
system-deps``); they are never a silent skip.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["PostgresServer", "find_bin_dir", "run_sql"]

SUPERUSER = "casesim_test"
PASSWORD = "s3cret-test-pw"
"""The superuser's password (TCP logins need it; the Unix socket trusts the local user)."""


def find_bin_dir() -> Path:
    """The newest PostgreSQL's binaries, or an error that says how to install them."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if not found:
        on_path = shutil.which("initdb")
        if on_path:
            return Path(on_path).parent
        raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl) are not installed, and the records "
                           "tests need a real server: run `make system-deps` (Debian package `postgresql`)")
    return Path(found[-1]).parent


def run_sql(url: str, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement at ``url`` as whoever the URL names (autocommit), as that role's own
    client would: the rows it reads, [] for a statement that reads none. A privilege the role
    lacks raises psycopg's own error (``InsufficientPrivilege``), for the role tests to expect."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(statement.encode(), params)
        return cur.fetchall() if cur.description else []


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> str | None:
    """Whom to run the server as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("the tests run as root and PostgreSQL will not; no `postgres` or `nobody` user exists")


class PostgresServer:
    """One throw-away PostgreSQL cluster (use as a context manager, or :meth:`start`/:meth:`stop`)."""

    def __init__(self, *, fsync: bool = True) -> None:
        self.bin = find_bin_dir()
        self.user = _server_user()
        self.root = Path(tempfile.mkdtemp(prefix="casesim-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root  # short: a socket path must stay under 107 bytes
        self.port = _free_port()
        self.fsync = fsync
        self._names = itertools.count(1)
        self._started = False

    # --- running the server's programs -----------------------------------------------------

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.root)
        if check and result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed ({result.returncode}): {result.stderr}{result.stdout}"
                               f"\n{tail}")
        return result

    def start(self) -> PostgresServer:
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        os.chmod(self.root, 0o700)
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self.user is not None:
            os.chown(pwfile, pwd.getpwnam(self.user).pw_uid, -1)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--pwfile", str(pwfile), "-E", "UTF8",
                  "--locale", "C", "--auth-local", "trust", "--auth-host", "scram-sha-256", "--no-sync")
        pwfile.unlink()
        options = (f"-k {self.socket_dir} -p {self.port} -h 127.0.0.1 -c fsync={'on' if self.fsync else 'off'} "
                   "-c max_connections=120 -c shared_buffers=64MB")
        self._run("pg_ctl", "start", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.root / "server.log"),
                  "-o", options)
        self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w", check=False)
            self._started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- databases and URLs ----------------------------------------------------------------

    def url(self, database: str = "postgres", *, tcp: bool = False, user: str = SUPERUSER,
            password: str | None = None) -> str:
        """A URL for ``database``: over the Unix socket (no password), or TCP on 127.0.0.1."""
        if tcp:
            secret = PASSWORD if password is None and user == SUPERUSER else password
            auth = quote(user, safe="") + (f":{quote(secret, safe='')}" if secret else "")
            return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"
        return f"postgresql://{quote(user, safe='')}@/{database}?host={quote(str(self.socket_dir), safe='')}" \
               f"&port={self.port}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        """Run one statement as the superuser, outside a transaction (CREATE DATABASE needs that)."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(statement.encode())

    def create_database(self, prefix: str = "t", *, template: str = "template0") -> str:
        """A new empty database's name."""
        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_database(self, name: str) -> None:
        with contextlib.suppress(Exception):
            self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
