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
from support.paths import DATA

# A frozen copy of the example scenario as it was when these positions were pinned: the live
# example changes with the library, and these tests are about the messages, not its content.
BASE = (DATA / "trainer" / "example-base.yaml").read_text(encoding="utf-8")
LINE_OF_CHEER_UP = BASE.splitlines().index("      - id: cheer-up") + 1
NARRATION = "    narration: Dana picks up on the fifth ring. There is traffic noise behind them."
CLIENT = '    client: "Yeah, hello? Sorry, I\'m on a bus. Is this the housing people?"'

# name -> (text replaced once in the example, its replacement, every error expected)
CASES: dict[str, tuple[str, str, list[tuple[int, int, str, str]]]] = {
    "tab": ("    narration: Dana picks up", "\tnarration: Dana picks up", [
        (60, 1, "tab", "a tab is used for indenting here; YAML indents with spaces only: replace the tabs with "
                       "spaces (most editors can do this for the whole file)")]),
    "colon in a text": (NARRATION, "    narration: Dana says: hello there.", [
        (60, 25, "colon-in-text", "this text has `: ` in it, which YAML reads as the start of another key; put the "
                                  'whole text in quotes: narration: "Dana says: hello there."')]),
    "colon in a list item": ("  - Explain the case-manager role", "  - Goal: explain the case-manager role", [
        (16, 5, "wrong-type", "'objectives' should be text, not a mapping: the `: ` after 'Goal' makes YAML read "
                              "a key and a value; put the whole line in quotes")]),
    "a text starting with [": (NARRATION, "    narration: [quietly] Dana picks up.", [
        (60, 16, "bracket-text", "a text that starts with `[` is read as a list; put the whole line in quotes: "
                                 'narration: "[quietly] Dana picks up."')]),
    "curly quotes around a text": (CLIENT, "    client: \u201cYeah: is this the housing people?\u201d", [
        (61, 18, "curly-quotes", "curly quotes do not quote text in YAML, so the `: ` inside is read as a new key; "
                                 'use straight quotes: client: "Yeah: is this the housing people?"')]),
    "= for ==": ('when: "rapport >= 5"', 'when: "rapport = 5"', [
        (87, 24, "expression", "in 'rapport = 5': '=' is not part of casesim's expressions; use `==` to compare "
                               "(a single `=` is not a comparison)")]),
    "&& for and": ('when: "rapport >= 5"', 'when: "rapport >= 5 && distress < 3"', [
        (87, 29, "expression", "in 'rapport >= 5 && distress < 3': '&&' is not part of casesim's expressions; "
                               "use `and` instead of `&&`")]),
    "curly quotes around a guard": ('when: "rapport >= 5"', "when: \u201crapport >= 5\u201d", [
        (87, 15, "expression", "in '\u201crapport >= 5\u201d': '\u201c' is not part of casesim's expressions; "
                               'use straight quotes " instead of curly quotes \u201c \u201d')]),
    "capitals and underscores in an id": ("id: cheer-up", "id: Cheer_Up", [
        (LINE_OF_CHEER_UP, 13, "bad-name", "the id 'Cheer_Up' is not allowed: ids use lower-case letters, digits and "
                                           "hyphens (like wrap-up); did you mean `cheer-up`?")]),
    "a capital in a node id": ("  role-and-limits:\n", "  Role-and-Limits:\n", [
        (85, 3, "bad-name", "the id 'Role-and-Limits' is not allowed: ids use lower-case letters, digits and "
                            "hyphens (like wrap-up); did you mean `role-and-limits`?")]),
    "a capital in a variable name": ("  rapport:\n    start: 4", "  Rapport:\n    start: 4", [
        (34, 3, "bad-name", "the variable name 'Rapport' is not allowed: variable names use lower-case letters, "
                            "digits and underscores, and start with a letter; did you mean `rapport`?")]),
    "a too-long text": (NARRATION, "    narration: " + "word " * 900, [
        (60, 16, "too-long", "'narration' is 4,499 characters long; the limit is 4,000: shorten it, or split it "
                             "over two nodes")]),
    "a duplicate node": ("\n  role-and-limits:\n", "\n  opening:\n    choices: []\n  role-and-limits:\n", [
        (85, 3, "duplicate-key", "a second node called 'opening'; the first is at line 59: rename the copy "
                                 "(each node needs its own name)")]),
    "an unclosed quote": (CLIENT, '    client: "Yeah, hello? Sorry, I\'m on a bus.', [
        (61, 13, "unclosed-quote", 'the text that starts with " here is never closed; add the closing " at the '
                                   "end of the text")]),
    "a stray comma": ("effects: {rapport: 1}", "effects: {rapport: 1,, distress: 1}", [
        (67, 30, "yaml-syntax", "there is a comma too many here (or a value is missing between two commas); "
                                "remove the extra comma")]),
    "an indentation that does not line up": ("    narration: Dana picks up", "     narration: Dana picks up", [
        (61, 5, "indentation", "this line does not line up with the lines around it: keys of one mapping start "
                               "in the same column, and the items of a list line up under each other; check the "
                               "spaces at the start of this line and the line above")]),
    "a version with two numbers": ("version: 1.0.0", "version: 1.0", [
        (6, 10, "wrong-type", "'version' should be text, not the number 1.0: write three numbers with dots, "
                              "like 1.0.0")]),
    "an alias that copies a whole choice": (
        "      - id: launch-into-questions", "      - *intro\n      - id: launch-into-questions", [
            (75, 9, "duplicate-choice", "the alias *intro copies the choice 'introduce-and-ask-time' from line 65, "
                                        "id and all, and choice ids must be unique; YAML anchors can reuse values "
                                        "such as effects or scores, not whole choices or nodes: to offer the same "
                                        "choices at several nodes, put them under `choice_sets:` and write "
                                        "`choices: {use: NAME}` at each node (each copy gets the node's id in front "
                                        "of its own); for nodes shared by several scenarios, use `include:`")]),
}

JARGON = ("String should", "Input should", "constrained-", "while scanning", "while parsing", "pattern",
          "^[", "could not find expected", "mapping values are not allowed", "<unicode string>", "Value error",
          "cannot start any token", "[key]", "validation error")


def _errors(name: str, catalog: Catalog) -> list[Diagnostic]:
    old, new, _ = CASES[name]
    text = BASE
    if name == "an alias that copies a whole choice":
        text = text.replace("      - id: introduce-and-ask-time", "      - &intro\n        id: introduce-and-ask-time", 1)
    assert old in text, name
    report = load_scenario_bytes(text.replace(old, new, 1).encode(), "trainer.yaml", catalog, analyse_paths=False)
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
    assert (f"{tmp_path / 'b.yaml'}:5:5: error: another file, {tmp_path / 'a.yaml'}, already uses the scenario id "
            "'example-check-in'; records name a scenario by its id, so give this one its own id "
            "(e.g. example-check-in-2) or remove one of the two files [duplicate-scenario-id]") in result.output
