"""Values that once crashed the loader are positioned diagnostics; nothing escapes the pipeline.

Each case is a small edit of the bundled example (the red-team review's H2, M2, M4, L3, L4).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from casesim.authoring import pipeline
from casesim.authoring.pipeline import SourceReport, load_scenario, load_scenario_bytes
from casesim.format.diagnostics import Diagnostic, Severity, diagnostics_to_json
from casesim.play.library import load_library
from casesim.scoring.catalog import Catalog
from support.paths import EXAMPLE

BASE = EXAMPLE.read_text(encoding="utf-8")


def _load(text: str, catalog: Catalog, name: str = "edited.yaml") -> SourceReport:
    return load_scenario_bytes(text.encode(), name, catalog)


def _edit(old: str, new: str) -> str:
    assert BASE.count(old) >= 1, old
    return BASE.replace(old, new, 1)


MINUTES = "estimated_minutes: 8"


@pytest.mark.parametrize(("value", "code", "wording"), [
    ("0x_", "wrong-type", "'0x_' is not a whole number: write the number in digits (like 12)"),
    ("0b_", "wrong-type", "'0b_' is not a whole number"),
    ("!!int two", "wrong-type", "'two' is not a whole number"),
    ("!!int ''", "wrong-type", "'' is not a whole number"),
    ("!!float two", "wrong-type", "'two' is not a number"),
    ("!!bool maybe", "wrong-type", "'maybe' is not true or false"),
    ("9" * 5000, "number-too-large", "this number is 5,000 characters long"),
    ("0x" + "f" * 60, "number-too-large", "is too large: numbers in a scenario stay within 1,000,000,000,000,000"),
    ("-1000000000000001", "number-too-large", "is too large"),
])
def test_unconvertible_and_huge_numbers_are_positioned_errors(value: str, code: str, wording: str,
                                                              catalog: Catalog) -> None:
    report = _load(_edit(MINUTES, f"estimated_minutes: {value}"), catalog)
    [diag] = report.diagnostics
    assert (diag.line, diag.col, diag.code) == (13, 20, code)
    assert wording in diag.message


def test_the_largest_allowed_number_still_reads_as_a_number(catalog: Catalog) -> None:
    report = _load(_edit(MINUTES, "estimated_minutes: 1000000000000000"), catalog)
    # Read as a number; the format's own range for the field then refuses it, in plain words.
    assert [(d.line, d.code) for d in report.diagnostics] == [(13, "invalid-value")]


def test_an_effect_of_minus_minus_one_is_the_constant_one(catalog: Catalog) -> None:
    report = _load(_edit("effects: {rapport: 1}", 'effects: {distress: "--1"}'), catalog)
    assert report.ok, report.diagnostics
    out_of_range = _load(_edit("effects: {rapport: 1}", 'effects: {distress: "--11"}'), catalog)
    [diag] = out_of_range.errors
    assert diag.code == "effect-range" and "setting 'distress' to 11 is outside its range 0..10" in diag.message


def test_a_500_term_guard_is_an_expression_error_not_a_recursion_error(catalog: Catalog) -> None:
    guard = "+".join(["1"] * 500) + " > rapport"
    report = _load(_edit('when: "rapport >= 5"', f'when: "{guard}"'), catalog)
    [diag] = report.errors
    assert diag.code == "expression"
    assert "expression is too long or too deeply nested (more than 100" in diag.message


@pytest.mark.parametrize(("char", "name"), [("\u2028", "U+2028"), ("\u2029", "U+2029"), ("\x85", "U+0085")])
def test_hidden_line_breaks_outside_quotes_are_errors_at_the_editors_line(char: str, name: str,
                                                                            catalog: Catalog) -> None:
    # The red team's smuggled key: one line in an editor, two keys for PyYAML.
    text = _edit("kind: intake", f"kind: intake{char}pass_rule: {{min_share: 0.0, no_critical: false}}")
    [diag] = _load(text, catalog).diagnostics
    assert (diag.line, diag.col, diag.code) == (8, 13, "hidden-line-break")
    assert diag.message.startswith(f"invisible line break {name}")
    assert "delete it, or press Enter if you meant a new line" in diag.message


def test_hidden_line_breaks_inside_quotes_are_text_and_later_lines_keep_editor_numbers(catalog: Catalog) -> None:
    text = _edit('title: "Example: a first check-in call"', 'title: "Example:\u2028a first check-in call"')
    text = text.replace("estimated_minutes: 8", "estimated_minutes: 0x_")
    [diag] = _load(text, catalog).diagnostics
    assert (diag.line, diag.col, diag.code) == (13, 20, "wrong-type")


@pytest.mark.parametrize(("guard", "col", "wording"), [
    ("rapport >= \u0666", 11, "'\u0666' is not one of the digits 0-9"),
    ("rapport >= \uff16", 11, "is not one of the digits 0-9"),
    ("rapport\u00a0>= 6", 7, "a special space (U+00A0) is here; type an ordinary space instead"),
    ("rapport\u3000>= 6", 7, "a special space (U+3000)"),
])
def test_expression_digits_and_spaces_are_ascii_only(guard: str, col: int, wording: str, catalog: Catalog) -> None:
    [diag] = _load(_edit('when: "rapport >= 5"', f'when: "{guard}"'), catalog).errors
    line = next(n for n, text in enumerate(BASE.splitlines(), start=1) if 'when: "rapport >= 5"' in text)
    assert (diag.line, diag.col, diag.code) == (line, 16 + col, "expression")
    assert wording in diag.message


def test_an_exception_inside_the_pipeline_is_an_internal_error_naming_the_file(
        catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> list[Diagnostic]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(pipeline, "check_scenario", broken)
    report = load_scenario(EXAMPLE, catalog)
    [diag] = report.diagnostics
    assert (diag.path, diag.line, diag.col, diag.severity, diag.code) == (
        str(EXAMPLE), 1, 1, Severity.ERROR, "internal-error")
    assert "RuntimeError inside casesim. This is a bug in casesim, not a mistake you made" in diag.message
    assert report.playable is None


def test_a_library_scan_lists_a_crashing_file_as_broken_and_keeps_the_others(
        tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "good.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(BASE.replace("id: example-check-in", "id: other-check-in"), encoding="utf-8")
    original = pipeline.check_scenario

    def crash_on_bad(scenario: object, doc: object, *args: object, **kwargs: object) -> list[Diagnostic]:
        if str(getattr(doc, "path", "")).endswith("bad.yaml"):
            raise ValueError("a bug")
        return original(scenario, doc, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "check_scenario", crash_on_bad)
    library = load_library([tmp_path], catalog)
    assert [e.scenario.id for e in library.playable] == ["example-check-in"]
    assert [(Path(b.path).name, [d.code for d in b.diagnostics]) for b in library.broken] == [
        ("bad.yaml", ["internal-error"])]


def test_reports_read_the_other_scenarios_when_one_analysis_raises(
        tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    from casesim.play import library as library_module

    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(BASE.replace("id: example-check-in", "id: other-check-in"), encoding="utf-8")
    original = library_module.with_analysis

    def crash_on_other(entry: Any, catalog: Any) -> Any:
        if entry.scenario.id == "other-check-in":
            raise RecursionError("a bug")
        return original(entry, catalog)

    monkeypatch.setattr(library_module, "with_analysis", crash_on_other)
    assert sorted(library_module.load_scenarios_by_id([tmp_path], catalog)) == ["example-check-in"]


def test_two_files_with_one_scenario_id_the_second_is_listed_as_broken(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(BASE, encoding="utf-8")
    library = load_library([tmp_path], catalog)
    assert [Path(e.path).name for e in library.playable] == ["a.yaml"]
    [broken] = library.broken
    diag = broken.diagnostics[-1]
    assert (Path(diag.path).name, diag.line, diag.col, diag.code) == ("b.yaml", 5, 5, "duplicate-scenario-id")
    assert diag.message == (f"another file, {tmp_path / 'a.yaml'}, already uses the scenario id 'example-check-in'; "
                            "records name a scenario by its id, so give this one its own id (e.g. example-check-in-2) "
                            "or remove one of the two files")


def test_control_characters_in_file_names_and_text_are_printed_visibly(catalog: Catalog) -> None:
    name = "evil\x1b]52;c;cm0gLXJmIH4K\x07\n.yaml"
    report = _load(_edit(MINUTES, "estimated_minutes: !!int \"\\e[2J\""), catalog, name)  # YAML escape: ESC
    printed = "\n".join(d.format() for d in report.diagnostics)
    assert "\x1b" not in printed and "\x07" not in printed and "\n" not in printed
    assert printed.startswith("evil\u241b]52;c;cm0gLXJmIH4K\u2407\u240a.yaml:13:20: error: '\\x1b[2J' is not a whole number")
    assert "\x1b" not in diagnostics_to_json(report.diagnostics)
    c1 = Diagnostic("x\x9b.yaml", 1, 1, Severity.ERROR, "x", "csi \x9b")
    assert "\x9b" not in c1.format() and "\x9b" not in diagnostics_to_json([c1])
