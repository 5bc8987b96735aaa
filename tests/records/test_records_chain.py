"""The 15 tamper cases of the red-team review (H1), on real stores: each is caught by ``verify``
or by ``verify --against`` the head printed before the edit; in a keyed store by verify alone.

Edits are made with plain SQL, and where the review's case says so ("reseal", "rechain"), the
attacker then recomputes every hash with casesim's own code, as someone with a copy of casesim
and write access to the file (but not the record key) can.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.chain import (
    attempt_digest,
    attempt_header,
    event_digest,
    genesis,
    seal_digest,
    sha256_text,
)
from casesim.records.sqlite import SQLiteStore
from casesim.records.sqlite.rechain import rechain
from casesim.records.verify import debrief_results
from casesim.scoring.catalog import Catalog
from support.program_schema import drop_program_schema
from support.records import EXPERT, SECRECY, play

KEY = b"k" * 40


@dataclass
class Built:
    data: bytes
    ids: dict[str, str]
    """Names of the attempts used by the cases -> their ids."""
    trainee_heads: dict[str, str]
    store_head: str


def _build(folder: Path, catalog: Catalog, example: AnalysedScenario, key: bytes | None) -> Built:
    path = folder / "store.db"
    with SQLiteStore(path, key=key) as store:
        store.upsert_trainee("ann", "Ann", "c1")
        store.upsert_trainee("bo", "Bo", "c1")
        ids = {"ann-expert": play(store, example, catalog, "ann", EXPERT),
               "ann-failed": play(store, example, catalog, "ann", SECRECY, mode="assessment"),
               "ann-open": play(store, example, catalog, "ann", EXPERT[:4], finish=False),
               "bo-first": play(store, example, catalog, "bo", EXPERT[:2]),
               "bo-latest": play(store, example, catalog, "bo", EXPERT, mode="assessment"),
               "cy-only": play(store, example, catalog, "cy", EXPERT[:3])}
        assert store.verify() == []
        failed = store.attempt(ids["ann-failed"])
        assert failed.passed is False and store.attempt(ids["ann-expert"]).passed
        built = Built(b"", ids, {t: h for t, (_, h) in store.chain_heads().items()}, store.store_head())
    built.data = path.read_bytes()
    return built


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog, example: AnalysedScenario) -> Built:
    return _build(tmp_path_factory.mktemp("plain"), catalog, example, None)


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog, example: AnalysedScenario) -> Built:
    return _build(tmp_path_factory.mktemp("keyed"), catalog, example, KEY)


# --- the attacker's tools ----------------------------------------------------------------------


def _n(conn: sqlite3.Connection, attempt_id: str) -> int:
    return int(conn.execute("SELECT n FROM attempts WHERE id = ?", (attempt_id,)).fetchone()[0])


def rehash(conn: sqlite3.Connection) -> None:
    """Recompute every hash of the file from its rows as they are now, with casesim's own code
    (no key): attempt chains, event chains, seals, trainee chains and the roster."""
    attempts = conn.execute(
        "SELECT n, id, trainee_id, trainee_seq, scenario_id, scenario_version, content_hash, mode, seed, start_node, "
        "started_at, signoff, status, ended_at, passed, share, debrief, cohort FROM attempts "
        "ORDER BY trainee_id, trainee_seq").fetchall()
    heads: dict[str, tuple[int, str]] = {}
    for (n, aid, tid, seq, sid, version, content, mode, seed, node, started, signoff, status, ended, passed, share,
         debrief, cohort) in attempts:
        prev = heads.get(tid, (0, genesis(tid)))[1]
        header = attempt_header(id=aid, trainee_id=tid, trainee_seq=seq, scenario_id=sid, scenario_version=version,
                                content_hash=content, mode=mode, seed=seed, start_node=node, started_at=started,
                                signoff=json.loads(signoff) if signoff else None, cohort=cohort)
        digest = attempt_digest(prev, header)
        head, count = digest, 0
        for eseq, kind, at, payload in conn.execute("SELECT seq, kind, at, payload FROM events WHERE attempt_n = ? "
                                                    "ORDER BY seq", (n,)).fetchall():
            head = event_digest(head, aid, eseq, kind, at, json.loads(payload))
            count = eseq
            conn.execute("UPDATE events SET hash = ? WHERE attempt_n = ? AND seq = ?", (head, n, eseq))
        seal = None
        if status != "in-progress":
            seal = seal_digest(head, status=status, ended_at=ended, passed=None if passed is None else bool(passed),
                               share=share, event_count=count,
                               debrief_sha256=sha256_text(debrief) if debrief is not None else None)
        conn.execute("UPDATE attempts SET prev_hash = ?, hash = ?, event_count = ?, head_hash = ?, seal = ? WHERE n = ?",
                     (prev, digest, count, head, seal, n))
        heads[tid] = (seq, digest)
    for tid, (count, head) in heads.items():
        conn.execute("UPDATE trainees SET attempt_count = ?, head_hash = ? WHERE id = ?", (count, head, tid))
    conn.execute("DELETE FROM links")
    rechain(conn, from_schema=3, now="2026-12-01T00:00:00.000000Z")
    conn.execute("DELETE FROM meta WHERE key LIKE 'rechain%'")  # and hide that it was done


def copy_outcome(conn: sqlite3.Connection, source: int, target: int) -> None:
    """Give ``target`` the debrief (and result copies) of ``source``: a fail becomes a pass."""
    status, ended, passed, share, debrief = conn.execute(
        "SELECT status, ended_at, passed, share, debrief FROM attempts WHERE n = ?", (source,)).fetchone()
    results = debrief_results(debrief)
    conn.execute("UPDATE attempts SET passed = ?, share = ?, debrief = ?, verdict = ?, decision_seconds = ?, "
                 "reading_seconds = ?, too_fast = ? WHERE n = ?", (passed, share, debrief, *results.outcome, target))
    for table in ("criterion_results", "competency_results"):
        conn.execute(f"DELETE FROM {table} WHERE attempt_n = ?", (target,))
    conn.executemany("INSERT INTO criterion_results VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [(target, cid, *v) for cid, v in results.criteria.items()])
    conn.executemany("INSERT INTO competency_results VALUES (?, ?, ?, ?)",
                     [(target, cid, *v) for cid, v in results.competencies.items()])


def delete_attempt(conn: sqlite3.Connection, n: int) -> None:
    for table in ("events", "criterion_results", "competency_results", "links"):
        conn.execute(f"DELETE FROM {table} WHERE attempt_n = ?", (n,))
    conn.execute("DELETE FROM attempts WHERE n = ?", (n,))


# --- the 15 cases ------------------------------------------------------------------------------

Edit = Callable[[sqlite3.Connection, dict[str, str]], None]


def flip_pass(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    conn.execute("UPDATE attempts SET passed = 1 WHERE id = ?", (ids["ann-failed"],))


def edit_choice(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    n = _n(conn, ids["ann-expert"])
    conn.execute("UPDATE events SET payload = replace(payload, 'explain-role-and-limits', 'promise-total-secrecy'), "
                 "choice = 'promise-total-secrecy' WHERE attempt_n = ? AND choice = 'explain-role-and-limits'", (n,))


def fail_to_pass(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    copy_outcome(conn, _n(conn, ids["ann-expert"]), _n(conn, ids["ann-failed"]))
    rehash(conn)


def expert_path(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    source, target = _n(conn, ids["ann-expert"]), _n(conn, ids["ann-failed"])
    conn.execute("DELETE FROM events WHERE attempt_n = ?", (target,))
    conn.execute("INSERT INTO events SELECT ?, seq, kind, at, node, choice, payload, hash FROM events "
                 "WHERE attempt_n = ?", (target, source))
    copy_outcome(conn, source, target)
    rehash(conn)


def delete_only_attempt_to_genesis(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    delete_attempt(conn, _n(conn, ids["cy-only"]))
    conn.execute("UPDATE trainees SET attempt_count = 0, head_hash = ? WHERE id = 'cy'", (genesis("cy"),))


def delete_latest_attempt_copy_head(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    delete_attempt(conn, _n(conn, ids["bo-latest"]))
    conn.execute("UPDATE trainees SET attempt_count = 1, head_hash = (SELECT hash FROM attempts WHERE id = ?) "
                 "WHERE id = 'bo'", (ids["bo-first"],))


def delete_trainee(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    for n, in conn.execute("SELECT n FROM attempts WHERE trainee_id = 'bo'").fetchall():
        delete_attempt(conn, n)
    conn.execute("DELETE FROM links WHERE trainee_id = 'bo'")
    conn.execute("DELETE FROM trainees WHERE id = 'bo'")


def assessment_to_practice(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    conn.execute("UPDATE attempts SET mode = 'practice' WHERE id = ?", (ids["ann-failed"],))
    rehash(conn)


def forge_trainee(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    source = _n(conn, ids["ann-expert"])
    conn.execute("INSERT INTO trainees(id, display_name, cohort, created_at, attempt_count, head_hash, roster_pos) "
                 "VALUES ('zed', 'Zed', 'c1', '2026-12-01T09:00:00.000000Z', 1, '', 99)")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(attempts)") if r[1] not in ("n", "id", "trainee_id",
                                                                                          "trainee_seq")]
    conn.execute(f"INSERT INTO attempts(id, trainee_id, trainee_seq, {', '.join(columns)}) "
                 f"SELECT 'forged-attempt', 'zed', 1, {', '.join(columns)} FROM attempts WHERE n = ?", (source,))
    forged = _n(conn, "forged-attempt")
    conn.execute("INSERT INTO events SELECT ?, seq, kind, at, node, choice, payload, hash FROM events "
                 "WHERE attempt_n = ?", (forged, source))
    copy_outcome(conn, source, forged)
    rehash(conn)


def truncate_open_attempt(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    n = _n(conn, ids["ann-open"])
    last = conn.execute("SELECT max(seq) FROM events WHERE attempt_n = ?", (n,)).fetchone()[0]
    conn.execute("DELETE FROM events WHERE attempt_n = ? AND seq > ?", (n, last - 2))
    conn.execute("UPDATE attempts SET event_count = ?, head_hash = (SELECT hash FROM events WHERE attempt_n = ? "
                 "AND seq = ?) WHERE n = ?", (last - 2, n, last - 2, n))


def delete_last_event_reseal(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    n = _n(conn, ids["ann-expert"])
    conn.execute("DELETE FROM events WHERE attempt_n = ? AND seq = (SELECT max(seq) FROM events WHERE attempt_n = ?)",
                 (n, n))
    rehash(conn)


def move_cohort(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    conn.execute("UPDATE trainees SET cohort = 'c2' WHERE id = 'ann'")


def rename(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    conn.execute("UPDATE trainees SET display_name = 'Someone Else' WHERE id = 'ann'")


def pseudonym_key(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    conn.execute("UPDATE meta SET value = ? WHERE key = 'pseudonym_key'", ("ab" * 32,))


def created_at(conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    conn.execute("UPDATE trainees SET created_at = '2020-01-01T00:00:00.000000Z' WHERE id = 'ann'")


# (case, edit, the head printed before that shows it: a trainee's, or "store")
CASES: list[tuple[str, Edit, str]] = [
    ("set passed=1 without rehashing", flip_pass, "ann"),
    ("edit a choice payload without rehashing", edit_choice, "ann"),
    ("fail to pass: copy a debrief, fix the results, reseal", fail_to_pass, "ann"),
    ("rewrite every event as the expert path, rechain, reseal", expert_path, "ann"),
    ("delete a trainee's only attempt; count and head back to genesis", delete_only_attempt_to_genesis, "cy"),
    ("delete the latest attempt; copy the previous stored hash into the head", delete_latest_attempt_copy_head, "bo"),
    ("delete a whole trainee", delete_trainee, "bo"),
    ("change assessment to practice, rechain everything after it", assessment_to_practice, "ann"),
    ("forge a new trainee with a passing attempt", forge_trainee, "store"),
    ("truncate an in-progress attempt (plain SQL)", truncate_open_attempt, "ann"),
    ("delete a completed attempt's last event, reseal", delete_last_event_reseal, "ann"),
    ("move to another cohort", move_cohort, "ann"),
    ("change the display name", rename, "ann"),
    ("change meta.pseudonym_key", pseudonym_key, "store"),
    ("change a trainee's created_at", created_at, "ann"),
]


REHASHED = {fail_to_pass, expert_path, assessment_to_practice, forge_trainee, delete_last_event_reseal}
"""The cases where the attacker recomputes every hash (the rest are plain SQL)."""


def _tampered(tmp_path: Path, built: Built, edit: Edit) -> Path:
    path = tmp_path / "tampered.db"
    path.write_bytes(built.data)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    edit(conn, built.ids)
    conn.execute("COMMIT")
    conn.close()
    return path


def _against(store: SQLiteStore, built: Built, anchor: str) -> bool:
    """Whether the head printed before the edit still matches (what `verify --against` says)."""
    if anchor == "store":
        return store.store_head() == built.store_head
    return store.find_head(built.trainee_heads[anchor]) is not None


def test_the_heads_printed_before_match_the_untouched_store(tmp_path: Path, plain: Built) -> None:
    path = tmp_path / "copy.db"
    path.write_bytes(plain.data)
    with SQLiteStore(path, readonly=True) as store:
        assert store.verify() == []
        assert store.store_head() == plain.store_head
        for trainee, head in plain.trainee_heads.items():
            match = store.find_head(head)
            assert match is not None and match.trainee_id == trainee and match.link == match.links


@pytest.mark.parametrize(("case", "edit", "anchor"), CASES, ids=[c[0] for c in CASES])
def test_each_review_tamper_case_is_caught_without_a_key(tmp_path: Path, plain: Built, case: str, edit: Edit,
                                                         anchor: str) -> None:
    with SQLiteStore(_tampered(tmp_path, plain, edit), readonly=True) as store:
        problems = store.verify()
        against = _against(store, plain, anchor)
    assert problems or not against, f"{case}: verify says intact and the head printed before still matches"
    if edit not in REHASHED:
        assert problems, f"{case}: plain SQL, no hashing, must be caught by verify alone"


@pytest.mark.parametrize(("case", "edit", "anchor"), CASES, ids=[c[0] for c in CASES])
def test_each_review_tamper_case_is_caught_by_verify_alone_in_a_keyed_store(tmp_path: Path, keyed: Built, case: str,
                                                                            edit: Edit, anchor: str) -> None:
    with SQLiteStore(_tampered(tmp_path, keyed, edit), readonly=True, key=KEY) as store:
        assert store.verify(), f"{case}: not caught by verify in a keyed store"


def test_a_head_printed_earlier_still_matches_after_more_is_recorded(tmp_path: Path, plain: Built, catalog: Catalog,
                                                                     example: AnalysedScenario) -> None:
    path = tmp_path / "more.db"
    path.write_bytes(plain.data)
    with SQLiteStore(path) as store:
        play(store, example, catalog, "ann", EXPERT[:2])
        match = store.find_head(plain.trainee_heads["ann"])
        assert match is not None and match.trainee_id == "ann" and match.links > match.link
        assert store.store_head() != plain.store_head  # the store head fixes the store as of when it was printed


def test_a_keyed_store_refuses_a_missing_or_wrong_key(tmp_path: Path, keyed: Built) -> None:
    from casesim.errors import StoreError

    path = tmp_path / "keyed.db"
    path.write_bytes(keyed.data)
    with SQLiteStore(path, readonly=True) as store:
        with pytest.raises(StoreError, match="keyed"):
            store.verify()
        assert store.attempts()  # reading needs no key
    with pytest.raises(StoreError, match="saved only with its record key"):
        SQLiteStore(path)
    with pytest.raises(StoreError, match="not the key"):
        SQLiteStore(path, key=b"x" * 40)


def test_an_unkeyed_store_is_not_written_with_a_key(tmp_path: Path, plain: Built) -> None:
    from casesim.errors import StoreError

    path = tmp_path / "plain.db"
    path.write_bytes(plain.data)
    with pytest.raises(StoreError, match="not a keyed store"):
        SQLiteStore(path, key=KEY)


# --- the migration of a schema 3 store ---------------------------------------------------------


def _downgrade_to_v3(path: Path) -> None:
    """What a schema 3 store holds: the tables and columns of casesim before the trainee chain
    (the v4, v5, v6 and later additions dropped, the meta notes removed, user_version 3)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("BEGIN")
    conn.execute("UPDATE attempts SET cohort = NULL")  # schema 6 stamps cohorts: an older store had none,
    rehash(conn)  # so its attempt hashes are those of headers without one
    conn.execute("DROP TABLE links")
    conn.execute("DROP TABLE accommodations")  # schema 5
    drop_program_schema(conn)  # issue 14 and later (first: an index of it names the cohort column)
    conn.execute("DROP INDEX attempts_by_cohort")  # schema 6
    conn.execute("ALTER TABLE attempts DROP COLUMN cohort")
    conn.execute("ALTER TABLE attempts DROP COLUMN imported")
    for column in ("link_count", "chain_head", "roster_pos"):
        conn.execute(f"ALTER TABLE trainees DROP COLUMN {column}")
    conn.execute("DELETE FROM meta WHERE key IN ('chain_mode', 'roster_head', 'roster_count')")
    conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    conn.execute("PRAGMA user_version = 3")
    conn.execute("COMMIT")
    conn.close()


