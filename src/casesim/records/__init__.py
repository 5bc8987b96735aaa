"""The practicum record: attempts, events, hash chain, resume, reports and exports.

Open the store with :func:`open_store`; everything else uses the
:class:`~casesim.records.api.RecordStore` interface, whichever backend holds the records (an
SQLite file, or PostgreSQL for a whole program). Where the records live is a setting (``--db``,
``CASESIM_DB``, the config file, else ``casesim.db`` in the data folder): see :mod:`casesim.settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from casesim.database_url import DatabaseUrl, is_database_url
from casesim.errors import StoreError
from casesim.lazy import lazy_exports
from casesim.records.chain import WallClock, utc_now

if TYPE_CHECKING:
    from casesim.records.api import (
        EVENT_KINDS,
        AttemptRow,
        AttemptStatus,
        CompetencyPoint,
        CriterionRow,
        EventKind,
        EventRow,
        RecordStore,
        TraineeRow,
        VerifyProblem,
        effective_path,
        effective_steps,
    )

# Imported when first used (casesim.lazy): opening the store must not load every record type.
__getattr__ = lazy_exports(__name__, {
    "EVENT_KINDS": "casesim.records.api",
    "AttemptRow": "casesim.records.api",
    "AttemptStatus": "casesim.records.api",
    "CompetencyPoint": "casesim.records.api",
    "CriterionRow": "casesim.records.api",
    "EventKind": "casesim.records.api",
    "EventRow": "casesim.records.api",
    "RecordStore": "casesim.records.api",
    "TraineeRow": "casesim.records.api",
    "VerifyProblem": "casesim.records.api",
    "effective_path": "casesim.records.api",
    "effective_steps": "casesim.records.api",
})

__all__ = [
    "EVENT_KINDS",
    "AttemptRow",
    "AttemptStatus",
    "CompetencyPoint",
    "CriterionRow",
    "EventKind",
    "EventRow",
    "RecordStore",
    "TraineeRow",
    "VerifyProblem",
    "effective_path",
    "effective_steps",
    "open_store",
]

def open_store(path: str | Path | DatabaseUrl, *, readonly: bool = False, clock: WallClock | None = None,
               key: bytes | None = None) -> RecordStore:
    """Open (creating if needed) the record store at ``path`` (``Settings.db``): an SQLite file,
    or a PostgreSQL database given as a ``postgresql://`` URL (:mod:`casesim.records.postgres`).

    ``readonly=True`` is for reports, exports and verify: it never creates or changes the store.
    ``clock``: where write times come from (tests pass a fake one); by default the computer's
    clock for a file, and the database server's clock for PostgreSQL, so every writer of a
    shared store stamps times from one clock.
    ``key``: the record key (the CLI reads it from ``--key-file`` or ``CASESIM_RECORD_KEY``); a new
    store created with a key is keyed (:mod:`casesim.records.keys`).
    Raises :class:`~casesim.errors.StoreCorruptError` for a foreign or damaged store (left
    untouched), :class:`~casesim.errors.StoreVersionError` for one from a newer casesim, and
    :class:`~casesim.errors.StoreError` when it cannot be read or written.
    """
    if is_database_url(path):
        from casesim.records.postgres import PostgresStore

        url = path if isinstance(path, DatabaseUrl) else DatabaseUrl(str(path))
        return PostgresStore(url, readonly=readonly, clock=clock, key=key)
    from casesim.records.sqlite import SQLiteStore

    file = Path(str(path)).expanduser()
    _refuse_non_regular(file)
    return SQLiteStore(file, readonly=readonly, clock=clock or utc_now, key=key)


def _refuse_non_regular(file: Path) -> None:
    """A records path that exists must be a regular file (a symbolic link to one is followed, as
    SQLite does). Reading a FIFO's header would wait for a writer forever, and a device or a
    folder is never a store: each is refused at once, before anything opens it."""
    import stat

    try:
        mode = file.stat().st_mode
    except FileNotFoundError:
        return  # a new store
    except OSError as exc:
        raise StoreError(f"cannot read {file}: {exc.strerror}", title="records unavailable",
                         hint="check the path given to --db or CASESIM_DB") from None
    if not stat.S_ISREG(mode):
        kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "not a regular file")
        raise StoreError(f"{file} is {kind}, not a records file; it was not opened", title="records unavailable",
                         hint="give --db (or CASESIM_DB) the path of a records file, or of one to create")
