"""`include:` of shared blocks and `choice_sets:`: resolution, prefixes, positions in the file the
text is written in, and the refusals (paths outside the library, cycles, unbound exits)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from casesim.authoring.embedded_tests import run_tests
from casesim.authoring.pipeline import SourceReport, find_scenario_files, load_scenario
from casesim.format.reader import ReusedPosition
from casesim.play.library import load_library
from casesim.scoring.catalog import Catalog
from support.paths import DATA, ROOT, SCENARIOS

HEAD = """format: 2
id: uses-a-block
version: 1.0.0
title: Uses a block
kind: other
summary: A scenario that brings in a shared block.
estimated_minutes: 5
objectives: [Say something useful.]
reviewed: {status: draft}
client: {name: Kim, age: 30, pronouns: she/her, background: A test client.}
"""

BLOCK = """about: A two-node block for tests.
parameters:
  exit: Where the block leaves to.
variables:
  asked: {start: false}
nodes:
  first:
    client: "Hello."
    choices:
      - id: greet
        say: "Hi there."
        goto: second
        effects: {asked: true}
        scores: {SAMHSA14-P2: 1}
        feedback: A greeting (SAMHSA principle 2).
  second:
    client: "Go on."
    choices:
      - id: leave
        say: "Let's go on."
        goto: $exit
        when: "visited(first) and chose(greet)"
        scores: {SAMHSA14-P2: 1}
        feedback: Going on (SAMHSA principle 2).
"""

TAIL = """start: opening
nodes:
  opening:
    client: "Hi."
    choices:
      - id: begin
        say: "Shall we start?"
        goto: blk-first
        scores: {SAMHSA14-P2: 1}
        feedback: Asking first (SAMHSA principle 2).
endings:
  done: {outcome: success, title: Done, summary: It ended.}
"""

INCLUDE = """include:
  - file: shared/block.yaml
    prefix: blk-
    with: {exit: done}
