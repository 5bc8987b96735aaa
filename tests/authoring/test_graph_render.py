"""``casesim graph``: the Mermaid text is accepted by Mermaid itself, and shows what DOT shows.

The render tests feed every bundled scenario, the starter and a fixture full of hostile ids and
text (``tests/data/graph-labels.yaml``) to the real ``mermaid`` npm package in headless Chromium,
all in one browser session (starting Chromium is most of the time). They skip, saying what is
missing, when Node.js, Chromium or ``make mermaid``'s packages are not installed, as the tmux
tests do; ``make test`` installs them where it can.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from casesim.authoring.graph import scenario_graph
from casesim.authoring.mermaid_render import Rendered, RendererMissingError, find_renderer
from casesim.authoring.pipeline import AnalysedScenario, load_scenario, load_scenario_bytes
from casesim.authoring.starter import starter_scenario
from casesim.bundled import scenarios_dir
from casesim.scoring.catalog import Catalog
from support.paths import DATA

LABELS = DATA / "graph-labels.yaml"
NOTES = DATA / "graph-notes.yaml"
"""Format 2: reviewers' notes (with characters Mermaid gives meaning to) and a branching timer."""
HOSTILE_TITLE = ("Mermaid's \"worst\" case: [brackets] {braces} #hash; a|b <b>x</b> & "
                 "%%{init: {'theme': 'dark'}}%% `tick` — señor 日本 🙂")


def _analysed(path: Path, catalog: Catalog) -> AnalysedScenario:
    report = load_scenario(path, catalog)
    assert report.analysed is not None, f"{path.name}: {report.errors}"
    return report.analysed


@pytest.fixture(scope="module")
def scenarios(catalog: Catalog) -> dict[str, AnalysedScenario]:
    """Every bundled scenario, the starter of `casesim new` and the hostile-label fixture, analysed."""
    out = {path.stem: _analysed(path, catalog) for path in sorted(scenarios_dir().glob("*.yaml"))}
    starter = load_scenario_bytes(starter_scenario("starter", "intake").encode(), "starter.yaml", catalog)
    assert starter.analysed is not None, starter.errors
    out["starter"] = starter.analysed
    out["graph-labels"] = _analysed(LABELS, catalog)
    out["graph-notes"] = _analysed(NOTES, catalog)
    return out


@pytest.fixture(scope="module")
def rendered(scenarios: dict[str, AnalysedScenario]) -> Iterator[dict[str, Rendered]]:
    """What Mermaid made of each scenario's graph, rendered in one browser session."""
    try:
        renderer = find_renderer()
    except RendererMissingError as exc:
        pytest.skip(f"the Mermaid renderer is not installed ({'; '.join(exc.missing)}); "
                    "make system-deps and make mermaid install it")
    texts = {name: scenario_graph(s.program, s.analysis) for name, s in scenarios.items()}
    yield dict(zip(texts, renderer.render(list(texts.values())), strict=True))


