"""Every broken file in tests/data/broken yields exactly the expected diagnostics, at exact positions."""

from __future__ import annotations

import pytest

from casesim.authoring.pipeline import load_scenario
from casesim.scoring.catalog import Catalog
from support.paths import BROKEN

# file -> every diagnostic expected, as (line, col, severity, code)
EXPECTED: dict[str, list[tuple[int, int, str, str]]] = {
    "yaml-syntax.yaml": [(31, 13, "error", "unclosed-quote")],
    "duplicate-key-nested.yaml": [(22, 9, "error", "duplicate-key")],
    "unknown-key.yaml": [(32, 5, "error", "unknown-key")],
    "wrong-type.yaml": [(7, 20, "error", "wrong-type"), (10, 35, "error", "wrong-type")],
    "goto-missing.yaml": [(35, 15, "error", "goto-missing")],
    "unknown-names-in-expression.yaml": [(36, 16, "error", "expression")],
    "unknown-criterion-and-mi.yaml": [(37, 18, "error", "unknown-criterion"), (38, 14, "error", "unknown-mi-code")],
    "expression-type-error.yaml": [(36, 16, "error", "expression")],
    "expression-syntax.yaml": [(36, 27, "error", "expression")],
    "effect-out-of-range.yaml": [(22, 28, "error", "effect-range"), (22, 38, "error", "effect-type")],
    "unreachable-node.yaml": [(39, 3, "warning", "unreachable-node")],
    "node-without-choices.yaml": [(32, 14, "error", "invalid-value")],
    "dead-end.yaml": [(30, 3, "error", "dead-end"), (36, 16, "warning", "guard-never-true"),
                      (40, 3, "warning", "unreachable-ending")],
    "unreachable-ending.yaml": [(41, 3, "warning", "unreachable-ending")],
    "guard-never-true.yaml": [(36, 16, "warning", "guard-never-true")],
    "no-feedback.yaml": [(25, 9, "warning", "no-feedback")],
    "many-problems.yaml": [(7, 20, "error", "wrong-type"), (18, 5, "error", "unknown-key"),
                           (36, 15, "error", "goto-missing"), (37, 27, "error", "expression")],
    "object-tag.yaml": [(6, 10, "error", "yaml-tag")],
    "custom-tag.yaml": [(4, 8, "error", "yaml-tag")],
    "merge-key.yaml": [(10, 10, "error", "merge-key")],
    "not-a-mapping.yaml": [(1, 1, "error", "wrong-type")],
    "not-utf8.yaml": [(17, 17, "error", "not-utf8")],
    "binary.yaml": [(1, 10, "error", "binary-file")],
    "empty.yaml": [(1, 1, "error", "empty-file")],
    "alias-bomb.yaml": [(1, 32, "error", "alias-bomb")],
    "too-deep.yaml": [(1, 67, "error", "too-deep")],
    "too-deep-block.yaml": [(65, 129, "error", "too-deep")],
    "state-space-too-large.yaml": [(1, 1, "error", "state-space-too-large")],
}


def test_every_broken_file_has_an_expectation() -> None:
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_reports_exact_diagnostics(name: str, catalog: Catalog) -> None:
    loaded = load_scenario(BROKEN / name, catalog)
    got = [(d.line, d.col, d.severity.value, d.code) for d in loaded.diagnostics]
    assert got == EXPECTED[name]
    assert all(d.path.endswith(name) for d in loaded.diagnostics)
    assert all(d.message for d in loaded.diagnostics)


def test_unknown_key_suggests_the_closest_key(catalog: Catalog) -> None:
    [diag] = load_scenario(BROKEN / "unknown-key.yaml", catalog).diagnostics
    assert "did you mean 'narration'?" in diag.message


def test_duplicate_key_names_both_lines(catalog: Catalog) -> None:
    [diag] = load_scenario(BROKEN / "duplicate-key-nested.yaml", catalog).diagnostics
    assert "line 21, column 9" in diag.message


def test_goto_missing_suggests_the_ending(catalog: Catalog) -> None:
    [diag] = load_scenario(BROKEN / "goto-missing.yaml", catalog).diagnostics
    assert "did you mean 'done'?" in diag.message


def test_expression_error_column_points_inside_the_quotes(catalog: Catalog) -> None:
    [diag] = load_scenario(BROKEN / "expression-syntax.yaml", catalog).diagnostics
    line = (BROKEN / "expression-syntax.yaml").read_text().splitlines()[diag.line - 1]
    # "rapport >= " ends too early: the column is just past the text, before the closing quote
    assert line[diag.col - 1] == '"'


def test_formatted_diagnostic_reads_path_line_col(catalog: Catalog) -> None:
    [diag] = load_scenario(BROKEN / "goto-missing.yaml", catalog).diagnostics
    assert diag.format().startswith(f"{BROKEN / 'goto-missing.yaml'}:35:15: error: goto 'dnoe'")