"""


def _library(tmp_path: Path, scenario: str, **files: str) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    main = tmp_path / "scenario.yaml"
    main.write_text(scenario, encoding="utf-8")
    return main


def _load(path: Path, catalog: Catalog, root: Path | None = None) -> SourceReport:
    return load_scenario(path, catalog, library_root=root)


def _errors(report: SourceReport) -> list[tuple[str, int, int, str, str]]:
    return [(d.path, d.line, d.col, d.code, d.message) for d in report.errors]


def test_the_shared_cssrs_block_passes_its_embedded_tests_in_a_scenario(catalog: Catalog) -> None:
    report = _load(DATA / "include" / "cssrs-demo.yaml", catalog, ROOT)
    assert report.errors == [] and report.warnings == []
    analysed = report.analysed
    assert analysed is not None
    outcomes = run_tests(analysed, catalog)
    assert [o.ok for o in outcomes] == [True, True]
    nodes = analysed.scenario.nodes
    assert {"cssrs-q1", "cssrs-q2", "cssrs-q3", "cssrs-q4", "cssrs-q5", "cssrs-q6", "cssrs-q6a"} <= set(nodes)
    assert [c.goto for c in nodes["cssrs-q6a"].choices] == ["triage", "triage", "triage"]
    assert [p.protocol for p in analysed.scenario.protocols] == ["cssrs-screener"]
    # The block's text keeps the place where it is written.
    block_lines = (SCENARIOS / "shared" / "cssrs-screen.yaml").read_text(encoding="utf-8").splitlines()
    pos = analysed.document.position(("nodes", "cssrs-q1", "choices", 0, "id"))
    assert isinstance(pos, ReusedPosition)
    assert pos.file == os.path.normpath(str(DATA / "include" / "../../../scenarios/shared/cssrs-screen.yaml"))
    assert block_lines[pos.line - 1] == "      - id: ask-q1-yes" and pos.col == 13
    assert pos.via == f"included from {DATA / 'include' / 'cssrs-demo.yaml'}:34:5"


def test_two_blocks_and_a_choice_set_make_a_scenario_whose_tests_pass(catalog: Catalog) -> None:
    report = _load(DATA / "include" / "telehealth-demo.yaml", catalog, ROOT)
    assert report.errors == [] and report.warnings == []
    assert report.analysed is not None
    assert all(o.ok for o in run_tests(report.analysed, catalog))


def test_ids_get_the_prefix_and_exits_and_references_are_bound(tmp_path: Path, catalog: Catalog) -> None:
    main = _library(tmp_path, HEAD + INCLUDE + TAIL, **{"shared/block.yaml": BLOCK})
    report = _load(main, catalog)
    assert report.errors == []
    assert report.model is not None
    second = report.model.nodes["blk-second"]
    assert [(c.id, c.goto, c.when) for c in second.choices] == [
        ("blk-leave", "done", "visited(blk-first) and chose(blk-greet)")]
    assert report.model.variables["asked"].start is False


def test_an_error_in_an_included_file_points_at_that_file(tmp_path: Path, catalog: Catalog) -> None:
    main = _library(tmp_path, HEAD + INCLUDE + TAIL,
                    **{"shared/block.yaml": BLOCK.replace("goto: second", "goto: secnd")
                       .replace("scores: {SAMHSA14-P2: 1}\n        feedback: A greeting", "scores: {SAMHSA-P2: 1}\n"
                                "        feedback: A greeting")})
    block = str(tmp_path / "shared" / "block.yaml")
    via = f"(included from {main}:12:5)"
    assert _errors(_load(main, catalog)) == [
        (block, 12, 15, "block-goto", "goto 'secnd': this block has no node 'secnd'; did you mean 'second'?; a shared "
                                      "block leaves only through a parameter: write `goto: $exit` and list `exit` "
                                      f"under `parameters:` {via}"),
    ]
    fixed_goto = BLOCK.replace("scores: {SAMHSA14-P2: 1}\n        feedback: A greeting",
                               "scores: {SAMHSA-P2: 1}\n        feedback: A greeting")
    (tmp_path / "shared" / "block.yaml").write_text(fixed_goto, encoding="utf-8")
    assert _errors(_load(main, catalog)) == [
        (block, 14, 18, "unknown-criterion", f"unknown criterion 'SAMHSA-P2'; did you mean 'SAMHSA14-P2'? {via}"),
    ]


def test_a_yaml_mistake_in_an_included_file_is_reported_there(tmp_path: Path, catalog: Catalog) -> None:
    main = _library(tmp_path, HEAD + INCLUDE + TAIL,
                    **{"shared/block.yaml": BLOCK.replace('client: "Go on."', "client: Go on: now.")})
    [error] = _errors(_load(main, catalog))
    assert error[:4] == (str(tmp_path / "shared" / "block.yaml"), 17, 18, "colon-in-text")
    assert error[4].endswith(f"(included from {main}:12:5)")


def test_a_prefixed_id_that_clashes_is_an_error_at_the_included_node(tmp_path: Path, catalog: Catalog) -> None:
    scenario = HEAD + INCLUDE + TAIL.replace("endings:", "  blk-second:\n    client: Hi.\n    choices:\n"
                                             "      - {id: x, say: Hi., goto: done, feedback: F.}\nendings:")
    main = _library(tmp_path, scenario, **{"shared/block.yaml": BLOCK})
    assert _errors(_load(main, catalog)) == [
        (str(tmp_path / "shared" / "block.yaml"), 16, 3, "id-clash",
         f"with the prefix 'blk-' this node becomes 'blk-second', and there is already a node called 'blk-second' at "
         f"{main}:25:3; choose another prefix for this include, or rename one of them (included from {main}:12:5)"),
    ]


def test_an_include_cycle_is_refused_and_named(tmp_path: Path, catalog: Catalog) -> None:
    loop_a = BLOCK + "include:\n  - {file: b.yaml, prefix: b-, with: {exit: first}}\n"
    loop_b = BLOCK + "include:\n  - {file: block.yaml, prefix: a-, with: {exit: first}}\n"
    main = _library(tmp_path, HEAD + INCLUDE + TAIL, **{"shared/block.yaml": loop_a, "shared/b.yaml": loop_b})
    [error] = _errors(_load(main, catalog))
    assert error[:4] == (str(tmp_path / "shared" / "b.yaml"), 26, 12, "include-cycle")
    assert error[4].startswith("these files include each other in a circle: shared/block.yaml -> shared/b.yaml -> "
                               "shared/block.yaml; remove one of these includes (included from ")


@pytest.mark.parametrize(("path", "how"), [
    ("../../etc/passwd", "leads outside"),
    ("/etc/passwd", "absolute"),
    ("escape/block.yaml", "goes through a symbolic link that points outside"),
])
def test_an_include_path_outside_the_library_is_refused(tmp_path: Path, catalog: Catalog, path: str, how: str) -> None:
    library = tmp_path / "library"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "block.yaml").write_text(BLOCK, encoding="utf-8")
    library.mkdir()
    (library / "escape").symlink_to(outside, target_is_directory=True)
    main = _library(library, HEAD + INCLUDE.replace("shared/block.yaml", path) + TAIL)
    [error] = _errors(_load(main, catalog))
    assert error[:4] == (str(main), 12, 11, "include-path")
    assert how in error[4] and repr(path) in error[4]


def test_exits_must_be_bound_and_named_as_the_block_names_them(tmp_path: Path, catalog: Catalog) -> None:
    main = _library(tmp_path, HEAD + INCLUDE.replace("{exit: done}", "{exti: done}") + TAIL,
                    **{"shared/block.yaml": BLOCK})
    block = os.path.normpath(str(tmp_path / "shared" / "block.yaml"))
    assert [e[1:] for e in _errors(_load(main, catalog))] == [
        (14, 11, "parameter-unbound", f"{block} leaves through $exit: say where with `with: {{exit: NODE}}`"),
        (14, 12, "unknown-parameter", f"{block} has no parameter 'exti'; did you mean 'exit'?"),
    ]


def test_a_choice_set_is_copied_into_each_node_that_uses_it(tmp_path: Path, catalog: Catalog) -> None:
    scenario = HEAD + """choice_sets:
  closing:
    - id: thank
      say: "Thank you."
      goto: $after
      scores: {SAMHSA14-P2: 1}
      feedback: Thanks (SAMHSA principle 2).
