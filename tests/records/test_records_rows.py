"""A stored attempt row becomes the same AttemptRow built by position as by field name (the fast
positional build in :func:`casesim.records.rows.attempt_row` follows the fields' order)."""

from __future__ import annotations

from dataclasses import fields

from casesim.records.api import AttemptPace, AttemptRow
from casesim.records.rows import ATTEMPT_COLUMNS, attempt_row


def test_attempt_row_puts_every_column_in_its_field() -> None:
    columns = [c.strip() for c in ATTEMPT_COLUMNS.split(",")]
    row = [f"<{c}>" for c in columns]
    at = {c: i for i, c in enumerate(columns)}
    row[at["seed"]], row[at["passed"]], row[at["share"]] = 7, 1, 0.75
    row[at["decision_seconds"]], row[at["reading_seconds"]], row[at["too_fast"]] = 20.0, 300.0, 1
    row[at["signoff"]], row[at["imported"]] = None, '{"from_store": "s"}'
    built = attempt_row(row)
    expected = {f.name: f"<{f.name}>" for f in fields(AttemptRow)}
    expected.update(seed=7, passed=True, share=0.75, signoff=None, imported={"from_store": "s"},
                    pace=AttemptPace(20.0, 300.0, True))
    assert built == AttemptRow(**expected)  # type: ignore[arg-type]
    assert {f.name for f in fields(AttemptRow)} <= set(columns) | {"pace"}
