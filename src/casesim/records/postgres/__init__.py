"""The PostgreSQL backend of the record store, for a whole program sharing one database.

* :mod:`.connect` — connecting (a URL whose password never reaches a message) and PostgreSQL
  errors in words an administrator can act on;
* :mod:`.schema` — the ``casesim`` and ``casesim_private`` schemas and their versioned migrations;
* :mod:`.store` — :class:`PostgresStore`: row locks (``SELECT … FOR UPDATE``), server time, writes
  of the rows :mod:`casesim.records.ledger` returns, and reads;
* :mod:`.classroom` — class rosters, one-time sign-in codes and the live class view's read;
* :mod:`.outbox` — the xAPI outbox, written in the transaction of the event that makes it;
* :mod:`.program` — roles, the audit log, assignments, cohort details and the pseudonym key
  (a mixin of :class:`PostgresStore`);
* :mod:`.queries` — report queries, and the connection :func:`casesim.records.verify.walk_store`
  reads through;
* :mod:`.roles` — the GRANTs for the roles a program's processes connect as;
* :mod:`.migrate` — copying an SQLite store into PostgreSQL, rows and hashes unchanged.

Callers reach it through :func:`casesim.records.open_store` with a ``postgresql://`` URL and the
:class:`~casesim.records.api.RecordStore` protocol, exactly as the SQLite file.
"""

from __future__ import annotations

from casesim.records.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