start: one
nodes:
  one:
    client: "One."
    choices: {use: closing, with: {after: two}}
  two:
    client: "Two."
    choices:
      - {use: closing, with: {after: done}}
      - id: own
        say: "Something else."
        goto: done
        when: "visited(nowhere)"
        scores: {SAMHSA14-P2: 1}
        feedback: Own (SAMHSA principle 2).
endings:
  done: {outcome: success, title: Done, summary: It ended.}
"""
    main = _library(tmp_path, scenario)
    report = _load(main, catalog)
    assert report.model is not None
    assert [(c.id, c.goto) for c in report.model.nodes["two"].choices] == [("two-thank", "done"), ("own", "done")]
    assert [(c.id, c.goto) for c in report.model.nodes["one"].choices] == [("one-thank", "two")]
    assert _errors(report) == [
        (str(main), 31, 24, "expression", "in 'visited(nowhere)': there is no node called 'nowhere'"),
    ] or [e[3] for e in _errors(report)] == ["expression"]
    # An error inside the set is reported once for each node that uses it, at the set's line.
    main.write_text(scenario.replace("goto: $after", "goto: $afterwards"), encoding="utf-8")
    got = [(e[1], e[2], e[3], e[4]) for e in _errors(_load(main, catalog)) if e[3] == "parameter-unbound"]
    assert got == [
        (15, 13, "parameter-unbound", "goto $afterwards: node 'one' uses this set without saying where $afterwards "
                                      "leads; add `with: {afterwards: NODE}` to the use at line 22"),
        (15, 13, "parameter-unbound", "goto $afterwards: node 'two' uses this set without saying where $afterwards "
                                      "leads; add `with: {afterwards: NODE}` to the use at line 26"),
    ]


def test_a_check_inside_a_used_set_names_the_node_that_uses_it(tmp_path: Path, catalog: Catalog) -> None:
    scenario = HEAD + """choice_sets:
  closing:
    - id: thank
      say: "Thank you."
      goto: done
      scores: {SAMHSA-P2: 1}
      feedback: Thanks.
start: one
nodes:
  one:
    client: "One."
    choices: {use: closing}
endings:
  done: {outcome: success, title: Done, summary: It ended.}
