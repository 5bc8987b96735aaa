"""The wording of each message a trainer meets most (authoring review: 28 typical mistakes).

Each case is one typical mistake made in the bundled example; the test pins every error it
gives: line, column, code and the exact words, which say where, what, and what to type instead.
No pydantic, regular-expression or parser vocabulary may reach a trainer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from casesim.authoring.pipeline import load_scenario_bytes
from casesim.format.diagnostics import Diagnostic
from casesim.scoring.catalog import Catalog
from support.paths import ROOT
from support.trainer_mistakes import (
    BASE,
    CASES,
    DOC_ROWS,
    common_mistakes_markdown,
    duplicate_id_message,
    mistaken_text,
)

JARGON = ("String should", "Input should", "constrained-", "while scanning", "while parsing", "pattern",
          "^[", "could not find expected", "mapping values are not allowed", "<unicode string>", "Value error",
          "cannot start any token", "[key]", "validation error")


def _errors(name: str, catalog: Catalog) -> list[Diagnostic]:
    report = load_scenario_bytes(mistaken_text(name).encode(), "trainer.yaml", catalog, analyse_paths=False)
    return [d for d in report.diagnostics if d.is_error]


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_typical_mistake_gets_its_plain_message_at_its_place(name: str, catalog: Catalog) -> None:
    got = [(d.line, d.col, d.code, d.message) for d in _errors(name, catalog)]
    assert got == CASES[name][2]


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_parser_or_pydantic_vocabulary_reaches_a_trainer(name: str, catalog: Catalog) -> None:
    for diag in _errors(name, catalog):
        assert not [word for word in JARGON if word in diag.message], diag.message


def test_yaml_anchors_that_reuse_values_work(catalog: Catalog) -> None:
    text = BASE.replace("effects: {rapport: 1}", "effects: &warmer {rapport: 1}", 1)
    text = text.replace("effects: {rapport: -1, distress: 1}", "effects: *warmer", 1)
    report = load_scenario_bytes(text.encode(), "anchors.yaml", catalog, analyse_paths=False)
    # Warmer questions change the rapport, so one of the example's own tests can no longer be
    # followed: that is validate doing its job, not the anchor failing.
    assert report.ok and {d.code for d in report.errors} <= {"test-path-blocked"}
    assert report.playable is not None
    choices = report.playable.scenario.choice_index()
    assert choices["launch-into-questions"][1].effects == {"rapport": 1}


def test_the_alias_message_names_a_fix_that_loads(catalog: Catalog) -> None:
    """What the alias message tells the trainer to write (a choice set used at two nodes) loads."""
    choice = BASE[BASE.index("      - id: introduce-and-ask-time"):BASE.index("      - id: launch-into-questions")]
    text = BASE.replace(choice, "", 1).replace("    choices:\n      - id: launch-into-questions",
                                               "    choices:\n      - {use: greeting, prefix: ''}\n      - id: launch-into-questions", 1)
    text = text.replace("\nstart:", "\nchoice_sets:\n  greeting:\n" + choice.replace("      ", "    ", 1).replace(
        "\n      ", "\n    ") + "\nstart:", 1)
    text = text.replace("\nformat: 1\n", "\nformat: 2\n", 1)  # choice sets are format 2
    report = load_scenario_bytes(text.encode(), "sets.yaml", catalog, analyse_paths=False)
    assert report.errors == []
    assert report.model is not None
    # `prefix: ''` keeps the ids the example's tests name (used once, a set needs no prefix).
    assert [c.id for c in report.model.nodes["opening"].choices] == ["introduce-and-ask-time", "launch-into-questions"]


def test_the_same_scenario_id_in_two_files_is_an_error_of_validate(tmp_path: Path, catalog: Catalog) -> None:
    from click.testing import CliRunner

    from casesim.cli.main import cli

    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(BASE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)], prog_name="casesim")
    assert result.exit_code == 1
    assert (f"{tmp_path / 'b.yaml'}:5:5: error: "
            f"{duplicate_id_message(str(tmp_path / 'a.yaml'), 'example-check-in')} [duplicate-scenario-id]"
            ) in result.output


def test_the_same_scenario_id_in_two_files_of_a_library_scan_lists_the_second_as_broken(
        tmp_path: Path, catalog: Catalog) -> None:
    from casesim.play.library import load_library

    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(BASE, encoding="utf-8")
    [broken] = load_library([tmp_path], catalog).broken
    assert [(Path(d.path).name, d.line, d.col, d.message) for d in broken.errors] == [
        ("b.yaml", 5, 5, duplicate_id_message(str(tmp_path / "a.yaml"), "example-check-in"))]


def test_every_pinned_mistake_is_on_the_common_mistakes_page() -> None:
    shown = {name for name, _, _ in DOC_ROWS}
    assert set(CASES) <= shown, f"add a row to DOC_ROWS for: {sorted(set(CASES) - shown)}"


def test_the_common_mistakes_page_shows_each_message_as_pinned() -> None:
    page = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    assert common_mistakes_markdown() in page, (
        "docs/authoring.md's common mistakes are out of date; regenerate them with: make docs")
