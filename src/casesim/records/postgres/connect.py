"""Connecting to PostgreSQL, and its errors in words a trainee or an administrator can act on.

Every message names the database by its URL *without* the password
(:class:`~casesim.database_url.DatabaseUrl`), and any text from the driver or the server is
scrubbed of the password too, since a libpq parse error can quote the part of the URL it choked on.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import errors as pg_errors

from casesim.database_url import DatabaseUrl
from casesim.errors import StoreError

__all__ = ["Conn", "configure", "connect", "scrub", "translate"]

Conn = psycopg.Connection[tuple[Any, ...]]

LOCK_TIMEOUT_SECONDS = 15.0
"""How long a write waits for another writer's lock on the same trainee before it gives up (as
long as the SQLite store waits for its file lock)."""


def scrub(text: str, url: DatabaseUrl) -> str:
    """``text`` with the URL's password (as written, and decoded) replaced by ``***``."""
    secret = url.secret_url
    try:
        netloc = urlsplit(secret).netloc
    except ValueError:
        netloc = secret.split("://", 1)[-1].split("/", 1)[0]
    auth = netloc.rsplit("@", 1)[0] if "@" in netloc else ""
    raw = auth.split(":", 1)[1] if ":" in auth else ""
    for value in sorted({raw, unquote(raw)} - {""}, key=len, reverse=True):
        text = text.replace(value, "***")
    for part in secret.split("?", 1)[-1].split("&") if "?" in secret else []:
        name, _, value = part.partition("=")
        if name.lower() in ("password", "sslpassword") and value:
            text = text.replace(value, "***").replace(unquote(value), "***")
    return text


def _message(exc: BaseException, url: DatabaseUrl) -> str:
    first = str(exc).strip().splitlines()
    return scrub(first[0] if first else type(exc).__name__, url)


def translate(exc: psycopg.Error, url: DatabaseUrl, action: str) -> StoreError:
    """A StoreError that says what happened to ``action`` and what to do, never the password."""
    where = str(url)
    text = _message(exc, url)
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return StoreError(f"the database user may not do this in {where} ({text}): {action} failed",
                          title="records: permission denied",
                          hint="connect as a role granted what `docs/records.md` (PostgreSQL roles) lists")
    if isinstance(exc, pg_errors.ReadOnlySqlTransaction):
        return StoreError(f"the records database {where} is read-only: {action} was not saved",
                          title="records: read-only", hint="connect to the primary server, not a replica")
    if isinstance(exc, pg_errors.DiskFull):
        return StoreError(f"the disk of the database server for {where} is full: {action} was not saved",
                          title="records: disk full",
                          hint="ask the database administrator to free space; nothing already saved was lost")
    if isinstance(exc, pg_errors.LockNotAvailable | pg_errors.QueryCanceled | pg_errors.DeadlockDetected
                  | pg_errors.SerializationFailure):
        return StoreError(f"the records database {where} stayed busy with another writer: {action} was not saved "
                          f"({text})", title="records: busy",
                          hint="try again; if it persists, ask the database administrator what holds the lock")
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return StoreError(f"cannot reach the records database {where} ({text}): {action} failed",
                          title="records unavailable",
                          hint="check the URL, that the server is running, and the user's password (PGPASSWORD "
                               "or ~/.pgpass keep it out of the URL)")
    return StoreError(f"{action} failed in {where}: {text}", title="records error")


def configure(conn: Conn, *, readonly: bool) -> None:
    """What every connection of the store sets once: its schema, durable commits (a server
    configured with ``synchronous_commit = off`` would otherwise lose the last choices in a
    crash), a bounded lock wait, and for a read-only store a server-enforced read-only session."""
    conn.execute("SET search_path TO casesim, pg_catalog")
    conn.execute("SET synchronous_commit TO on")
    conn.execute(f"SET lock_timeout TO '{int(LOCK_TIMEOUT_SECONDS * 1000)}ms'")
    conn.execute("SET TIME ZONE 'UTC'")
    if readonly:
        conn.execute("SET default_transaction_read_only TO on")


def connect(url: DatabaseUrl, action: str, *, connect_timeout: int = 15) -> Conn:
    """One autocommit connection (the store begins its own transactions), or a clear StoreError."""
    try:
        return psycopg.connect(url.secret_url, autocommit=True, connect_timeout=connect_timeout,
                               application_name="casesim")
    except psycopg.Error as exc:
        raise translate(exc, url, action) from None
    except ValueError as exc:  # a malformed URL (libpq's parser)
        raise StoreError(f"the records URL {url} cannot be read: {scrub(str(exc), url)}",
                         title="records unavailable",
                         hint="write it as postgresql://USER@HOST:PORT/DATABASE") from None