"""
    main = _library(tmp_path, scenario)
    assert _errors(_load(main, catalog)) == [
        (str(main), 16, 16, "unknown-criterion", "unknown criterion 'SAMHSA-P2'; did you mean 'SAMHSA14-P2'? "
                                                 "(in choice set 'closing', used by node 'one' at line 22)"),
    ]


def test_the_library_scan_leaves_shared_blocks_out(tmp_path: Path, catalog: Catalog) -> None:
    assert not [f for f in find_scenario_files([SCENARIOS]) if "shared" in f.parts]
    library = load_library([SCENARIOS], catalog)
    assert not library.broken
    assert not [e for e in library.entries if "shared" in Path(e.path).parts]


def test_an_edited_block_changes_the_scenarios_content_hash(tmp_path: Path, catalog: Catalog) -> None:
    main = _library(tmp_path, HEAD + INCLUDE + TAIL, **{"shared/block.yaml": BLOCK})
    before = _load(main, catalog).content_hash
    (tmp_path / "shared" / "block.yaml").write_text(BLOCK.replace("Hi there.", "Hello there."), encoding="utf-8")
    assert _load(main, catalog).content_hash != before


def test_a_block_named_on_its_own_is_checked_as_a_block(catalog: Catalog) -> None:
    report = load_scenario(SCENARIOS / "shared" / "cssrs-screen.yaml", catalog)
    assert [(d.code, d.severity.value) for d in report.diagnostics] == [("shared-block", "note")]


def test_validate_checks_a_library_with_blocks_and_never_lists_a_block_as_a_scenario(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from casesim.cli.main import cli

    main = _library(tmp_path, HEAD + INCLUDE + TAIL, **{"shared/block.yaml": BLOCK.replace("goto: second", "goto: secnd")})
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)], prog_name="casesim")
    assert result.exit_code == 1
    block = tmp_path / "shared" / "block.yaml"
    lines = result.output.splitlines()
    # Once as part of the scenario, once checked on its own; never as a scenario of its own.
    assert lines.count(f"{block}:12:15: error: goto 'secnd': this block has no node 'secnd'; did you mean 'second'?; "
                       "a shared block leaves only through a parameter: write `goto: $exit` and list `exit` under "
                       f"`parameters:` (included from {main}:12:5) [block-goto]") == 1
    assert sum(line.startswith(f"{block}:12:15: error: goto 'secnd'") for line in lines) == 2
    assert "1 scenario(s) and 1 shared block(s) checked: 2 error(s), 0 warning(s)" in result.output
    assert "format" not in result.output  # a block is not reported as a scenario missing its keys


def test_a_few_lines_cannot_copy_a_choice_set_into_millions_of_choices(tmp_path: Path, catalog: Catalog) -> None:
    choice = "    - {id: c%d, say: Hi., goto: done, feedback: F.}\n"
    nodes = "".join(f"  n{i}:\n    choices: {{use: big}}\n" for i in range(300))
    scenario = (HEAD + "choice_sets:\n  big:\n" + "".join(choice % i for i in range(100)) + "start: n0\nnodes:\n"
                + nodes + "endings:\n  done: {outcome: success, title: Done, summary: It ended.}\n")
    report = _load(_library(tmp_path, scenario), catalog)
    [error] = [e for e in _errors(report) if e[3] == "choice-set-too-large"]
    assert error[1:3] == (116 + 2 * 100, 20)  # the use in node n100, the first past 10,000 copies
    assert report.model is None


@pytest.mark.parametrize(("path", "words"), [
    ("shared/\\0block.yaml", "invisible control character"),
    ("shared/" + "x" * 5000 + ".yaml", "cannot be opened"),
])
def test_an_include_path_the_system_cannot_open_is_a_diagnostic(tmp_path: Path, catalog: Catalog, path: str,
                                                                words: str) -> None:
    main = _library(tmp_path, HEAD + INCLUDE.replace("file: shared/block.yaml", f'file: "{path}"') + TAIL)
    [error] = _errors(_load(main, catalog))
    assert error[3] == "include-path" and words in error[4]


def test_a_scenario_cannot_bring_in_blocks_without_end(tmp_path: Path, catalog: Catalog) -> None:
    entries = "".join(f"  - {{file: shared/block.yaml, prefix: b{i}-, with: {{exit: done}}}}\n" for i in range(70))
    main = _library(tmp_path, HEAD + "include:\n" + entries + TAIL, **{"shared/block.yaml": BLOCK})
    errors = [e for e in _errors(_load(main, catalog)) if e[3] == "include-count"]
    assert [e[1] for e in errors] == list(range(12 + 64, 12 + 70))


def test_including_a_scenario_or_a_block_without_about_says_what_a_block_is(tmp_path: Path, catalog: Catalog) -> None:
    main = _library(tmp_path, HEAD + INCLUDE + TAIL, **{"shared/block.yaml": BLOCK.replace(
        "about: A two-node block for tests.\n", "")})
    assert [e[1:4] for e in _errors(_load(main, catalog))] == [(1, 1, "block-about")]
    (tmp_path / "shared" / "block.yaml").write_text(HEAD + TAIL, encoding="utf-8")
    [error] = _errors(_load(main, catalog))
    assert error[:4] == (str(main), 12, 11, "not-a-block")
    assert "is a scenario; a shared block has `about:`" in error[4]


def test_a_choice_set_no_node_uses_is_a_warning(tmp_path: Path, catalog: Catalog) -> None:
    scenario = HEAD + "choice_sets:\n  spare:\n    - {id: s, say: Hi., goto: done, feedback: F.}\n" + TAIL
    report = _load(_library(tmp_path, scenario), catalog)
    assert [(d.line, d.col, d.code, d.severity.value, d.message) for d in report.diagnostics
            if d.code == "unused-choice-set"] == [
        (12, 3, "unused-choice-set", "warning", "no node uses the choice set 'spare', so it is never checked or "
                                                "offered; use it with `choices: {use: spare}`, or delete it")]


def test_include_in_a_format_1_file_is_refused_at_the_key(tmp_path: Path) -> None:
    """`include:` and `choice_sets:` are format 2: a file that promises format 1 is told to migrate."""
    (tmp_path / "shared").mkdir()
    source = (tmp_path / "s.yaml")
    source.write_text(HEAD.replace("format: 2", "format: 1", 1) + "choice_sets:\n  x: []\n", encoding="utf-8")
    report = load_scenario(source, None, analyse_paths=False, library_root=tmp_path)
    found = [(d.code, d.message) for d in report.diagnostics if d.code == "needs-format-2"]
    assert ("needs-format-2", f"`choice_sets`: this key needs `format: 2` (run `casesim migrate {source}`)") in found
