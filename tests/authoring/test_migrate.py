"""`casesim migrate`: format 1 -> 2 by text edits that keep comments, idempotent, and exact."""

from __future__ import annotations

import difflib
from pathlib import Path

from casesim.authoring.embedded_tests import run_tests
from casesim.authoring.migrate import migrate_text
from casesim.authoring.pipeline import audit_and_lint, load_scenario, load_scenario_bytes
from casesim.format.diagnostics import Severity
from casesim.scoring.catalog import Catalog
from support.paths import ROOT, SCENARIOS

TRAINER = ROOT / "tests" / "data" / "trainer" / "example-base.yaml"


def test_every_bundled_scenario_is_format_two_and_migrate_leaves_it_unchanged(catalog: Catalog) -> None:
    sources = sorted(SCENARIOS.glob("*.yaml"))
    assert sources
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert "\nformat: 2\n" in text, source.name
        result = migrate_text(text, str(source))
        assert not result.changed and result.text == text, source.name


def test_a_format_one_copy_of_the_trainer_example_migrates_by_one_line_and_still_passes_its_tests(
        tmp_path: Path, catalog: Catalog) -> None:
    source = SCENARIOS / "example-check-in.yaml"
    before = source.read_text(encoding="utf-8").replace("\nformat: 2\n", "\nformat: 1\n", 1)
    copy = tmp_path / source.name
    result = migrate_text(before, str(copy))
    assert result.changed
    # Only the format line changes: comments and layout are kept.
    changed = [line for line in difflib.ndiff(before.splitlines(), result.text.splitlines())
               if line.startswith(("+ ", "- "))]
    assert changed == ["- format: 1", "+ format: 2"]
    copy.write_text(result.text, encoding="utf-8")
    report = load_scenario(copy, catalog)
    assert report.analysed is not None, report.errors
    strict = [d for d in [*report.diagnostics, *audit_and_lint(report.analysed)[1]]
              if d.severity in (Severity.ERROR, Severity.WARNING)]
    assert strict == []
    outcomes = list(run_tests(report.analysed, catalog))
    assert outcomes and all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
    again = migrate_text(result.text, str(copy))
    assert not again.changed and again.text == result.text


def test_the_old_answer_table_moves_onto_the_choices_that_ask_each_step(catalog: Catalog) -> None:
    before = TRAINER.read_text(encoding="utf-8")
    old = load_scenario_bytes(before.encode(), "old.yaml", catalog)
    assert "protocol-answers-table" in {d.code for d in old.diagnostics}
    result = migrate_text(before, "old.yaml")
    assert result.changed and result.moved_answers and result.note is None
    assert "    answers: {CSSRS-Q1: false, CSSRS-Q2: false, CSSRS-Q6: false}\n" not in result.text
    assert "  - protocol: cssrs-screener\n\npass_rule:" in result.text
    new = load_scenario_bytes(result.text.encode(), "new.yaml", catalog)
    assert new.analysed is not None and old.analysed is not None
    assert "protocol-answers-table" not in {d.code for d in new.diagnostics}
    assert new.errors == []
    # The meaning is unchanged: the same expert path, score ranges and protocol verdicts.
    a, b = old.analysed.analysis, new.analysed.analysis
    assert (a.expert_path, a.extremes, a.reachable_endings) == (b.expert_path, b.extremes, b.reachable_endings)
    assert migrate_text(result.text, "new.yaml").changed is False


def test_an_answer_table_that_cannot_be_moved_exactly_is_left_with_a_note(catalog: Catalog) -> None:
    before = TRAINER.read_text(encoding="utf-8").replace(
        "  - protocol: cssrs-screener\n    answers: {CSSRS-Q1: false, CSSRS-Q2: false, CSSRS-Q6: false}\n",
        "  - {protocol: cssrs-screener, answers: {CSSRS-Q1: false, CSSRS-Q2: false, CSSRS-Q6: false}}\n")
    result = migrate_text(before, "old.yaml")
    assert result.changed and not result.moved_answers
    assert result.note == ("the old `protocols: answers:` table was left in place (validate still warns about it): "
                           "it is not on a line of its own; move it by hand")
    assert result.text == before.replace("format: 1", "format: 2", 1)


def test_a_file_that_is_not_readable_yaml_is_left_unchanged_with_its_problems() -> None:
    result = migrate_text("format: 1\nid: [broken\n", "bad.yaml")
    assert not result.changed and result.problems
    assert result.text == "format: 1\nid: [broken\n"


def test_a_framework_file_is_not_a_scenario_and_is_left_alone() -> None:
    text = (ROOT / "scoring" / "never-events.yaml").read_text(encoding="utf-8")
    assert migrate_text(text, "never-events.yaml").changed is False
