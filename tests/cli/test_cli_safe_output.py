"""No escape sequence from the record reaches the terminal (redteam review H3, issue 13 item 2).

A store written before ids, names and cohorts were checked, or edited by hand, can hold OSC 52
(set the clipboard), OSC 0 (window title), OSC 8 (hyperlink), a one-byte C1 CSI (U+009B) and
newlines (forged rows). Every text command of ``records``, ``report`` and ``export`` is run on
such a store, enumerated from the click groups so that a new command is covered (or fails this
test until it is given arguments here).
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.cli.records import COMMANDS
from casesim.records.sqlite import SQLiteStore
from casesim.records.sqlite import store as store_module
from casesim.scoring.catalog import Catalog
from support.cli import Casesim
from support.records import EXPERT, LOST, play

OSC52 = "\x1b]52;c;cm0gLXJmIH4K\x07"  # clipboard := "rm -rf ~\n"
OSC0 = "\x1b]0;ID-TITLE\x07"
OSC8 = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
CSI_C1 = "\x9b31m"

HOSTILE_ID = f"s1{OSC52}\nforged row {OSC0}"
HOSTILE_NAME = f"Ann {OSC0}{CSI_C1}Lee\nforged name"
HOSTILE_COHORT = f"fall{OSC8}\nforged cohort{CSI_C1}"
HOSTILE_SCENARIO = f"example{OSC52}\nforged scenario"
UNKNOWN = f"nobody{OSC0}{CSI_C1}"

UNSAFE = re.compile("[\x1b\x80-\x9f]")
HOSTILE_FILE = f"copy{OSC0}\nforged file.db"  # a file name printed back by backup, restore and exports

# What to give each argument a command needs, by parameter name.
ARGUMENTS = {"trainee_id": HOSTILE_ID, "trainee": HOSTILE_ID, "name": HOSTILE_COHORT, "cohort": HOSTILE_COHORT}
# Options whose every choice changes what is printed (the filters are exercised separately).
FORMAT_OPTIONS = {"output_format", "table"}


@pytest.fixture
def hostile_db(tmp_path: Path, example: AnalysedScenario, catalog: Catalog,
               monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store holding hostile ids, names and cohorts, written past the validator (as an old store was)."""
    path = tmp_path / "hostile.db"
    with monkeypatch.context() as m:
        m.setattr(store_module, "clean_label", lambda value, kind, **_: value)
        with SQLiteStore(path) as store:
            # a section and term stamped on the attempts below: reports, CSV and the PDF print them
            store.set_cohort_details(HOSTILE_COHORT, section=f"0{OSC0}2\nforged section",
                                     term=f"Fall{OSC52}\nforged term", set_by=HOSTILE_NAME)
            store.upsert_trainee(HOSTILE_ID, HOSTILE_NAME, HOSTILE_COHORT)
            play(store, example, catalog, HOSTILE_ID, EXPERT, mode="assessment")
            play(store, example, catalog, HOSTILE_ID, LOST[:2], finish=False)
            store.upsert_trainee("s2", HOSTILE_NAME, HOSTILE_COHORT)
            play(store, example, catalog, "s2", LOST, mode="assessment")
    conn = sqlite3.connect(path)  # a hand edit: a hostile scenario id, which verify also reports
    conn.execute("UPDATE attempts SET scenario_id = ? WHERE trainee_id = 's2'", (HOSTILE_SCENARIO,))
    conn.commit()
    conn.close()
    return path


def _commands() -> Iterator[tuple[str, click.Command]]:
    for group in COMMANDS:
        assert isinstance(group, click.Group)
        for name, command in sorted(group.commands.items()):
            yield f"{group.name} {name}", command


