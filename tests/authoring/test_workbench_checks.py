"""What author mode checks on save (the same findings as `casesim validate`), where a finding sits, and the text graph."""

from __future__ import annotations

from pathlib import Path

from casesim.authoring.graph import graph_model, scenario_graph
from casesim.authoring.graph_text import neighbourhood_lines, whole_graph_lines
from casesim.authoring.pipeline import AnalysedScenario, audit_and_lint, load_scenario
from casesim.authoring.workbench import (
    analyse_draft,
    audit_draft,
    jump_target,
    section_at_line,
    test_draft,
)
from casesim.format.diagnostics import Diagnostic, Severity
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from support.paths import EXAMPLE


def _draft(tmp_path: Path, old: str = "", new: str = "") -> Path:
    draft = tmp_path / "draft.yaml"
    draft.write_text(EXAMPLE.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return draft


def test_the_stages_report_what_validate_prints(tmp_path: Path, catalog: Catalog) -> None:
    # an unreachable node (a lint finding) and a weak test (passes, but a check is a warning)
    draft = _draft(tmp_path, "  next-steps:\n", "  orphan:\n    client: Hello?\n    choices:\n"
                   "      - {id: orphan-bye, say: Bye., goto: lost-contact}\n\n  next-steps:\n")
    report = load_scenario(draft, catalog, analyse_paths=False)
    assert report.playable is not None
    analysed, lint = analyse_draft(report.playable, catalog)
    ours = sorted([*report.diagnostics, *lint, *audit_draft(analysed)], key=Diagnostic.sort_key)
    assert any(d.code == "unreachable-node" for d in ours)
    # what `casesim validate FILE` reports: the whole pipeline in one call, then the audit
    full = load_scenario(draft, catalog)
    assert full.analysed is not None
    theirs = sorted([*full.diagnostics, *audit_and_lint(full.analysed)[1]], key=Diagnostic.sort_key)
    assert ours == theirs


def test_embedded_tests_run_on_the_draft_and_report_failures(tmp_path: Path, catalog: Catalog) -> None:
    draft = _draft(tmp_path, "scores: {total: {min: 17}}", "scores: {total: {min: 40}}")
    report = load_scenario(draft, catalog, analyse_paths=False)
    assert report.playable is not None
    analysed, _ = analyse_draft(report.playable, catalog)
    outcomes = test_draft(analysed, catalog)
    assert len(outcomes) == len(analysed.scenario.tests) > 1
    failed = [o for o in outcomes if not o.ok]
    expert_total = score_path(analysed.program, analysed.analysis, catalog, analysed.analysis.expert_path).total_raw
    assert len(failed) == 1 and f"total scored {expert_total}, expected at least 40" in failed[0].problems[0]


def test_a_line_belongs_to_the_node_or_ending_written_around_it(example: AnalysedScenario) -> None:
    lines = Path(example.path).read_text(encoding="utf-8").splitlines()
    doc = example.document

    def line_of(text: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if text in line)

    assert section_at_line(doc, line_of("- id: promise-total-secrecy")) == ("nodes", "role-and-limits")
    assert section_at_line(doc, line_of("  how-are-you:")) == ("nodes", "how-are-you")
    assert section_at_line(doc, line_of("  how-are-you:") - 1) == ("nodes", "role-and-limits")
    assert section_at_line(doc, line_of("title: A tentative appointment")) == ("endings", "tentative")
    assert section_at_line(doc, line_of("requirements:") + 2) is None
    assert section_at_line(doc, 2) is None


def test_a_diagnostic_jumps_to_its_node_or_to_a_node_leading_to_its_ending(example: AnalysedScenario) -> None:
    lines = Path(example.path).read_text(encoding="utf-8").splitlines()

    def at(text: str) -> Diagnostic:
        line = next(i for i, x in enumerate(lines, 1) if text in x)
        return Diagnostic(example.path, line, 5, Severity.WARNING, "x", "x")

    assert jump_target(example.document, example.program, at("id: ask-q2")) is not None
    target = jump_target(example.document, example.program, at("- id: skip-to-housing"))
    assert target is not None and (target.node, target.note) == ("role-and-limits", None)
    ending = jump_target(example.document, example.program, at("title: A tentative appointment"))
    assert ending is not None and ending.node == "next-steps" and ending.note is not None
    assert "tentative is an ending" in ending.note
    assert jump_target(example.document, example.program, at("pass_rule:")) is None
    assert jump_target(None, example.program, at("id: ask-q2")) is None
    elsewhere = Diagnostic("shared/opening.yaml", at("id: ask-q2").line, 5, Severity.WARNING, "x", "x")
    assert jump_target(example.document, example.program, elsewhere) is None, "a line of another file"


def test_the_text_graph_marks_what_the_exports_mark(example: AnalysedScenario) -> None:
    graph = graph_model(example.program, example.analysis)
    dot = scenario_graph(example.program, example.analysis, fmt="dot")
    for edge in graph.edges:  # the same labels and the same marks as the DOT export
        assert f'[label="{edge.label}"' in dot
    near = neighbourhood_lines(graph, "role-and-limits")
    texts = [line.text for line in near]
    into = sum(1 for edge in graph.edges if edge.target == "role-and-limits")
    assert texts[0] == f"Leads here ({into})"
    assert "▶ role-and-limits (here)" in texts
    expert = next(line for line in near if "explain-role-and-limits" in line.text)
    assert expert.expert and expert.text.startswith("★") and "==> how-are-you" in expert.text
    critical = next(line for line in near if "promise-total-secrecy" in line.text)
    assert critical.critical and "✗" in critical.text and "(never-event)" in critical.text
    assert any(line.text.startswith(" ") and "..> dana-goes-quiet" in line.text and "timeout (45 s)" in line.text
               for line in near), "the node after: its timer's expiry"
    whole = whole_graph_lines(graph, "how-are-you")
    assert [line.text for line in whole if not line.indent][0] == "● opening (start)"
    assert "▶ how-are-you (here)" in [line.text for line in whole]
    assert "◆ engaged (success)" in [line.text for line in whole]
    assert sum(1 for line in whole if line.indent) == len(graph.edges)


def test_the_text_graph_names_a_node_gone_from_the_file(example: AnalysedScenario) -> None:
    graph = graph_model(example.program, None)
    assert neighbourhood_lines(graph, "gone")[0].text == "gone is not in this version of the scenario"
    assert not any(n.unreachable for n in graph.nodes), "without an analysis nothing is called unreachable"


