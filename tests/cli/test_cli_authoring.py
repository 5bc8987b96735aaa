"""The trainer commands as a user runs them (in process): exit codes, output format, no tracebacks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from casesim.authoring.pipeline import AnalysedScenario
from support.cli import BROKEN, ROOT, Casesim


def test_validate_clean_file_exits_0(casesim: Casesim) -> None:
    result = casesim("validate", "--strict", "scenarios/example-check-in.yaml")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "0 error(s), 0 warning(s)" in result.stderr


def test_validate_reports_problems_with_exit_1_and_no_traceback(casesim: Casesim) -> None:
    result = casesim("validate", str(BROKEN / "many-problems.yaml"))
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4
    assert lines[0].endswith("many-problems.yaml:7:20: error: 'estimated_minutes' should be a whole number, not the text 'ten' [wrong-type]")


def test_warnings_fail_only_with_strict(casesim: Casesim) -> None:
    path = str(BROKEN / "no-feedback.yaml")
    assert casesim("validate", path).exit_code == 0
    assert casesim("validate", "--strict", path).exit_code == 1


def test_validate_json_format_for_editors(casesim: Casesim) -> None:
    result = casesim("validate", "--format", "json", str(BROKEN / "goto-missing.yaml"))
    assert result.exit_code == 1
    [row] = json.loads(result.stdout)
    assert row["line"] == 35 and row["col"] == 15 and row["severity"] == "error" and row["code"] == "goto-missing"


def test_validate_missing_path_is_a_usage_error(casesim: Casesim) -> None:
    result = casesim("validate", "no/such/file.yaml")
    assert result.exit_code == 2
    assert "'no/such/file.yaml' does not exist" in result.stderr


def test_validate_a_folder_and_the_scoring_catalog(casesim: Casesim) -> None:
    result = casesim("validate", "--strict", "scoring")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_validate_without_a_path_checks_the_bundled_library(casesim: Casesim) -> None:
    result = casesim("validate", "--strict")
    assert result.exit_code == 0, result.stdout + result.stderr
    scenarios = len(list((ROOT / "scenarios").glob("*.yaml")))
    blocks = len(list((ROOT / "scenarios" / "shared").glob("*.yaml")))  # checked as blocks, not as scenarios
    # Drafts get answer-cue notes, which fail nothing.
    frameworks = len(list((ROOT / "scoring").glob("*.yaml")))
    assert (f"{scenarios} scenario(s) and {blocks} shared block(s) and {frameworks} framework file(s) checked: "
            "0 error(s), 0 warning(s)") in result.stderr


def test_broken_catalog_gives_positioned_diagnostics(casesim: Casesim, tmp_path: Path) -> None:
    for path in (ROOT / "scoring").glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    miti = tmp_path / "miti.yaml"
    miti.write_text(miti.read_text(encoding="utf-8").replace("fair: 1.0", "fiar: 1.0", 1), encoding="utf-8")
    result = casesim("validate", str(tmp_path))
    assert result.exit_code == 1
    assert "miti.yaml:" in result.stdout and "unknown key 'fiar'; did you mean 'fair'?" in result.stdout


def test_test_command_runs_embedded_tests(casesim: Casesim) -> None:
    result = casesim("test", "scenarios/example-check-in.yaml")
    assert result.exit_code == 0, result.stdout
    assert "PASS example-check-in: the expert path passes" in result.stdout
    written = len(yaml.safe_load((ROOT / "scenarios" / "example-check-in.yaml").read_text(encoding="utf-8"))["tests"])
    assert result.stdout.strip().endswith(f"{written} passed, 0 failed")


def test_test_command_reports_a_failing_expectation(casesim: Casesim, tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "example-check-in.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "example.yaml"
    broken.write_text(text.replace("expect:\n      ending: engaged\n      passed: true",
                                   "expect:\n      ending: lost-contact\n      passed: true", 1), encoding="utf-8")
    result = casesim("test", str(broken))
    assert result.exit_code == 1
    assert "FAIL example-check-in: the expert path passes" in result.stdout
    assert "expected ending 'lost-contact'" in result.stdout


def test_new_writes_a_starter_that_validates_and_tests(casesim: Casesim, tmp_path: Path) -> None:
    result = casesim("new", "intake-housing-loss", "--kind", "intake", "-o", str(tmp_path / "s.yaml"))
    assert result.exit_code == 0
    assert casesim("validate", str(tmp_path / "s.yaml")).exit_code == 0
    # A one-decision skeleton cannot earn its pass yet: --strict says so, and says what to add.
    strict = casesim("validate", "--strict", str(tmp_path / "s.yaml"))
    assert strict.exit_code == 1
    codes = set(re.findall(r"\[([a-z-]+)\]", strict.stdout))
    assert codes == {"answer-cue"}, strict.stdout
    assert "make more weak options cost points or lead to a poor ending" in " ".join(strict.stdout.split())
    assert casesim("test", str(tmp_path / "s.yaml")).exit_code == 0
    again = casesim("new", "intake-housing-loss", "--kind", "intake", "-o", str(tmp_path / "s.yaml"))
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_new_refuses_an_unknown_kind(casesim: Casesim) -> None:
    result = casesim("new", "x", "--kind", "party")
    assert result.exit_code == 2
    assert "'party' is not one of 'intake', 'crisis'" in " ".join(result.stderr.split())


def test_graph_mermaid_and_dot(casesim: Casesim) -> None:
    mermaid = casesim("graph", "scenarios/example-check-in.yaml")
    assert mermaid.exit_code == 0
    assert mermaid.stdout.startswith('---\ntitle: "Example: a first check-in call"\n---\nflowchart LR\n')
    assert '  n0 ==>|"introduce-and-ask-time"| n1\n' in mermaid.stdout  # on the expert path
    dot = casesim("graph", "scenarios/example-check-in.yaml", "--format", "dot")
    assert dot.exit_code == 0 and '"opening" -> "role-and-limits" [label="introduce-and-ask-time", penwidth=3]' in dot.stdout


def test_graph_svg_without_the_renderer_says_what_to_install(casesim: Casesim, tmp_path: Path) -> None:
    result = casesim("graph", "scenarios/example-check-in.yaml", "--format", "svg",
                     env={"CASESIM_MERMAID_DIR": str(tmp_path), "CASESIM_CHROMIUM": str(tmp_path / "chromium")})
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines()[:2] == [
        "error: the Mermaid renderer is not installed",
        f"rendering a graph as SVG needs Chromium at {tmp_path / 'chromium'} (given by --chromium or "
        "$CASESIM_CHROMIUM), which "
        f"does not exist; the mermaid and playwright-core npm packages in {tmp_path} (`npm ci` there).",
    ]
    assert "make mermaid" in result.stderr and "apt-get install chromium" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_graph_svg_writes_the_picture(casesim: Casesim, tmp_path: Path) -> None:
    from casesim.authoring.mermaid_render import RendererMissingError, find_renderer

    try:
        find_renderer()
    except RendererMissingError as exc:
        pytest.skip(f"the Mermaid renderer is not installed ({'; '.join(exc.missing)})")
    out = tmp_path / "graph.svg"
    result = casesim("graph", "scenarios/example-check-in.yaml", "--format", "svg", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and 'aria-roledescription="flowchart-v2"' in svg
    assert "Example: a first check-in call" in svg and "introduce-and-ask-time" in svg


def test_schema_check_detects_drift(casesim: Casesim, tmp_path: Path) -> None:
    stale = tmp_path / "stale.json"
    stale.write_text("{}", encoding="utf-8")
    assert casesim("schema", "--check", "schemas/scenario.schema.json").exit_code == 0
    assert casesim("schema", "--check", str(stale)).exit_code == 1


def test_analyse_reports_what_the_analysis_proves(casesim: Casesim, example: AnalysedScenario) -> None:
    # The figures the command prints are the analysis's own (the example's content changes).
    analysis = example.analysis
    assert analysis.total is not None and analysis.expert_total is not None
    result = casesim("analyse", "scenarios/example-check-in.yaml", "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["states"] == analysis.state_count and summary["complete"] is True
    assert summary["reachable_nodes"] == summary["nodes"] == len(example.scenario.nodes)
    assert summary["worst_total"] == analysis.total.worst and summary["expert_total"] == analysis.expert_total
    assert summary["expert_path"][0] == "introduce-and-ask-time"
    limits = analysis.extremes["NASW-1.01"]
    assert summary["criteria"]["NASW-1.01"] == {"worst": limits.worst, "best": limits.best}
    text = casesim("analyze", "scenarios/example-check-in.yaml")  # the US spelling is an alias
    assert analysis.merged
    assert f"{analysis.state_count:,} distinct states analysed" in text.stdout
    assert "expert path: introduce-and-ask-time ->" in text.stdout


def test_analyse_refuses_a_broken_file(casesim: Casesim) -> None:
    result = casesim("analyse", str(BROKEN / "goto-missing.yaml"))
    assert result.exit_code == 1 and "goto-missing" in result.stderr
