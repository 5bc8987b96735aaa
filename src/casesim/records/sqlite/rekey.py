"""``casesim records rekey``: switch a store to keyed mode, or change its record key.

Every hash of a store depends on its key (:mod:`casesim.records.chain`), so a new key means new
hashes everywhere: each attempt, event and seal, each trainee's chain over everything, the roster
and the key check. This runs in one transaction, and only on a store that verifies with its
current key (re-sealing a record that was edited would launder the edit: the store is refused
instead). Then every trainee's chain gets one more link, a profile link whose value is
``{"rekey": {at, from, to, old_store_head}}``, so the change is recorded in the chain itself and
the head under the old key stays findable in it; ``meta`` keeps ``rekeyed_at``, ``rekeyed_count``
and ``rekeyed_from_head``. The store is verified again with the new key before it commits.

Heads printed before a rekey (on signed PDFs) no longer match the store's heads: check such a
head against a backup taken before the rekey, or note the old store head printed by the command.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from casesim.errors import StoreCorruptError, StoreError
from casesim.records import keys
from casesim.records.chain import (
    attempt_digest,
    audit_digest,
    audit_genesis,
    canonical_json,
    event_digest,
    genesis,
    link_digest,
    roster_digest,
    roster_genesis,
    seal_digest,
    sha256_text,
)
from casesim.records.sqlite import queries

__all__ = ["rekey"]


def _store_head(conn: sqlite3.Connection, store_id: str, key: bytes | None) -> str:
    return queries.store_head(conn, store_id, key)


def _rekey_audit(conn: sqlite3.Connection, store_id: str, new_key: bytes) -> None:
    """Re-link the audit chain with the new key (its entries unchanged, their hashes new)."""
    head = audit_genesis(store_id, new_key)
    count = 0
    for entry in queries.audit_entries(conn):
        head = audit_digest(head, entry.value(), new_key)
        count = entry.seq
        conn.execute("UPDATE audit SET hash = ? WHERE seq = ?", (head, entry.seq))
    if count:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (head,))


def rekey(conn: sqlite3.Connection, *, store_id: str, old_key: bytes | None, new_key: bytes, now: str,
          old_mode: str) -> tuple[str, str]:
    """Re-hash everything with ``new_key`` inside the caller's write transaction; returns the
    store head before (old key) and after (new key). Raises StoreCorruptError when the store
    does not verify with its current key."""
    problems = queries.verify(conn, None, None, key=old_key)
    if problems:
        raise StoreCorruptError(f"the store does not verify with its current key ({len(problems)} problem(s); the "
                                f"first: {problems[0].message}); re-sealing it would hide that, so it was not rekeyed",
                                title="rekey refused", hint="run `casesim records verify` and restore a backup first")
    before = _store_head(conn, store_id, old_key)
    attempts = queries.chain_attempts(conn)
    hashes: dict[tuple[int, int], str] = {}  # (attempt n, 0 start | seq | -1 seal) -> new hash
    heads: dict[str, tuple[int, str]] = {}
    for n, a in attempts.items():
        prev = heads.get(a.trainee_id, (0, genesis(a.trainee_id, new_key)))[1]
        digest = attempt_digest(prev, a.header(), new_key)
        head = digest
        count = 0
        for seq, kind, at, payload in conn.execute("SELECT seq, kind, at, payload FROM events WHERE attempt_n = ? "
                                                   "ORDER BY seq", (n,)).fetchall():
            head = event_digest(head, a.id, int(seq), kind, at, json.loads(payload), new_key)
            hashes[(n, int(seq))] = head
            count = int(seq)
            conn.execute("UPDATE events SET hash = ? WHERE attempt_n = ? AND seq = ?", (head, n, seq))
        seal = None
        if a.status != "in-progress":
            seal = seal_digest(head, status=a.status, ended_at=a.ended_at, passed=a.passed, share=a.share,
                               event_count=count,
                               debrief_sha256=sha256_text(a.debrief) if a.debrief is not None else None, key=new_key)
            hashes[(n, -1)] = seal
        hashes[(n, 0)] = digest
        conn.execute("UPDATE attempts SET prev_hash = ?, hash = ?, head_hash = ?, seal = ? WHERE n = ?",
                     (prev, digest, head, seal, n))
        heads[a.trainee_id] = (a.trainee_seq, digest)
    note = {"rekey": {"at": now, "from": old_mode, "to": keys.KEYED, "old_store_head": before}}
    for (tid,) in conn.execute("SELECT id FROM trainees ORDER BY id").fetchall():
        count, head_hash = heads.get(tid, (0, genesis(tid, new_key)))
        chain = genesis(tid, new_key)
        pos = 0
        for position, n, seq, profile in conn.execute("SELECT pos, attempt_n, seq, profile FROM links WHERE trainee_id = ? "
                                                 "ORDER BY pos", (tid,)).fetchall():
            pos = int(position)
            if n is None:
                chain = link_digest(chain, "profile", json.loads(profile), new_key)
            else:
                link: Any = "start" if seq == 0 else "seal" if seq < 0 else "event"
                chain = link_digest(chain, link, hashes[(int(n), int(seq))], new_key)
        conn.execute("INSERT INTO links(trainee_id, pos, attempt_n, seq, profile) VALUES (?, ?, NULL, NULL, ?)",
                     (tid, pos + 1, canonical_json(note)))
        chain = link_digest(chain, "profile", note, new_key)
        conn.execute("UPDATE trainees SET attempt_count = ?, head_hash = ?, link_count = ?, chain_head = ? WHERE id = ?",
                     (count, head_hash, pos + 1, chain, tid))
    pseudonym = conn.execute("SELECT value FROM meta WHERE key = 'pseudonym_key'").fetchone()
    roster = roster_genesis(store_id, sha256_text(str(pseudonym[0]) if pseudonym else ""), new_key)
    for (tid,) in conn.execute("SELECT id FROM trainees ORDER BY roster_pos, id").fetchall():
        roster = roster_digest(roster, str(tid), new_key)
    _rekey_audit(conn, store_id, new_key)
    previous = dict(conn.execute("SELECT key, value FROM meta WHERE key = 'rekeyed_count'").fetchall())
    conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     [("roster_head", roster), ("chain_mode", keys.KEYED),
                      ("key_check", keys.key_check(new_key, store_id)), ("rekeyed_at", now),
                      ("rekeyed_count", str(int(previous.get("rekeyed_count", "0")) + 1)),
                      ("rekeyed_from_head", before)])
    after_problems = queries.verify(conn, None, None, key=new_key)
    if after_problems:  # pragma: no cover - a bug here must never commit
        raise StoreError(f"rekeying failed its own check ({after_problems[0].message}); nothing was changed",
                         title="rekey failed")
    return before, _store_head(conn, store_id, new_key)
