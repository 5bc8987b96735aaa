"""The practicum record: attempts, events, hash chain, resume, reports and exports.

Open the store with :func:`open_store`; everything else uses the
:class:`~casesim.records.api.RecordStore` interface, so a PostgreSQL backend can follow without
changing callers. Where the database lives, first match wins:

1. the ``path`` argument (the ``--db`` option of every command),
2. the ``CASESIM_DB`` environment variable,
3. ``casesim.db`` in the per-user data directory (``CASESIM_DATA`` overrides that directory).
"""

from __future__ import annotations

import os
from pathlib import Path

from casesim import paths
from casesim.errors import StoreError
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
from casesim.records.chain import Clock, utc_now

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
    "default_db_path",
    "effective_path",
    "effective_steps",
    "open_store",
]

DB_FILE_NAME = "casesim.db"


def default_db_path() -> Path:
    """Where the records live when no ``--db`` is given: ``CASESIM_DB``, else the data directory."""
    override = os.environ.get("CASESIM_DB")
    if override:
        return Path(override).expanduser()
    return paths.data_dir() / DB_FILE_NAME


def open_store(path: str | Path | None = None, *, readonly: bool = False, clock: Clock = utc_now) -> RecordStore:
    """Open (creating if needed) the record store at ``path`` or the default place.

    ``readonly=True`` is for reports, exports and verify: it never creates or changes the file.
    Raises :class:`~casesim.errors.StoreCorruptError` for a foreign or damaged file (left
    untouched), :class:`~casesim.errors.StoreVersionError` for one from a newer casesim, and
    :class:`~casesim.errors.StoreError` when the file cannot be read or written.
    """
    target = default_db_path() if path is None else path
    text = str(target)
    if text.startswith(("postgres://", "postgresql://")):
        raise StoreError("PostgreSQL records are not available in this version of casesim",
                         title="records unavailable", hint="use a database file path for now")
    from casesim.records.sqlite import SQLiteStore

    return SQLiteStore(Path(text).expanduser(), readonly=readonly, clock=clock)
