"""What a store was before assignments, roles, the audit log, the outbox, class rosters (issue 14),
cohorts' section and term and the stored path of each attempt (issue 13): tests that rebuild an older schema by hand drop these
first, so the newer migrations run again on open."""

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
    # The class rosters of `casesim serve`, and the cohorts' section and term (issue 13).
    conn.execute("DROP TABLE class_members")
    conn.execute("DROP TABLE class_rosters")
    conn.execute("DROP TABLE cohort_details")
    conn.execute("ALTER TABLE attempts DROP COLUMN section")
    conn.execute("ALTER TABLE attempts DROP COLUMN term")
    conn.execute("DELETE FROM meta WHERE key = 'section_term_stamped_since'")
    conn.execute("DROP INDEX attempts_paths")  # the paths reports read (casesim.records.paths)
    conn.execute("DROP INDEX attempts_unstamped")
    conn.execute("ALTER TABLE attempts DROP COLUMN path")
