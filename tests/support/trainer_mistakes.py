"""The typical mistakes of the authoring review, each with the exact errors casesim gives and the
fix a trainer types: what ``tests/authoring/test_trainer_messages.py`` pins, and what the
"Common mistakes" section of ``docs/authoring.md`` shows, generated from here so the page
cannot drift from the messages.

Regenerate the section with: ``.venv/bin/python tests/support/trainer_mistakes.py docs/authoring.md``
(``make docs`` does it).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `support` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.paths import DATA

__all__ = ["BASE", "CASES", "DOC_ROWS", "END", "START", "common_mistakes_markdown", "duplicate_id_message",
           "mistaken_text", "replace_section"]

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
    "|| for or": ('when: "rapport >= 5"', 'when: "rapport >= 5 || distress < 3"', [
        (87, 29, "expression", "in 'rapport >= 5 || distress < 3': '||' is not part of casesim's expressions; "
                               "use `or` instead of `||`")]),
    "! for not": ('when: "rapport >= 5"', 'when: "!told"', [
        (87, 16, "expression", "in '!told': '!' is not part of casesim's expressions; use `not` instead of `!` "
                               '(and `!=` for "is not equal to")')]),
    "a criterion id without its brackets": ("scores: {NASW-1.03(a): 2, NASW-1.01: 1}",
                                            "scores: {NASW-1.03a: 2, NASW-1.01: 1}", [
        (95, 18, "unknown-criterion", "unknown criterion 'NASW-1.03a'; did you mean 'NASW-1.03(a)'?")]),
    "an MI code that is not a MITI code": ("mi: [SEEK]", "mi: [REFLECTION]", [
        (69, 14, "unknown-mi-code", "unknown MI behaviour code 'REFLECTION'; MITI codes: AF, CONF, CR, EMPH, GI, "
                                    "PERSUADE, PWP, Q, SEEK, SR")]),
}


def mistaken_text(name: str) -> str:
    """The frozen example with the mistake ``name`` made in it."""
    old, new, _ = CASES[name]
    text = BASE
    if name == "an alias that copies a whole choice":
        text = text.replace("      - id: introduce-and-ask-time", "      - &intro\n        id: introduce-and-ask-time", 1)
    assert old in text, name
    return text.replace(old, new, 1)


def duplicate_id_message(first: str, scenario_id: str) -> str:
    """What a library scan or ``validate`` says at the ``id`` of a second file with ``scenario_id``."""
    return (f"another file, {first}, already uses the scenario id {scenario_id!r}; records name a scenario by its "
            f"id, so give this one its own id (e.g. {scenario_id}-2) or remove one of the two files")


# (case name, what the trainer wrote, the fix), in the order the page lists them. A case name
# that is not in CASES stands for a message pinned elsewhere, given here in full.
DOC_ROWS: list[tuple[str, str, str]] = [
    ("tab", "a tab at the start of a line", "indent with spaces"),
    ("colon in a text", "`narration: Dana says: hello there.`", '`narration: "Dana says: hello there."`'),
    ("colon in a list item", "`- Goal: explain the case-manager role` (in a list of texts)",
     '`- "Goal: explain the case-manager role"`'),
    ("a text starting with [", "`narration: [quietly] Dana picks up.`", '`narration: "[quietly] Dana picks up."`'),
    ("curly quotes around a text", "`client: \u201cYeah: is this the housing people?\u201d`", "straight quotes"),
    ("an unclosed quote", "`client: \"Yeah, hello? Sorry, I'm on a bus.` (no closing quote)", "close the quote"),
    ("a stray comma", "`effects: {rapport: 1,, distress: 1}`", "one comma between items"),
    ("an indentation that does not line up", "a key indented one space more than its neighbours",
     "line it up with the keys around it"),
    ("= for ==", '`when: "rapport = 5"`', "`rapport == 5`"),
    ("&& for and", '`when: "rapport >= 5 && distress < 3"`', "`rapport >= 5 and distress < 3`"),
    ("|| for or", '`when: "rapport >= 5 \\|\\| distress < 3"`', "`rapport >= 5 or distress < 3`"),
    ("! for not", '`when: "!told"`', "`not told`"),
    ("curly quotes around a guard", "`when: \u201crapport >= 5\u201d`", '`when: "rapport >= 5"`'),
    ("capitals and underscores in an id", "`- id: Cheer_Up`", "`cheer-up`"),
    ("a capital in a node id", "a node `Role-and-Limits:`", "`role-and-limits:`"),
    ("a capital in a variable name", "a variable `Rapport:`", "`rapport:`"),
    ("a criterion id without its brackets", "`scores: {NASW-1.03a: 2}`", "`scores: {NASW-1.03(a): 2}`"),
    ("an MI code that is not a MITI code", "`mi: [REFLECTION]`", "`mi: [SR]` (simple) or `mi: [CR]` (complex)"),
    ("a too-long text", "a 4,499-character narration", "shorten it, or split it over two nodes"),
    ("a duplicate node", "a second node called `opening:`", "rename the copy"),
    ("a version with two numbers", "`version: 1.0`", "`version: 1.0.0`"),
    ("an alias that copies a whole choice", "`- *intro` reusing a whole choice through a YAML anchor",
     "a choice set (`choice_sets:` and `choices: {use: NAME}`); anchors still work for values such as `effects` or `scores`"),
    ("the same scenario id in two files", "`id: example-check-in` in `a.yaml` and in `b.yaml`",
     "give one of them its own id"),
]

START = "<!-- common-mistakes: generated from tests/support/trainer_mistakes.py; do not edit by hand -->"
END = "<!-- end of common-mistakes -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _says(name: str) -> str:
    if name == "the same scenario id in two files":
        return duplicate_id_message("a.yaml", "example-check-in")
    return "<br>".join(message for _, _, _, message in CASES[name][2])


def common_mistakes_markdown() -> str:
    """The generated table, between its markers."""
    rows = [START, "", "| you wrote | casesim says | fix |", "|---|---|---|"]
    rows += [f"| {wrote} | {_cell(_says(name))} | {fix} |" for name, wrote, fix in DOC_ROWS]
    return "\n".join([*rows, "", END])


def replace_section(page: str) -> str:
    """``page`` with its generated section replaced by the current one."""
    before, found, rest = page.partition(START)
    if not found:
        raise SystemExit(f"the page has no {START!r} marker")
    _, found, after = rest.partition(END)
    if not found:
        raise SystemExit(f"the page has no {END!r} marker")
    return before + common_mistakes_markdown() + after


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/authoring.md")
    target.write_text(replace_section(target.read_text(encoding="utf-8")), encoding="utf-8")
