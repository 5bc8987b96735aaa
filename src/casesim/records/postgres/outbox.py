"""The xAPI outbox on PostgreSQL: statements queued in the transaction of their event.

As on SQLite (:mod:`casesim.records.outbox` says what is queued and why): while the outbox is on
(``meta.outbox_base_iri`` and ``outbox_home_page``, read inside each write, so a store turned on by
another process is honoured from its next write on), every write that makes statements inserts
them into ``outbox`` in its own transaction: a statement is there if and only if its event is.

What differs is who may hold the pseudonym key. The key is in ``casesim_private``, which the role
a student-facing process connects as cannot read (:mod:`.roles`). So the statements are built
here with a placeholder actor name (:data:`~.schema.OUTBOX_ACTOR`) and the outbox's ``BEFORE
INSERT`` trigger, running as the schema's owner, puts the trainee's pseudonym in its place (the
same HMAC as :func:`casesim.records.export.xapi.pseudonym`, in SQL). That role may insert into the
outbox but not read it, so it cannot use the trigger to learn a pseudonym either.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from casesim.records.api import AttemptRow, EventRow, OutboxCounts, OutboxRow, OutboxSettings
from casesim.records.postgres.connect import Conn
from casesim.records.postgres.schema import OUTBOX_ACTOR

if TYPE_CHECKING:  # types only: opening the store must not build the xAPI builders
    from casesim.records.outbox import LiveStatements, QueuedStatement
    from casesim.scoring.debrief import Debrief

__all__ = ["PostgresOutbox"]

_COLUMNS = "seq, id, attempt_id, statement, created_at, sent_at, attempts, last_error"
_SETTINGS = "SELECT key, value FROM meta WHERE key IN ('outbox_base_iri', 'outbox_home_page')"


def _settings(rows: Sequence[tuple[Any, ...]]) -> OutboxSettings | None:
    found = {str(k): str(v) for k, v in rows}
    if len(found) < 2:
        return None
    return OutboxSettings(found["outbox_base_iri"], found["outbox_home_page"])


class PostgresOutbox:
    """The outbox methods of :class:`~casesim.records.postgres.PostgresStore` (a mixin), and the
    hooks its writes call inside their transaction (``_outbox_*``)."""

    _live_cache: LiveStatements | None = None

    if TYPE_CHECKING:  # provided by PostgresStore
        def _write(self, action: str) -> AbstractContextManager[Conn]: ...
        def _read(self, action: str, *, snapshot: bool = False) -> AbstractContextManager[Conn]: ...
        def _now(self, conn: Conn) -> str: ...
        @staticmethod
        def _attempt_row(row: Sequence[Any]) -> AttemptRow: ...
        _ATTEMPT_COLUMNS: str

    # --- settings -------------------------------------------------------------------------

    def configure_outbox(self, settings: OutboxSettings | None) -> None:
        if settings is not None:
            from casesim.records.outbox import check_settings

            check_settings(settings)
        with self._write("changing the LRS outbox settings") as conn:
            conn.execute("DELETE FROM meta WHERE key IN ('outbox_base_iri', 'outbox_home_page')")
            if settings is not None:
                conn.execute("INSERT INTO meta(key, value) VALUES ('outbox_base_iri', %s), ('outbox_home_page', %s)",
                             (settings.base_iri, settings.home_page))

    def outbox_settings(self) -> OutboxSettings | None:
        with self._read("reading the LRS outbox settings") as conn:
            return _settings(conn.execute(_SETTINGS).fetchall())

    # --- the queue ------------------------------------------------------------------------

    def outbox_add(self, statements: Sequence[QueuedStatement]) -> int:
        if not statements:
            return 0
        ids, attempts, texts = (list(c) for c in zip(*statements, strict=True))
        with self._write("queueing statements for the LRS") as conn:
            # ON CONFLICT without a target: a role with INSERT only (no SELECT) may run it.
            added = conn.execute("INSERT INTO outbox(id, attempt_id, statement, created_at) "
                                 "SELECT i, a, s, %s FROM unnest(%s::text[], %s::text[], %s::text[]) "
                                 "WITH ORDINALITY AS q(i, a, s, o) ORDER BY o ON CONFLICT DO NOTHING RETURNING 1",
                                 (self._now(conn), ids, attempts, texts)).fetchall()
        return len(added)

    def outbox_pending(self, limit: int, *, after: int = 0) -> list[OutboxRow]:
        with self._read("reading the LRS outbox") as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE sent_at IS NULL AND seq > %s "
                                "ORDER BY seq LIMIT %s", (after, limit)).fetchall()
        return [OutboxRow(*r) for r in rows]

    def outbox_rows(self, *, after: int = 0, limit: int = 1000) -> list[OutboxRow]:
        with self._read("reading the LRS outbox") as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE seq > %s ORDER BY seq LIMIT %s",
                                (after, limit)).fetchall()
        return [OutboxRow(*r) for r in rows]

    def outbox_mark_sent(self, ids: Sequence[str]) -> None:
        with self._write("marking statements sent") as conn:
            conn.execute("UPDATE outbox SET sent_at = %s WHERE id = ANY(%s) AND sent_at IS NULL",
                         (self._now(conn), list(ids)))

    def outbox_mark_failed(self, ids: Sequence[str], error: str) -> None:
        with self._write("noting a failed post") as conn:
            conn.execute("UPDATE outbox SET attempts = attempts + 1, last_error = %s WHERE id = ANY(%s) "
                         "AND sent_at IS NULL", (error, list(ids)))

    def outbox_counts(self) -> OutboxCounts:
        with self._read("counting the LRS outbox") as conn:
            row = conn.execute("SELECT count(*) FILTER (WHERE sent_at IS NULL AND attempts = 0), "
                               "count(*) FILTER (WHERE sent_at IS NULL AND attempts > 0), "
                               "count(*) FILTER (WHERE sent_at IS NOT NULL) FROM outbox").fetchone()
        assert row is not None
        return OutboxCounts(int(row[0]), int(row[1]), int(row[2]))

    def outbox_prune(self, sent_before: str) -> int:
        with self._write("pruning the LRS outbox") as conn:
            deleted = conn.execute("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < %s RETURNING 1",
                                   (sent_before,)).fetchall()
        return len(deleted)

    # --- queueing inside a write ----------------------------------------------------------

    def _live(self, conn: Conn) -> LiveStatements | None:
        """The statement builder when the outbox is on (read inside the write's transaction)."""
        settings = _settings(conn.execute(_SETTINGS).fetchall())
        if settings is None:
            return None
        if self._live_cache is None or self._live_cache.settings != settings:
            from casesim.records.outbox import LiveStatements

            self._live_cache = LiveStatements(settings, "", actor_name=lambda _trainee: OUTBOX_ACTOR)
        return self._live_cache

    def _queue(self, conn: Conn, rows: Sequence[QueuedStatement]) -> None:
        if not rows:
            return
        now = self._now(conn)
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO outbox(id, attempt_id, statement, created_at) VALUES (%s, %s, %s, %s)",
                            [(sid, attempt_id, text, now) for sid, attempt_id, text in rows])

    def _attempt_by_n(self, conn: Conn, n: int) -> AttemptRow:
        row = conn.execute(f"SELECT {self._ATTEMPT_COLUMNS} FROM attempts WHERE n = %s", (n,)).fetchone()
        assert row is not None  # written in this transaction
        return self._attempt_row(row)

    @staticmethod
    def _events_by_n(conn: Conn, attempt_id: str, n: int, *, below: int | None = None) -> list[EventRow]:
        sql, params = "SELECT seq, kind, at, payload FROM events WHERE attempt_n = %s", [n]
        if below is not None:
            sql += " AND seq < %s"
            params.append(below)
        rows = conn.execute(sql + " ORDER BY seq", params).fetchall()
        return [EventRow(attempt_id, int(seq), kind, at, json.loads(payload)) for seq, kind, at, payload in rows]

    def _outbox_started(self, conn: Conn, n: int) -> None:
        live = self._live(conn)
        if live is not None:
            self._queue(conn, live.started(self._attempt_by_n(conn, n)))

    def _outbox_recorded(self, conn: Conn, n: int, rows: Sequence[EventRow]) -> None:
        live = self._live(conn)
        if live is None or not rows:
            return
        attempt = self._attempt_by_n(conn, n)
        earlier = self._events_by_n(conn, attempt.id, n, below=rows[0].seq) if live.needs_history(rows) else []
        self._queue(conn, live.recorded(attempt, rows, earlier))

    def _outbox_sealed(self, conn: Conn, n: int, debrief_json: str | None) -> None:
        live = self._live(conn)
        if live is None:
            return
        attempt = self._attempt_by_n(conn, n)
        if attempt.imported is not None:
            return  # an import queues all of its statements at once (_outbox_whole)
        from casesim.scoring.debrief import Debrief

        # The debrief as stored (its JSON round trip), so the statements match an export's.
        stored = Debrief.model_validate_json(debrief_json) if debrief_json is not None else None
        self._queue(conn, live.sealed(attempt, stored))

    def _outbox_whole(self, conn: Conn, n: int) -> None:
        live = self._live(conn)
        if live is None:
            return
        attempt = self._attempt_by_n(conn, n)
        row = conn.execute("SELECT debrief FROM attempts WHERE n = %s", (n,)).fetchone()
        debrief: Debrief | None = None
        if row is not None and row[0] is not None:
            from casesim.scoring.debrief import Debrief

            debrief = Debrief.model_validate_json(row[0])
        self._queue(conn, live.whole(attempt, self._events_by_n(conn, attempt.id, n), debrief))
