"""The one validator for trainee ids, display names and cohorts (redteam review H3, M-series ids)."""

from __future__ import annotations

from pathlib import Path

import pytest

from casesim.errors import CaseSimError
from casesim.records.labels import MAX_LABEL, LabelError, clean_label, label_problem
from casesim.records.sqlite import SQLiteStore


@pytest.mark.parametrize(("raw", "clean"), [
    ("s1", "s1"),
    ("  Ann   Lee  ", "Ann Lee"),
    ("MSW Fall 2026 #1", "MSW Fall 2026 #1"),
    ("Zoë Ñúñez-O'Brien", "Zoë Ñúñez-O'Brien"),
    ("李小龍", "李小龍"),
    ("محمد علي", "محمد علي"),  # right-to-left script is fine; invisible direction marks are not
    ("x" * MAX_LABEL, "x" * MAX_LABEL),
    (" " + "x" * MAX_LABEL + "   ", "x" * MAX_LABEL),
    ("a\u00a0b", "a b"),  # no-break space is whitespace: collapsed
])
def test_accepted_values_are_trimmed_and_collapsed(raw: str, clean: str) -> None:
    assert label_problem(raw) is None
    assert clean_label(raw, "display name") == clean


@pytest.mark.parametrize(("raw", "problem"), [
    ("", "empty"),
    ("   ", "empty"),
    ("x" * (MAX_LABEL + 1), f"{MAX_LABEL + 1} characters long"),
    ("s1\x1b]52;c;cm0gLXJmIH4K\x07", "control character (U+001B"),
    ("s1\x9b31m", "control character (U+009B"),
    ("s1\nforged", "control character (U+000A"),
    ("s1\r", "control character (U+000D"),
    ("Ann\tLee", "control character (U+0009"),
    ("s1\x7f", "control character (U+007F"),
    ("s1\x00", "control character (U+0000"),
    ("evil\u202egnp.exe", "format or direction character (U+202E"),
    ("a\u2066b\u2069", "format or direction character (U+2066"),
    ("a\u200bb", "format or direction character (U+200B"),
    ("a\u00adb", "format or direction character (U+00AD"),  # soft hyphen: Cf, beyond visible()'s list
    ("\ufeffs1", "format or direction character (U+FEFF"),
    ("a\u2028b", "line separator (U+2028"),
    ("a\u2029b", "paragraph separator (U+2029"),
])
def test_rejected_values_say_what_is_wrong(raw: str, problem: str) -> None:
    found = label_problem(raw)
    assert found is not None and problem in found
    with pytest.raises(LabelError) as caught:
        clean_label(raw, "cohort", where="with --cohort")
    error = caught.value
    assert isinstance(error, CaseSimError)
    assert error.title == "invalid cohort"
    assert "with --cohort" in error.message and problem in error.message
    assert error.hint is not None and "MSW Fall 2026" in error.hint
    assert "\x1b" not in error.message and "\x9b" not in error.message and "\n" not in error.message


def test_the_store_checks_and_normalises_at_its_boundary(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "s.db") as store:
        store.upsert_trainee("  s1 ", " Ann   Lee ", "MSW  Fall")
        row = store.trainee("s1")
        assert row is not None and (row.display_name, row.cohort) == ("Ann Lee", "MSW Fall")
        for kwargs in ({"trainee_id": "s2\x1b]0;x\x07", "display_name": "B"},
                       {"trainee_id": "s2", "display_name": "B\u202e"},
                       {"trainee_id": "s2", "display_name": "B", "cohort": "fall\n"},
                       {"trainee_id": "s2", "display_name": "B", "cohort": ""}):
            with pytest.raises(LabelError):
                store.upsert_trainee(**kwargs)
        with pytest.raises(LabelError, match="trainee id"):
            store.start_attempt(trainee_id="s3\x9b", scenario_id="x", scenario_version="1", content_hash="h",
                                mode="practice", seed=1, start_node="start")
        assert [t.id for t in store.trainees()] == ["s1"]