def _labels(svg: str) -> list[str]:
    """The text of every node and edge label in a rendered flowchart, as a reader sees it."""
    inner = re.findall(r"<foreignObject[^>]*>(.*?)</foreignObject>", svg, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", part)) for part in inner]


def _title(svg: str) -> str:
    match = re.search(r'<text[^>]*class="flowchartTitleText"[^>]*>(.*?)</text>', svg, flags=re.S)
    assert match is not None, "the rendered graph has no title"
    return html.unescape(match.group(1))


def _edge_paths(svg: str) -> list[str]:
    return re.findall(r'<path[^>]*class="[^"]*flowchart-link[^"]*"[^>]*>', svg)


@pytest.mark.slow
def test_mermaid_accepts_every_bundled_graph(rendered: dict[str, Rendered]) -> None:
    bundled = len(list(scenarios_dir().glob("*.yaml")))
    assert bundled >= 10 and len(rendered) == bundled + 3  # the bundled scenarios, the starter, the two fixtures
    failures = {name: r.error for name, r in rendered.items() if r.error is not None}
    assert failures == {}
    for name, result in rendered.items():
        assert result.svg is not None and result.svg.startswith("<svg"), name
        assert "Syntax error" not in result.svg, name


@pytest.mark.slow
def test_the_rendered_picture_marks_what_dot_marks(rendered: dict[str, Rendered],
                                                   scenarios: dict[str, AnalysedScenario]) -> None:
    for name, scenario in scenarios.items():
        svg = rendered[name].svg
        assert svg is not None, name
        program = scenario.program
        alias = {n: f"n{i}" for i, n in enumerate(program.scenario.nodes)}
        alias |= {e: f"e{i}" for i, e in enumerate(program.scenario.endings)}
        expert = set(scenario.analysis.expert_path)
        # Mermaid numbers parallel edges in its own order, so compare the marks per (from, to) pair.
        expected = Counter((alias[s.node], alias[s.goto], s.is_timeout, s.id in expert and not s.is_timeout,
                            s.critical is not None) for s in program.steps.values())
        drawn: Counter[tuple[str, str, bool, bool, bool]] = Counter()
        for path in _edge_paths(svg):
            if re.search(r'data-id="L_[ne]\d+_[ne]\d+note_\d+"', path):
                continue  # the dotted line to a reviewers' note box is not a step
            pair = re.search(r'data-id="L_([ne]\d+)_([ne]\d+)_\d+"', path)
            assert pair is not None, path[:200]
            drawn[(pair[1], pair[2], "edge-pattern-dotted" in path, "edge-thickness-thick" in path,
                   "stroke:#c62828" in path)] += 1
        # Mermaid draws parallel self-loops (a node that offers several choices leading back to
        # itself, as the caseload inbox does) as one path: for a loop, check that it is drawn.
        loops = {key[0] for key in expected if key[0] == key[1]}
        assert loops == {key[0] for key in drawn if key[0] == key[1]}, name
        assert (Counter({k: v for k, v in drawn.items() if k[0] != k[1]})
                == Counter({k: v for k, v in expected.items() if k[0] != k[1]})), name
        endings = re.findall(r'<g class="node default (success|partial|missed-opportunity|safety-risk|rupture)',
                             svg)
        assert sorted(endings) == sorted(e.outcome for e in scenario.program.scenario.endings.values()), name
        assert re.search(r'<g class="node default start"', svg), name


@pytest.mark.slow
def test_notes_and_timer_branches_are_drawn_as_written(rendered: dict[str, Rendered]) -> None:
    svg = rendered["graph-notes"].svg
    assert svg is not None
    labels = _labels(svg)
    assert "note: Needs DV-advocate review: style & <b>50%</b>" in labels
    assert "greet (note: State law varies | see #3)" in labels
    assert "timeout (30 s) [when: rapport >= 6]" in labels


@pytest.mark.slow
def test_hostile_ids_and_text_are_drawn_exactly_as_written(rendered: dict[str, Rendered]) -> None:
    svg = rendered["graph-labels"].svg
    assert svg is not None
    assert _title(svg) == HOSTILE_TITLE.replace(" & ", " and ")  # Mermaid would show "&amp;" for "&"
    labels = _labels(svg)
    for node_id in ["end", "graph", "style", "subgraph", "default (success)", "flowchart (rupture)"]:
        assert node_id in labels
    assert "linkstyle [when: rapport < 10]" in labels  # ":" written as an entity: the label says "style"
    assert "classdef (never-event)" in labels
    assert "timeout (30 s)" in labels
    long_guard = next(label for label in labels if label.startswith("lifestyle-click [when: "))
    assert long_guard.endswith("…]") and len(long_guard) < 120
    assert 'theme' not in svg.split("<style>")[1].split("</style>")[0]  # the %%{init}%% in the title did nothing


@pytest.mark.slow
def test_the_renderer_reports_what_mermaid_rejects() -> None:
    """The render test can fail: the stateDiagram text casesim used to print is refused."""
    try:
        renderer = find_renderer()
    except RendererMissingError as exc:
        pytest.skip(f"the Mermaid renderer is not installed ({'; '.join(exc.missing)})")
    old = "stateDiagram-v2\n  state \"opening\" as opening\n  opening --> role-and-limits: introduce-and-ask-time\n"
    (result,) = renderer.render([old])
    assert result.svg is None and result.error is not None and "Parse error on line 3" in result.error


def test_every_label_is_quoted_and_every_id_aliased(catalog: Catalog) -> None:
    scenario = _analysed(LABELS, catalog)
    text = scenario_graph(scenario.program, scenario.analysis)
    assert text.startswith('---\ntitle: "Mermaid\'s \\"worst\\" case: [brackets] {braces} #hash; a|b')
    body = text.split("---\n", 2)[2]
    assert body.startswith("flowchart LR\n")
    assert '  n0["end"]' in body and '  e1(["flowchart (rupture)"])' in body
    assert '  n2 -->|"linkstyle [when#58; rapport #lt; 10]"| n1' in body  # ":" next to "style"
    assert '  n0 ==>|"graph"| n1' in body and '  n0 -.->|"timeout (30 s)"| n3' in body
    assert "  linkStyle 4 stroke:#c62828,color:#c62828" in body
    for line in body.splitlines()[1:]:
        for quoted in re.findall(r'"([^"]*)"', line):
            assert not set(quoted) & set('<>&%`|'), line
            assert not re.search(r"#(?!quot;|35;|lt;|gt;|amp;|37;|96;|124;|58;)", quoted), line


def test_dot_marks_guards_and_the_expert_path(catalog: Catalog) -> None:
    scenario = _analysed(LABELS, catalog)
    dot = scenario_graph(scenario.program, scenario.analysis, fmt="dot")
    assert '"end" -> "graph" [label="graph", penwidth=3];' in dot
    assert '"end" -> "subgraph" [label="timeout (30 s)", style=dashed];' in dot
    assert '"graph" -> "flowchart" [label="classdef (never-event)", color=red, fontcolor=red];' in dot
    assert '"style" -> "graph" [label="linkstyle [when: rapport < 10]"];' in dot
    assert 'label="Mermaid\'s \\"worst\\" case' in dot
