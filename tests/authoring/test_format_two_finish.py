"""The last format-2 keys: a test's `given:` (and its `visited`/`unreachable` expectations) needs
`format: 2`; a `one_of` wording can carry its own `speaker:`, checked against the cast and shown
with the speaker's name wherever lines are shown."""

from __future__ import annotations

from casesim.authoring.pipeline import load_scenario_bytes
from casesim.format.lines import scenario_lines
from casesim.scoring.catalog import Catalog
from casesim.semantics.program import apply, initial_state, open_choices
from casesim.semantics.render import Draw, node_line
from support.paths import VALID

BASE = (VALID / "minimal.yaml").read_text(encoding="utf-8")

TESTS = """tests:
  - name: starts warm
    choose: [finish]
    start: middle
    given: {variables: {rapport: 7}}
    expect: {ending: done, visited: [middle], unreachable: []}
"""


def test_given_in_a_format_one_file_says_to_migrate(catalog: Catalog) -> None:
    report = load_scenario_bytes((BASE + TESTS).encode(), "old.yaml", catalog)
    found = [(d.line, d.col, d.message) for d in report.errors if d.code == "needs-format-2"]
    assert found == [
        (45, 5, "`given`: this key needs `format: 2` (run `casesim migrate old.yaml`)"),
        (46, 28, "`visited`: this key needs `format: 2` (run `casesim migrate old.yaml`)"),
        (46, 47, "`unreachable`: this key needs `format: 2` (run `casesim migrate old.yaml`)"),
    ]


def test_given_in_a_format_two_file_loads(catalog: Catalog) -> None:
    text = (BASE + TESTS).replace("format: 1", "format: 2")
    report = load_scenario_bytes(text.encode(), "new.yaml", catalog)
    assert report.ok, report.diagnostics


CAST = BASE.replace("format: 1", "format: 2").replace(
    "start: hello\n", "cast:\n  mother: {name: Ana Ruiz, role: parent}\nstart: hello\n")


def _with_client(client: str, text: str = CAST) -> str:
    return text.replace('    client: "Okay."\n', client, 1)


WORDINGS = """    client:
      one_of:
        - "Okay."
        - {say: "She means okay.", speaker: mother}
"""


def test_a_one_of_wording_has_its_own_speaker(catalog: Catalog) -> None:
    report = load_scenario_bytes(_with_client(WORDINGS).encode(), "s.yaml", catalog)
    assert report.ok, report.diagnostics
    assert report.analysed is not None
    program = report.analysed.program
    [field] = [f for f in scenario_lines(program.scenario) if f.id == "node.middle.client"]
    assert [(a.id, a.text, a.speaker) for a in field.alternatives()] == [
        ("node.middle.client.one_of.0", "Okay.", None),
        ("node.middle.client.one_of.1", "She means okay.", "mother")]
    state = initial_state(program)
    [greet] = [s for s in open_choices(program, state) if s.id == "greet"]
    middle = apply(program, state, greet)
    said = {node_line(program, middle, "client", Draw(seed, 0)) for seed in range(40)}
    assert {(s.text, s.speaker) for s in said if s is not None} == {("Okay.", None), ("She means okay.", "mother")}


def test_a_misspelt_wording_speaker_suggests_the_cast(catalog: Catalog) -> None:
    text = _with_client(WORDINGS.replace("speaker: mother", "speaker: mothr"))
    report = load_scenario_bytes(text.encode(), "s.yaml", catalog)
    found = [(d.line, d.col, d.message) for d in report.errors if d.code == "unknown-speaker"]
    assert found == [(36, 45, "unknown speaker 'mothr'; did you mean 'mother'?")]


def test_a_variant_speaker_is_checked_once_for_all_its_wordings(catalog: Catalog) -> None:
    client = """    client:
      - speaker: mum
        one_of: ["Okay.", "Fine."]
"""
    report = load_scenario_bytes(_with_client(client).encode(), "s.yaml", catalog)
    found = [(d.line, d.code) for d in report.errors]
    assert found == [(34, "unknown-speaker")]


def test_an_ending_speaker_is_checked(catalog: Catalog) -> None:
    text = CAST.replace("summary: It went fine.}",
                        "summary: It went fine., client: {one_of: [Bye., {say: Bye now., speaker: dad}]}}")
    report = load_scenario_bytes(text.encode(), "s.yaml", catalog)
    assert [d.code for d in report.errors] == ["unknown-speaker"]
