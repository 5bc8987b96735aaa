"""``casesim records pseudonym-key --import``: give a store the pseudonym key another store uses.

xAPI names each trainee by an HMAC of their id under the store's pseudonym key
(:mod:`casesim.records.export.xapi`), so two campuses' stores, each with its own random key,
name one student two ways, and a program's LRS cannot put their statements together (program
review F8–F11). A program therefore exports one store's key and imports it into the others.

The key is part of what the chain covers: the roster of trainees starts from its SHA-256 and the
store head includes it, so a key changed by hand shows in ``records verify``. Changing it here
runs in one write transaction, only on a store that verifies: the new key is stored, the roster
is recomputed from its new start, and every trainee's chain gets one more link, a note
``{"pseudonym_key": {at, from_sha256, to_sha256, old_store_head}}``, so the change is recorded in
the chain (and the store head before it stays findable). ``meta`` keeps
``pseudonym_changed_at`` and ``pseudonym_changed_count``. The store is verified again before it
commits. Statements exported before the change name trainees by the old key.
"""

from __future__ import annotations

import sqlite3

from casesim.errors import StoreCorruptError, StoreError
from casesim.records.chain import (
    canonical_json,
    link_digest,
    roster_digest,
    roster_genesis,
    sha256_text,
)
from casesim.records.sqlite import queries
from casesim.records.sqlite.rekey import _store_head

__all__ = ["NOTE", "change_pseudonym_key"]

NOTE = "pseudonym_key"
"""The key of the note linked into every trainee's chain when the pseudonym key changes."""


def change_pseudonym_key(conn: sqlite3.Connection, *, store_id: str, key: bytes | None, new: str,
                         now: str) -> tuple[str, str]:
    """Store ``new`` as the pseudonym key inside the caller's write transaction; returns the store
    head before and after. Raises StoreCorruptError when the store does not verify, StoreError
    when ``new`` is the key already."""
    problems = queries.verify(conn, None, None, key=key)
    if problems:
        raise StoreCorruptError(f"the store does not verify ({len(problems)} problem(s); the first: "
                                f"{problems[0].message}); changing its pseudonym key would re-seal that, so it was "
                                "not changed", title="pseudonym key refused",
                                hint="run `casesim records verify` and restore a backup first")
    row = conn.execute("SELECT value FROM meta WHERE key = 'pseudonym_key'").fetchone()
    old = str(row[0]) if row is not None else ""
    if old == new:
        raise StoreError("this store already uses that pseudonym key; nothing was changed",
                         title="pseudonym key unchanged")
    before = _store_head(conn, store_id, key)
    note = {NOTE: {"at": now, "from_sha256": sha256_text(old), "to_sha256": sha256_text(new),
                   "old_store_head": before}}
    for tid, count, head in conn.execute("SELECT id, link_count, chain_head FROM trainees ORDER BY id").fetchall():
        conn.execute("INSERT INTO links(trainee_id, pos, attempt_n, seq, profile) VALUES (?, ?, NULL, NULL, ?)",
                     (tid, int(count) + 1, canonical_json(note)))
        conn.execute("UPDATE trainees SET link_count = ?, chain_head = ? WHERE id = ?",
                     (int(count) + 1, link_digest(str(head), "profile", note, key), tid))
    roster = roster_genesis(store_id, sha256_text(new), key)
    for (tid,) in conn.execute("SELECT id FROM trainees ORDER BY roster_pos, id").fetchall():
        roster = roster_digest(roster, str(tid), key)
    previous = dict(conn.execute("SELECT key, value FROM meta WHERE key = 'pseudonym_changed_count'").fetchall())
    conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     [("pseudonym_key", new), ("roster_head", roster), ("pseudonym_changed_at", now),
                      ("pseudonym_changed_count", str(int(previous.get("pseudonym_changed_count", "0")) + 1))])
    after_problems = queries.verify(conn, None, None, key=key)
    if after_problems:  # pragma: no cover - a bug here must never commit
        raise StoreError(f"changing the pseudonym key failed its own check ({after_problems[0].message}); nothing "
                         "was changed", title="pseudonym key failed")
    return before, _store_head(conn, store_id, key)
