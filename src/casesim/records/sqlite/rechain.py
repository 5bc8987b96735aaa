"""Schema 4: build each trainee's chain over everything in a store written before it existed.

Stores of schema 1-3 chained attempts by their start only; events and seals hung off each attempt
and nothing folded them back into the trainee's head. This step links, per trainee, their profile,
then each attempt (in the trainee's order) with its events and its seal, and stores the heads.
Attempt, event and seal hashes are kept as they are, so every check they supported still runs.

It runs once, inside the migration's transaction. What the old chains showed just before is
kept in ``meta`` (``rechained_at``, ``rechained_from_schema``, ``rechain_problems``) and reported
by ``records verify`` for ever after: re-chaining an edited record must not launder the edit.
The roster (every trainee, in the order added) is built in creation-time order.
Interleaved attempts of one trainee are linked attempt by attempt (their true write order was
not recorded before), which changes nothing a head proves.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from casesim.records import ledger
from casesim.records.chain import LinkKind, roster_digest, roster_genesis, sha256_text
from casesim.records.keys import UNKEYED

__all__ = ["rechain"]


def _links(conn: sqlite3.Connection, trainee_id: str, profile: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...],
                                                                                              LinkKind, Any]]:
    """(links row without trainee and position, link kind, value) in chain order."""
    yield (None, None, json.dumps(profile, sort_keys=True, separators=(",", ":"), ensure_ascii=False)), \
        "profile", profile
    rows = conn.execute("SELECT a.n, a.hash, a.seal, e.seq, e.hash FROM attempts a "
                        "LEFT JOIN events e ON e.attempt_n = a.n WHERE a.trainee_id = ? "
                        "ORDER BY a.trainee_seq, a.n, e.seq", (trainee_id,))
    current: int | None = None
    seal: str | None = None
    for n, attempt_hash, attempt_seal, seq, event_hash in rows:
        if n != current:
            if current is not None and seal is not None:
                yield (current, -1, None), "seal", seal
            current, seal = n, attempt_seal
            yield (n, 0, None), "start", attempt_hash
        if seq is not None:
            yield (n, seq, None), "event", event_hash
    if current is not None and seal is not None:
        yield (current, -1, None), "seal", seal


def rechain(conn: sqlite3.Connection, *, from_schema: int, now: str) -> None:
    """Link every trainee's record into their chain and note the re-chain in ``meta``."""
    conn.execute("INSERT INTO meta(key, value) VALUES ('chain_mode', ?) ON CONFLICT(key) DO NOTHING", (UNKEYED,))
    if from_schema == 0:
        return  # a new store: nothing to re-chain
    trainees = conn.execute("SELECT id, display_name, cohort, created_at FROM trainees ORDER BY id").fetchall()
    linked = 0
    for trainee_id, name, cohort, created_at in trainees:
        chain = ledger.first_chain(trainee_id)
        batch: list[tuple[Any, ...]] = []
        items: list[tuple[LinkKind, Any]] = []
        for pos, (row, kind, value) in enumerate(_links(conn, trainee_id, ledger.profile_value(name, cohort,
                                                                                                created_at)), 1):
            batch.append((trainee_id, pos, *row))
            items.append((kind, value))
        chain = ledger.advance(chain, items)
        conn.executemany("INSERT INTO links(trainee_id, pos, attempt_n, seq, profile) VALUES (?, ?, ?, ?, ?)", batch)
        conn.execute("UPDATE trainees SET link_count = ?, chain_head = ? WHERE id = ?",
                     (chain.link_count, chain.head, trainee_id))
        linked += len(batch)
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('store_id', 'pseudonym_key')").fetchall())
    roster = roster_genesis(str(meta.get("store_id", "")), sha256_text(str(meta.get("pseudonym_key", ""))))
    order = conn.execute("SELECT id FROM trainees ORDER BY created_at, id").fetchall()
    for pos, (trainee_id,) in enumerate(order, 1):
        roster = roster_digest(roster, trainee_id)
        conn.execute("UPDATE trainees SET roster_pos = ? WHERE id = ?", (pos, trainee_id))
    conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     [("roster_head", roster), ("roster_count", str(len(order)))])
    from casesim.records.sqlite.queries import verify

    problems = [p.message for p in verify(conn, None)]
    conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     [("rechained_at", now), ("rechained_from_schema", str(from_schema)),
                      ("rechained_links", str(linked)),
                      ("rechain_problems", json.dumps(problems, ensure_ascii=False))])
