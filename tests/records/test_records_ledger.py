"""The ledger: the chain's write protocol, pure, byte for byte what the store wrote before it existed."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casesim.errors import StoreError
from casesim.records import ledger
from casesim.records.chain import genesis, seal_digest, sha256_text
from casesim.records.sqlite import SQLiteStore
from casesim.records.verify import (
    ChainAttempt,
    ChainEvent,
    ChainTrainee,
    DebriefResults,
    debrief_results,
    verify_attempt,
    verify_trainee,
)

PRE_LEDGER = Path(__file__).resolve().parents[1] / "data" / "records" / "pre-ledger.db"


@pytest.fixture
def pre_ledger(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    copy = tmp_path / "pre-ledger.db"
    shutil.copyfile(PRE_LEDGER, copy)
    conn = sqlite3.connect(copy)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def test_a_store_written_before_the_ledger_still_verifies_clean(tmp_path: Path) -> None:
    copy = tmp_path / "pre-ledger.db"
    shutil.copyfile(PRE_LEDGER, copy)
    with SQLiteStore(copy) as store:  # opening it for writing runs the later migrations
        assert store.verify() == []
        assert {t.id for t in store.trainees()} == {"ann", "bo", "cy"}
        completed = [a for a in store.attempts() if a.status == "completed"]
        # Sealed before the one score: no stored verdict or pace, and their debriefs still read,
        # with the pass figure (never the worst-to-best position) as the score.
        assert completed and all(a.verdict is None and a.pace is None for a in completed)
        for a in completed:
            debrief = store.debrief(a.id)
            assert debrief is not None
            assert debrief.score == pytest.approx(min(1.0, max(0.0, debrief.total_raw / debrief.total_best)))


def test_the_ledger_reproduces_every_digest_the_old_write_path_stored(pre_ledger: sqlite3.Connection) -> None:
    """Replays the stored facts through the ledger: every hash, link, head, seal and result row agrees."""
    trainees = {r["id"]: r for r in pre_ledger.execute("SELECT * FROM trainees")}
    checked = {"attempts": 0, "events": 0, "seals": 0}
    for trainee_id, trainee in trainees.items():
        head = ledger.first_head(trainee_id)
        for a in pre_ledger.execute("SELECT * FROM attempts WHERE trainee_id = ? ORDER BY trainee_seq", (trainee_id,)):
            facts = ledger.AttemptFacts(trainee_id=trainee_id, scenario_id=a["scenario_id"],
                                        scenario_version=a["scenario_version"], content_hash=a["content_hash"],
                                        mode=a["mode"], seed=a["seed"], start_node=a["start_node"])
            started = ledger.start(head, facts, attempt_id=a["id"], started_at=a["started_at"])
            assert (started.attempt.trainee_seq, started.attempt.prev_hash, started.attempt.hash) == \
                (a["trainee_seq"], a["prev_hash"], a["hash"])
            head, attempt_head = started.trainee_head, started.attempt_head
            checked["attempts"] += 1
            for e in pre_ledger.execute("SELECT * FROM events WHERE attempt_n = ? ORDER BY seq", (a["n"],)):
                [event] = ledger.prepare_events([(e["kind"], json.loads(e["payload"]))])
                appended = ledger.append(attempt_head, [event], at=e["at"])
                [record] = appended.events
                assert (record.seq, record.node, record.choice, record.payload_json, record.hash) == \
                    (e["seq"], e["node"], e["choice"], e["payload"], e["hash"])
                attempt_head = appended.head
                checked["events"] += 1
            assert (attempt_head.event_count, attempt_head.head_hash) == (a["event_count"], a["head_hash"])
            if a["status"] == "in-progress":
                continue
            # The seal covers the debrief's text as stored; the Debrief model has changed since
            # (one score), so the text is checked as it is, not re-serialised.
            stored = a["debrief"]
            passed = None if a["passed"] is None else bool(a["passed"])
            assert seal_digest(attempt_head.head_hash, status=a["status"], ended_at=a["ended_at"], passed=passed,
                               share=a["share"], event_count=attempt_head.event_count,
                               debrief_sha256=sha256_text(stored) if stored is not None else None) == a["seal"]
            if stored is None:
                sealed = ledger.seal(attempt_head, a["status"], None, ended_at=a["ended_at"])
                assert (sealed.passed, sealed.share, sealed.seal) == (passed, a["share"], a["seal"])
            results = debrief_results(stored) if stored is not None else DebriefResults()
            criteria = {r["criterion"]: (r["framework"], r["raw"], r["worst"], r["best"], r["share"]) for r in
                        pre_ledger.execute("SELECT * FROM criterion_results WHERE attempt_n = ?", (a["n"],))}
            competencies = {r["competency"]: (r["rating"], r["share"]) for r in
                            pre_ledger.execute("SELECT * FROM competency_results WHERE attempt_n = ?", (a["n"],))}
            assert (results.criteria, results.competencies) == (criteria, competencies)
            checked["seals"] += 1
        assert (head.attempt_count, head.head_hash) == (trainee["attempt_count"], trainee["head_hash"])
    assert checked == {"attempts": 6, "events": 70, "seals": 4}


def test_the_first_attempt_links_to_genesis_and_the_next_to_the_first() -> None:
    facts = ledger.AttemptFacts(trainee_id="t", scenario_id="s", scenario_version="1", content_hash="h",
                                mode="practice", seed=3, start_node="a")
    first = ledger.start(ledger.first_head("t"), facts, attempt_id="a1", started_at="2026-01-01T00:00:00.000000Z")
    second = ledger.start(first.trainee_head, facts, attempt_id="a2", started_at="2026-01-01T00:00:01.000000Z")
    assert first.attempt.prev_hash == genesis("t") and first.attempt.trainee_seq == 1
    assert second.attempt.prev_hash == first.attempt.hash and second.attempt.trainee_seq == 2
    assert second.trainee_head == ledger.TraineeHead("t", 2, second.attempt.hash)
    assert first.attempt_head == ledger.AttemptHead("a1", 0, first.attempt.hash, "in-progress")


def test_events_are_numbered_on_from_the_head_and_chain_within_one_append() -> None:
    head = ledger.AttemptHead("a", 4, "f" * 64, "in-progress")
    events = ledger.prepare_events([("choice", {"node": "n", "choice": "c", "state": {}}), ("node-entered", {"node": "m"})])
    appended = ledger.append(head, events, at="2026-01-01T00:00:00.000000Z")
    assert [e.seq for e in appended.events] == [5, 6]
    assert appended.events[1].hash != appended.events[0].hash
    assert appended.head == ledger.AttemptHead("a", 6, appended.events[1].hash, "in-progress")
    assert (appended.events[0].node, appended.events[0].choice, appended.events[1].choice) == ("n", "c", None)


def test_a_finished_attempt_takes_no_events_and_no_second_seal() -> None:
    done = ledger.AttemptHead("a", 2, "0" * 64, "completed")
    with pytest.raises(StoreError, match="completed; no more events"):
        ledger.append(done, ledger.prepare_events([("pause", {"node": "x"})]), at="t")
    with pytest.raises(StoreError, match="already completed"):
        ledger.seal(done, "abandoned", None, ended_at="t")


@pytest.mark.parametrize(("events", "message"), [
    ([("nonsense", {})], "unknown event kind"),
    ([("choice", {"node": "n"})], "needs the step id"),
    ([("pause", {"x": float("nan")})], "cannot be stored as JSON"),
    ([("pause", {"x": object()})], "cannot be stored as JSON"),
])
def test_bad_events_are_refused_before_any_row_is_made(events: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ledger.prepare_events(events)


def test_bad_facts_are_refused_when_made() -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        ledger.AttemptFacts(trainee_id="t", scenario_id="s", scenario_version="1", content_hash="h",
                            mode="exam", seed=0, start_node="a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        ledger.first_head("")
    with pytest.raises(ValueError, match="finishes as"):
        ledger.check_finish("in-progress")


# --- the property: whatever the ledger writes verifies clean, and any one edit is caught ----------


@dataclass
class _Built:
    trainees: dict[str, ChainTrainee] = field(default_factory=dict)
    attempts: dict[str, list[ChainAttempt]] = field(default_factory=dict)
    events: dict[str, list[ChainEvent]] = field(default_factory=dict)


_TEXT = st.text(alphabet="abcxyz-é ", min_size=1, max_size=6)
_PAYLOAD = st.fixed_dictionaries({"node": _TEXT}, optional={"choice": _TEXT, "seconds": st.integers(0, 99)})
_EVENT = st.one_of(
    st.tuples(st.sampled_from(["choice", "timer-expired"]), st.fixed_dictionaries({"node": _TEXT, "choice": _TEXT})),
    st.tuples(st.sampled_from(["node-entered", "undo", "pause", "resume", "left"]), _PAYLOAD))
_OPERATION = st.one_of(
    st.tuples(st.just("start"), st.sampled_from(["ann", "bo", "cy"]), st.sampled_from(["practice", "assessment"]),
              st.integers(0, 2**31)),
    st.tuples(st.just("append"), st.integers(0, 9), st.lists(_EVENT, min_size=1, max_size=3)),
    st.tuples(st.just("seal"), st.integers(0, 9), st.sampled_from(["completed", "abandoned"]),
              st.one_of(st.none(), st.floats(0, 1)), st.booleans()),
)


def _build(operations: list[tuple[Any, ...]]) -> _Built:
    """Run the operations through the ledger, keeping rows as a backend would store them."""
    heads: dict[str, ledger.TraineeHead] = {}
    attempts: list[tuple[ChainAttempt, ledger.AttemptHead]] = []
    events: dict[str, list[ChainEvent]] = {}
    clock = iter(f"2026-01-01T00:00:{s // 100:02d}.{s % 100:06d}Z" for s in range(10**4))
    for op in operations:
        if op[0] == "start":
            _, trainee_id, mode, seed = op
            facts = ledger.AttemptFacts(trainee_id=trainee_id, scenario_id="s", scenario_version="1.0.0",
                                        content_hash="h", mode=mode, seed=seed, start_node="a")
            started = ledger.start(heads.get(trainee_id) or ledger.first_head(trainee_id), facts,
                                   attempt_id=f"{trainee_id}-{len(attempts)}", started_at=next(clock))
            heads[trainee_id] = started.trainee_head
            a = started.attempt
            row = ChainAttempt(id=a.id, trainee_id=a.trainee_id, trainee_seq=a.trainee_seq, scenario_id=a.scenario_id,
                               scenario_version=a.scenario_version, content_hash=a.content_hash, mode=a.mode,
                               seed=a.seed, start_node=a.start_node, started_at=a.started_at, prev_hash=a.prev_hash,
                               hash=a.hash, event_count=0, head_hash=a.hash, status="in-progress", ended_at=None,
                               passed=None, share=None, debrief=None, seal=None)
            attempts.append((row, started.attempt_head))
            events[a.id] = []
        elif attempts:
            index = op[1] % len(attempts)
            row, head = attempts[index]
            if head.status != "in-progress":
                continue
            if op[0] == "append":
                appended = ledger.append(head, ledger.prepare_events(op[2]), at=next(clock))
                events[row.id] += [ChainEvent(e.seq, e.kind, e.at, e.node, e.choice, e.payload_json, e.hash)
                                   for e in appended.events]
                attempts[index] = (dataclasses.replace(row, event_count=appended.head.event_count,
                                                       head_hash=appended.head.head_hash), appended.head)
            else:
                sealed = ledger.seal(head, op[2], None, ended_at=next(clock))
                # Without a debrief the store keeps no pass/share; the seal still covers them.
                attempts[index] = (dataclasses.replace(row, status=sealed.status, ended_at=sealed.ended_at,
                                                       seal=sealed.seal),
                                   dataclasses.replace(head, status=sealed.status))
    built = _Built(trainees=dict(heads))
    for row, _ in attempts:
        built.attempts.setdefault(row.trainee_id, []).append(row)
    built.events = events
    return built


def _problems(built: _Built) -> list[str]:
    found = []
    for trainee_id in sorted(set(built.trainees) | set(built.attempts)):
        found += verify_trainee(built.trainees.get(trainee_id), trainee_id, built.attempts.get(trainee_id, []))
    for rows in built.attempts.values():
        for row in rows:
            found += verify_attempt(row, built.events.get(row.id, []), DebriefResults())
    return [p.message for p in found]


def _changed(value: Any, name: str) -> Any:
    if name == "status":
        return "abandoned" if value != "abandoned" else "completed"
    if name == "payload":
        return json.dumps({**json.loads(value), "edited": True}, sort_keys=True, separators=(",", ":"))
    if value is None:
        return {"passed": True, "share": 0.5}.get(name, "x")
    if isinstance(value, bool):
        return not value
    if isinstance(value, tuple):  # the verdict and pace copies
        return ("x", *value[1:])
    if isinstance(value, int):
        return value + 1
    return value + "x"


@given(operations=st.lists(_OPERATION, min_size=1, max_size=14), pick=st.integers(0, 10**6))
def test_whatever_the_ledger_writes_verifies_clean_and_any_one_edit_is_caught(operations: list[tuple[Any, ...]],
                                                                                pick: int) -> None:
    built = _build(operations)
    assert _problems(built) == []
    # Every stored field of every row, one at a time: pick one and change it.
    targets: list[tuple[str, str, int, str]] = [("trainee", t, 0, f.name) for t in built.trainees
                                                for f in dataclasses.fields(ChainTrainee) if f.name != "id"]
    for trainee_id, rows in built.attempts.items():
        targets += [("attempt", trainee_id, i, f.name) for i in range(len(rows)) for f in dataclasses.fields(ChainAttempt)]
    targets += [("event", aid, i, f.name) for aid, rows in built.events.items() for i in range(len(rows))
                for f in dataclasses.fields(ChainEvent)]
    if not targets:
        return
    kind, key, index, name = targets[pick % len(targets)]
    if kind == "trainee":
        row: Any = built.trainees[key]
        built.trainees[key] = dataclasses.replace(row, **{name: _changed(getattr(row, name), name)})
    elif kind == "attempt":
        row = built.attempts[key][index]
        built.attempts[key][index] = dataclasses.replace(row, **{name: _changed(getattr(row, name), name)})
    else:
        row = built.events[key][index]
        built.events[key][index] = dataclasses.replace(row, **{name: _changed(getattr(row, name), name)})
    assert _problems(built), f"changing {kind} {key}[{index}].{name} went unnoticed"