def test_a_schema_3_store_is_rechained_once_and_says_so(tmp_path: Path, plain: Built) -> None:
    path = tmp_path / "v3.db"
    path.write_bytes(plain.data)
    _downgrade_to_v3(path)
    with pytest.raises(Exception, match="older records schema"):
        SQLiteStore(path, readonly=True)
    with SQLiteStore(path) as store:
        assert store.verify() == []
        info = store.chain_info()
        assert info["rechained_from_schema"] == "3" and info["rechained_at"].startswith("20")
        assert json.loads(info["rechain_problems"]) == []
        assert info["chain_mode"] == "sha256"
        heads = store.chain_heads()
        assert set(heads) == {"ann", "bo", "cy"}
        rechained_at = info["rechained_at"]
    with SQLiteStore(path) as store:  # once: a second open does not re-chain again
        assert store.chain_info()["rechained_at"] == rechained_at
        assert store.chain_heads() == heads


def test_a_schema_3_store_edited_before_the_migration_keeps_saying_so(tmp_path: Path, plain: Built) -> None:
    path = tmp_path / "v3.db"
    path.write_bytes(plain.data)
    _downgrade_to_v3(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE attempts SET passed = 1 WHERE id = ?", (plain.ids["ann-failed"],))
    with SQLiteStore(path) as store:
        problems = store.verify()
        before = json.loads(store.chain_info()["rechain_problems"])
    assert problems and before, "re-chaining must not launder an edit made before it"
    assert [p.message for p in problems] == before


def test_verify_cli_reports_the_mode_the_rechain_and_against(tmp_path: Path, plain: Built) -> None:
    from click.testing import CliRunner

    from casesim.cli.main import cli

    def run_cli(args: list[str]) -> Any:
        return CliRunner().invoke(cli, args, prog_name="casesim")

    path = tmp_path / "v3.db"
    path.write_bytes(plain.data)
    _downgrade_to_v3(path)
    with SQLiteStore(path) as store:  # the head ann's PDF prints after the upgrade
        ann_head = store.chain_heads()["ann"][1]
    result = run_cli(["records", "verify", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "Chain: SHA-256 without a key" in result.output
    assert "Re-chained once on" in result.output and "schema 3" in result.output
    spaced = " ".join(ann_head[i:i + 4] for i in range(0, 64, 4)).upper()
    result = run_cli(["records", "verify", "--db", str(path), "--against", spaced])
    assert result.exit_code == 0, result.output
    assert "trainee ann's head" in result.output
    shutil.copyfile(path, tmp_path / "edited.db")
    conn = sqlite3.connect(tmp_path / "edited.db", isolation_level=None)
    conn.execute("BEGIN")
    assessment_to_practice(conn, plain.ids)
    conn.execute("COMMIT")
    conn.close()
    result = run_cli(["records", "verify", "--db", str(tmp_path / "edited.db"), "--against", spaced])
    assert result.exit_code == 1, result.output
    assert "changed or deleted" in result.output
    result = run_cli(["records", "verify", "--db", str(path), "--against", "12ab"])
    assert result.exit_code == 2 and "64 digits" in result.output

