"""``casesim play --plain`` through a pipe (no terminal): the whole conversation reads in order, as
lines, with no box-drawing or block characters and no escape byte, and the record is the TUI's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.format.text import flat
from casesim.records import open_store
from support.cli import INSTALLED
from support.paths import MARKUP, ROOT
from support.plain import PlainDriver, numbered_choices

NOT_PLAIN = re.compile("[\u2500-\u25ff\x1b]")
"""Box drawing, block elements, geometric shapes (bars, ▲▼■□) and ESC: none may reach a screen reader."""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CASESIM_DB": str(tmp_path / "records.db"), "CASESIM_DATA": str(tmp_path / "data")}


@pytest.fixture
def drivers() -> Iterator[list[PlainDriver]]:
    started: list[PlainDriver] = []
    yield started
    for driver in started:
        driver.close()


def _expert_says(example: AnalysedScenario) -> list[str]:
    program = example.program
    return [flat(program.steps[sid].say or sid) for sid in example.analysis.expert_path]


def _play_expert(driver: PlainDriver, says: list[str], *, skip: int = 0) -> None:
    for say in says[skip:]:
        block = driver.wait_prompt()
        choices = numbered_choices(block)
        assert say in choices, f"the expert choice {say!r} is not among the numbered choices:\n{block}"
        driver.answer(str(choices[say]))


def _in_order(text: str, *needles: str) -> None:
    positions = [text.find(n) for n in needles]
    assert -1 not in positions, [n for n, p in zip(needles, positions, strict=True) if p < 0]
    assert positions == sorted(positions), list(zip(needles, positions, strict=True))


def _first_reply(example: AnalysedScenario) -> str:
    """What Dana answers to the expert's first choice, as the scenario now words it."""
    first = example.analysis.expert_path[0]
    reply = example.program.scenario.choice_index()[first][1].reply
    assert isinstance(reply, str)
    return reply


def test_the_expert_path_through_a_pipe_reads_in_order_to_its_debrief(
        example: AnalysedScenario, env: dict[str, str], drivers: list[PlainDriver], tmp_path: Path) -> None:
    page = tmp_path / "debrief.html"
    driver = PlainDriver(["play", "--plain", "example-check-in", "--trainee", "Ana Ruiz", "--mode", "assessment",
                          "--debrief-html", str(page)], env)
    drivers.append(driver)
    _play_expert(driver, _expert_says(example))
    assert driver.finish() == 0
    out = driver.transcript
    assert NOT_PLAIN.search(out) is None, NOT_PLAIN.findall(out)
    # one thing at a time, in reading order: who, what they say, the choices, the question
    _in_order(out, "Example: a first check-in call", "Content notes:", "Playing as Ana Ruiz.",
              "Rapport: 4 of 10.", "Scene: Dana picks up", "Dana says: Yeah, hello?", "Your choices:\n1. ",
              "Type a number, or h for help: ", "You say: Hi Dana, it's Sam", f"Dana says: {_first_reply(example)[:12]}")
    assert "This moment is timed: 60 seconds, time to read it included." in out
    assert "Feedback on your choice" not in out  # assessment: no feedback until the debrief
    # the debrief teaches first: the verdict and why, the decisions that mattered, then the details
    _in_order(out, "The end: ", "Debrief: Example: a first check-in call", "Result:", "You passed this attempt.",
              "Why:", "The decisions that mattered:", "You took the expert choice at every decision.", "Details:",
              "Every decision:", "Scores by framework and criterion:", "Competencies:", "The expert path:")
    assert f"The debrief is also saved as a web page: {page}" in out
    html = page.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and '<th scope="col">' in html and "<h1>" in html
    with open_store(Path(env["CASESIM_DB"])) as store:
        (attempt,) = store.attempts("Ana Ruiz")
        assert (attempt.status, attempt.mode) == ("completed", "assessment")
        chosen = [e.payload["choice"] for e in store.events(attempt.id) if e.kind == "choice"]
        assert chosen == list(example.analysis.expert_path)
        debrief = store.debrief(attempt.id)
        assert debrief is not None and debrief.passed


