"""The implausible-speed check: reading time from the words a decision screen shows, and the flag."""

from __future__ import annotations

import pytest

from casesim.authoring.pipeline import require_scenario
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from casesim.scoring.pace import READING_WPM, TOO_FAST_RATIO, pace, screen_words
from casesim.semantics.program import Program, initial_state, replay
from support.paths import EXAMPLE
from support.records import EXPERT

# Two screens. At `hello`: narration 4 words, the client 2, choices 4 + 1; the third choice is
# hidden until `told`, so it is not read. At `middle`: the client's variant for `told` (3 words,
# not the 6-word one), choices 2 + 4 (the guarded one is open now).
SCENARIO = """\
format: 1
id: pace-words
version: 1.0.0
title: Pace words
kind: other
summary: Counts the words on each screen.
estimated_minutes: 2
objectives: [Count words.]
reviewed: {status: draft}
client: {name: Test Client, age: 30, pronouns: she/her, background: A fictional client.}
variables:
  told: {start: false}
start: hello
nodes:
  hello:
    narration: "The phone rings twice."
    client: "Hello, you."
    choices:
      - id: greet
        say: "Hello, I'm your worker."
        goto: middle
        effects: {told: true}
        scores: {SAMHSA14-P2: 1}
        feedback: Transparent.
      - id: ignore
        say: "..."
        goto: middle
        scores: {SAMHSA14-P2: -1}
        feedback: Not transparent.
      - id: hidden
        say: "This line is never on screen at the start."
        goto: middle
        when: "told"
        feedback: Hidden.
  middle:
    client:
      - {when: "told", say: "Okay, thanks, worker."}
      - {say: "Who is this, then, exactly?"}
    choices:
      - id: finish
        say: "Let's plan."
        goto: done
        scores: {SAMHSA14-P4: 1}
        feedback: Shares power.
      - id: finish-told
        say: "Since you know me:"
        goto: done
        when: "told"
        feedback: Fine.
endings:
  done: {outcome: success, title: Done, summary: It went fine.}
"""


@pytest.fixture(scope="module")
def program(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Program:
    path = tmp_path_factory.mktemp("pace") / "pace-words.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    loaded = require_scenario(path, catalog)
    assert loaded.program is not None
    return loaded.program


def test_a_screen_counts_its_narration_client_line_and_open_choices_only(program: Program) -> None:
    start = initial_state(program)
    assert screen_words(program, start) == 4 + 2 + 4 + 1
    [(_, _), (middle, _)] = replay(program, ["greet", "finish"]).taken
    assert screen_words(program, middle) == 3 + 2 + 4


def test_reading_time_is_the_words_of_the_screens_shown_at_238_wpm(program: Program) -> None:
    states = [state for state, _ in replay(program, ["greet", "finish"]).taken]
    result = pace(program, states, 100.0)
    assert READING_WPM == 238
    assert result.words == 20
    assert result.reading_seconds == pytest.approx(20 * 60 / 238, abs=1e-3)
    assert (result.wpm, result.ratio, result.too_fast) == (238, TOO_FAST_RATIO, False)


def test_the_flag_is_set_below_half_the_reading_time_and_not_at_it(program: Program) -> None:
    states = [state for state, _ in replay(program, ["greet", "finish"]).taken]
    half = 20 * 60 / 238 * TOO_FAST_RATIO
    assert pace(program, states, half - 0.01).too_fast
    assert not pace(program, states, half + 0.01).too_fast
    assert not pace(program, [], 0.0).too_fast  # nothing to read: nothing read too fast


def test_practice_and_unmeasured_attempts_carry_no_pace(catalog: Catalog) -> None:
    loaded = require_scenario(EXAMPLE, catalog)
    assert loaded.program and loaded.analysis
    assert score_path(loaded.program, loaded.analysis, catalog, EXPERT, mode="practice", decision_seconds=5).pace is None
    assert score_path(loaded.program, loaded.analysis, catalog, EXPERT, mode="assessment").pace is None
    fast = score_path(loaded.program, loaded.analysis, catalog, EXPERT, mode="assessment", decision_seconds=5)
    assert fast.pace is not None and fast.pace.too_fast
