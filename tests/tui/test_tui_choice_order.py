"""Choosing without a position cue: the attempt's order, nothing highlighted, a settle time.

Pressing 1 (or Enter) at every prompt used to replay the expert path, because the author wrote
the best option first, it was highlighted, and a carried-over Enter said it (UX review §0, P1,
P2). These tests drive the app through Pilot with the fake clock.
"""

from __future__ import annotations

from dataclasses import replace

from casesim.records.api import RecordStore
from casesim.semantics.order import shown_choices
from casesim.tui.screens import DebriefScreen, LibraryScreen, PlayScreen
from casesim.tui.widgets.choice_list import ChoiceList
from support.clock import FakeClock
from support.tui import (
    CRITICAL,
    EXPERT,
    TEST_SEED,
    AppFactory,
    choice_key,
    choose,
    open_and_start,
    play_area,
    settle,
    shown_ids,
)

STEP_PAYLOAD = {"node", "choice", "seconds", "state", "replayed", "lines"}
"""Everything a recorded choice carries: the choice (and the lines shown) by id, never the number
it had on screen."""


async def test_nothing_is_highlighted_and_enter_alone_chooses_nothing(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter", "enter")  # open, start, and a third Enter carried over
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        session = play_area(app).attempt.session
        choices = app.screen.query_one(ChoiceList)
        assert choices.highlighted is None
        assert session.path == [], "an Enter with nothing highlighted says nothing"
        await pilot.press("down")
        assert choices.highlighted == 0
        first = shown_ids(app)[0]
        await pilot.press("enter")
        await pilot.pause()
        assert session.path == [first]
        assert choices.highlighted is None, "the next node opens with nothing highlighted again"


async def test_number_keys_follow_the_order_on_screen_not_the_authors(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        await choose(pilot, EXPERT[:1])
        session = play_area(app).attempt.session
        shown = shown_ids(app)
        assert shown == [s.id for s in session.shown_choices()]
        assert shown != [s.id for s in session.open_choices()], f"seed {TEST_SEED} reorders this node"
        await pilot.press("1")
        await pilot.pause()
        assert session.path == [EXPERT[0], shown[0]]


async def test_a_key_pressed_within_the_settle_time_is_ignored(make_test_app: AppFactory, clock: FakeClock) -> None:
    app = make_test_app(choice_settle_seconds=0.4)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        session = play_area(app).attempt.session
        key = choice_key(app, EXPERT[0])
        await pilot.press(key)
        await pilot.pause()
        assert session.path == [], "pressed the moment the choices appeared: ignored"
        assert [n.message for n in app._notifications] == ["Take a moment to read the choices first."]
        clock.advance(0.3)
        await pilot.press(key)
        assert session.path == [], "0.3 s after an ignored key: still too soon (a held key never gets through)"
        assert len(app._notifications) == 1, "told once per set of choices, not once per key"
        clock.advance(0.3)
        await pilot.press("down", "enter")
        assert session.path == [], "Enter on a highlight is ignored the same way"
        clock.advance(0.41)
        await pilot.press(choice_key(app, EXPERT[0]))
        await pilot.pause()
        assert session.path == EXPERT[:1], "after the settle time the key chooses"
        await pilot.press(choice_key(app, EXPERT[1]))
        assert session.path == EXPERT[:1], "the new choices have their own settle time"
        clock.advance(0.45)
        await pilot.press(choice_key(app, EXPERT[1]))
        await pilot.pause()
        assert session.path == EXPERT[:2]


async def test_a_resumed_attempt_shows_the_order_it_showed_before(make_test_app: AppFactory,
                                                                  store: RecordStore) -> None:
    draws = iter([TEST_SEED])
    app = make_test_app(new_seed=lambda: next(draws, TEST_SEED + 1))  # any later draw differs
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        await choose(pilot, EXPERT[:1])
        attempt = play_area(app).attempt
        before = shown_ids(app)
        program, state = attempt.program, attempt.session.state
        assert [s.id for s in shown_choices(program, state, TEST_SEED + 1)] != before, "a new seed would differ"
        await pilot.press("p", "s")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("enter")  # the attempt in progress
        await pilot.pause()
        resumed = play_area(app).attempt
        assert resumed.attempt_id == attempt.attempt_id and resumed.session.seed == TEST_SEED
        assert shown_ids(app) == before
        assert store.attempt(attempt.attempt_id or "").seed == TEST_SEED


async def test_replay_from_a_decision_shows_the_order_the_attempt_showed(make_test_app: AppFactory) -> None:
    draws = iter([TEST_SEED])
    app = make_test_app(new_seed=lambda: next(draws, TEST_SEED + 1))
    app.trainee = replace(app.trainee, mode="assessment")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        await choose(pilot, CRITICAL[:1])
        at_decision_2 = shown_ids(app)
        await choose(pilot, CRITICAL[1:])
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        await pilot.press("tab", "tab", "r")  # decision 2
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert play_area(app).attempt.session.path == CRITICAL[:1]
        assert shown_ids(app) == at_decision_2


async def test_pressing_1_at_every_prompt_in_assessment_does_not_follow_the_expert(
        make_test_app: AppFactory, store: RecordStore) -> None:
    app = make_test_app()
    app.trainee = replace(app.trainee, mode="assessment")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # The expert path, by id: where does the expert's choice stand on screen?
        await open_and_start(pilot)
        places = []
        for step_id in EXPERT:
            places.append(shown_ids(app).index(step_id) + 1)
            await choose(pilot, [step_id])
        # with TEST_SEED: [1, 2, 2, 1, 1, 1, 1, 2]; three of the 1s are nodes with a single option
        assert sum(1 for p in places if p != 1) >= 3, f"the expert's option is often not number 1: {places}"
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        # Now only "1", as the review's driver did.
        await open_and_start(pilot)
        area = play_area(app)
        while not area.attempt.finished:
            await pilot.press("1")
            await pilot.pause()
        ones = area.attempt.session.path
        assert ones[:len(EXPERT)] != EXPERT[:len(ones)]
        await settle(pilot)
        debrief = area.attempt.debrief
        assert debrief is not None and not debrief.passed, (ones, debrief)
    for row in store.attempts():
        for event in store.events(row.id):
            if event.kind == "choice":
                assert set(event.payload) <= STEP_PAYLOAD, event.payload