def test_a_hostile_name_and_hostile_scenario_text_are_shown_not_obeyed(
        env: dict[str, str], drivers: list[PlainDriver]) -> None:
    hostile = "\x1b[2J\x1b[31mMallory\x1b]0;pwned\x07"
    driver = PlainDriver(["play", "--plain", str(MARKUP)], env)
    drivers.append(driver)
    driver.wait_prompt()
    driver.answer(hostile)
    again = driver.wait_prompt()  # refused (it could not be kept with the records), asked again
    assert "That name cannot be kept with your records: it contains a control character (U+001B" in again
    assert "Your name or student id" in again
    driver.answer("  Mallory   Smith ")
    driver.wait_prompt()  # the mode
    driver.answer("1")
    block = driver.wait_prompt()
    assert "Your choices:" in block
    driver.answer("q")
    driver.wait_prompt()
    assert driver.finish(["y"]) == 0
    out = driver.output
    assert b"\x1b" not in out and b"\x07" not in out
    text = driver.transcript
    assert "Playing as Mallory Smith." in text
    assert "[bold red]Markup[/] in a title ␛[31m" in text  # markup and escapes as the author typed them
    assert "You left this scenario. Nothing was scored" in text
    with open_store(Path(env["CASESIM_DB"])) as store:
        (attempt,) = store.attempts()
        assert attempt.status == "left" and attempt.trainee_id == "Mallory Smith"
        assert [e.kind for e in store.events(attempt.id)][-1] == "left"


def test_an_attempt_stopped_for_now_resumes_at_the_same_decision_in_the_same_order(
        example: AnalysedScenario, env: dict[str, str], drivers: list[PlainDriver]) -> None:
    says = _expert_says(example)
    first = PlainDriver(["play", "--plain", "example-check-in", "--trainee", "Ana", "--mode", "practice"], env)
    drivers.append(first)
    _play_expert(first, says[:2])
    before = first.wait_prompt()
    first.answer("p")
    paused = first.wait_prompt()
    assert "The clock is stopped" in paused and "s: stop for now" in paused
    assert first.finish(["s"]) == 0
    assert "Stopped for now. Your attempt is saved" in first.transcript

    second = PlainDriver(["play", "--plain", "example-check-in", "--trainee", "Ana"], env)
    drivers.append(second)
    offer = second.wait_prompt()
    assert "You have an unfinished attempt of this scenario: practice mode, 2 choices made." in offer
    second.answer("r")
    resumed = second.wait_prompt()
    assert "Resuming your practice attempt" in resumed and "The conversation so far:" in resumed
    assert numbered_choices(resumed) == numbered_choices(before)  # the seeded order survives
    second.answer(str(numbered_choices(resumed)[says[2]]))
    _play_expert(second, says, skip=3)
    assert second.finish() == 0
    assert "You passed this attempt." in second.transcript
    assert NOT_PLAIN.search(second.transcript) is None
    with open_store(Path(env["CASESIM_DB"])) as store:
        (attempt,) = store.attempts("Ana")
        kinds = [e.kind for e in store.events(attempt.id)]
        assert attempt.status == "completed"
        assert "pause" in kinds and kinds.count("resume") == 1  # resumed once, by the second run
        assert [e.payload["choice"] for e in store.events(attempt.id) if e.kind == "choice"] == \
            list(example.analysis.expert_path)


def test_plain_mode_never_loads_textual(tmp_path: Path) -> None:
    # the plain player is for terminals and pipes Textual cannot serve: it must not need it at all
    code = ("import sys; from casesim.cli import main; code = main(sys.argv[1:]); "
            "loaded = any(m == 'textual' or m.startswith('textual.') for m in sys.modules); "
            "sys.exit(10 if loaded else code)")
    result = subprocess.run([sys.executable, "-c", code, "play", "--plain", "example-check-in", "--trainee", "Ana",
                             "--db", str(tmp_path / "r.db")], input="1\n2\n", capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-800:]
    assert "Your choices:" in result.stdout


def test_bytes_that_are_not_utf8_are_answered_not_crashed_on(env: dict[str, str]) -> None:
    result = subprocess.run([str(INSTALLED), "play", "--plain", "example-check-in", "--trainee", "Ana", "--mode",
                             "practice"], input=b"\xff\xfe\x1b\n", capture_output=True, timeout=120, cwd=ROOT,
                            env={**os.environ, **env})
    assert result.returncode == 0, result.stderr[-800:]
    assert "I did not understand '\ufffd\ufffd\u241b'." in result.stdout.decode("utf-8")
    assert b"\x1b" not in result.stdout