def _invocations(command: click.Command, tmp_path: Path) -> Iterator[list[str]]:
    """Every way of running ``command`` that prints something different from the store."""
    required: list[str] = []
    for param in command.params:
        if isinstance(param, click.Argument) and param.name in ("dest", "src", "archive"):
            required.append(str(tmp_path / param.name / HOSTILE_FILE))  # made by the test for src, archive
        elif isinstance(param, click.Argument):
            assert param.name in ARGUMENTS, f"give the argument {param.name!r} a hostile value in ARGUMENTS"
            required.append(ARGUMENTS[param.name])
    if command.name == "pdf":
        required += ["-o", str(tmp_path / "out.pdf")]
    choices = [[(f"--{p.name.replace('_', '-') if p.name != 'output_format' else 'format'}", c)
                for c in p.type.choices]
               for p in command.params
               if isinstance(p, click.Option) and p.name in FORMAT_OPTIONS and isinstance(p.type, click.Choice)]
    options = {p.name for p in command.params if isinstance(p, click.Option)}
    selections: list[list[str]] = [[]]
    if "trainee" in options:
        selections += [["--trainee", HOSTILE_ID], ["--trainee", UNKNOWN]]
    if "cohort" in options:
        selections += [["--cohort", HOSTILE_COHORT], ["--cohort", UNKNOWN]]
    for combo in itertools.product(*choices):
        for selection in selections:
            yield [*required, *[str(x) for pair in combo for x in pair], *selection]
    if required and command.name != "pdf":  # a value the store does not have: the error quotes it
        yield [UNKNOWN if value in (HOSTILE_ID, HOSTILE_COHORT) else value for value in required]


def test_every_text_command_keeps_escape_codes_from_the_terminal(hostile_db: Path, tmp_path: Path,
                                                                 casesim: Casesim) -> None:
    ran = []
    for name in ("src", "archive"):  # files to read whose names are hostile: a copy of the hostile store
        (tmp_path / name).mkdir()
        (tmp_path / name / HOSTILE_FILE).write_bytes(hostile_db.read_bytes())
    (tmp_path / "dest").mkdir()
    for label, command in _commands():
        group, name = label.split()
        for args in _invocations(command, tmp_path):
            result = casesim(group, name, *args, "--db", str(hostile_db),
                             env={"CASESIM_DATA": str(tmp_path / "data")})
            where = f"casesim {label} {args!r}"
            assert result.exit_code in (0, 1, 2), f"{where} crashed: {result.output}"
            for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
                found = UNSAFE.search(text)
                assert found is None, f"{where}: raw {found.group()!r} on {stream}: {text[:2000]!r}"
            if group != "export" or name in ("csv",):
                assert not re.search(r"^forged", result.stdout, re.MULTILINE), f"{where} forged a row"
            ran.append((label, result.exit_code))
    labels = {label for label, _ in ran}
    assert labels == {label for label, _ in _commands()}
    # The hostile values were printed (made visible), not left out: the test can fail.
    listed = casesim("records", "list", "--db", str(hostile_db))
    assert "s1␛]52;c;cm0gLXJmIH4K␇␊forged row" in listed.stdout


def test_records_trainee_refuses_a_hostile_id_with_exit_2(tmp_path: Path, casesim: Casesim) -> None:
    db = tmp_path / "new.db"
    result = casesim("records", "trainee", HOSTILE_ID, "--db", str(db))
    assert result.exit_code == 2
    assert "invalid trainee id" in result.stderr and "U+001B" in result.stderr and "hint:" in result.stderr
    assert "\x1b" not in result.stderr
    result = casesim("records", "trainee", "s9", "--cohort", "fall\u202e", "--db", str(db))
    assert result.exit_code == 2 and "invalid cohort" in result.stderr and "--cohort" in result.stderr
    result = casesim("records", "trainee", "  s9 ", "--name", " Ann\t Lee ", "--cohort", "MSW  Fall", "--db", str(db))
    assert result.exit_code == 2 and "U+0009" in result.stderr  # a tab is a control character
    result = casesim("records", "trainee", "  s9 ", "--name", " Ann   Lee ", "--cohort", "MSW  Fall", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert result.stdout == "s9: Ann Lee, cohort MSW Fall, 0 attempt(s)\n"


@pytest.mark.parametrize("command", [["play", "example-check-in", "--plain"], ["resume", "--plain"]])
def test_play_refuses_a_hostile_trainee_option_with_exit_2(command: list[str], casesim: Casesim,
                                                          tmp_path: Path) -> None:
    result = casesim(*command, "--trainee", "Mallory\x1b]0;pwned\x07",
                     env={"CASESIM_DB": str(tmp_path / "r.db"), "CASESIM_DATA": str(tmp_path / "data")})
    assert result.exit_code == 2
    assert "--trainee" in result.stderr and "U+001B" in result.stderr and "\x1b" not in result.stderr
