"""What a store was before assignments, roles, the audit log and the outbox (issue 14): tests
that rebuild an older schema by hand drop these first, so the newer migrations run again on open."""

from __future__ import annotations

import sqlite3

__all__ = ["drop_program_schema"]


def drop_program_schema(conn: sqlite3.Connection) -> None:
    """Drop the program migration's index, column, tables and meta notes (inside the caller's connection)."""
    conn.execute("DROP INDEX attempts_by_assignment")
    conn.execute("ALTER TABLE attempts DROP COLUMN assignment")
    for table in ("assignments", "roles", "audit"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DELETE FROM meta WHERE key IN ('audit_count', 'audit_head', 'audit_since', 'audit_from_schema')")
    # The xAPI outbox (issue 14 item 6) came in the same wave: an older store had none either.
    conn.execute("DROP TABLE outbox")
    conn.execute("DELETE FROM meta WHERE key LIKE 'outbox%'")
