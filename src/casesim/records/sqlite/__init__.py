"""The SQLite backend of the record store, by job.

* :mod:`.open` — opening a file safely (a foreign or damaged file is left untouched) and SQLite
  errors in words a trainee can act on;
* :mod:`.schema` — the schema, its versioned migrations, and creating or upgrading a file;
* :mod:`.store` — :class:`SQLiteStore`: transactions, writes (rows from
  :mod:`casesim.records.ledger`, persisted under ``BEGIN IMMEDIATE``) and simple reads;
* :mod:`.queries` — report queries (the item analysis's count and replay) and loading rows for
  :mod:`casesim.records.verify`.

Everything SQLite-specific in casesim lives in this package; callers reach it through
:func:`casesim.records.open_store` and the :class:`~casesim.records.api.RecordStore` protocol.
"""

from __future__ import annotations

from casesim.records.sqlite.store import SQLiteStore

__all__ = ["SQLiteStore"]
