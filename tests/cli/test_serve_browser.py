"""``casesim serve`` in a real browser: two students sign in with their codes and play to the debrief.

Starts the real server (``casesim serve``) on a free port against a temporary store, and drives
Debian's chromium with Playwright in three browser contexts (two students and their instructor),
as people would: the sign-in form, then the terminal by keyboard. It checks that identity comes
from the code (the library and the before-you-start screen name the signed-in id; there is no
name field), that neither student sees the other's attempts, that the instructor's live view
(``casesim class watch`` in a served terminal) shows both students and follows the second one's
attempt to its pass without a reload, and that the instructor's page lists both. Screenshots land in the test's folder (``SERVE_SCREENSHOTS`` copies them elsewhere, e.g.
docs/images, to look at them).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from casesim.records import open_store
from casesim.semantics.order import shown_choices
from casesim.semantics.program import apply, initial_state
from support.browser import (
    BROWSER_MARKS,
    BrowserTerminal,
    free_port,
    launch_chromium,
    running_server,
)
from support.cli import Casesim
from support.paths import EXAMPLE
from support.tui import EXPERT

pytestmark = BROWSER_MARKS

COHORT = "MSW Fall 2026"
STUDENTS = {"s1001": "Ana Ruiz", "s1002": "Ben Okafor"}


def _codes(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        return {row["id"]: row["code"] for row in csv.DictReader(handle)}


def _shot(page: Any, folder: Path, name: str) -> None:
    target = folder / f"serve-{name}.png"
    page.screenshot(path=str(target))
    extra = os.environ.get("SERVE_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(extra) / target.name)


def _sign_in(browser: Any, base: str, code: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(base + "/")
    assert page.url == base + "/login"  # nobody gets a session without signing in
    page.get_by_label("Sign-in code").fill(code.lower().replace("-", " "))  # as a student may type it
    page.get_by_role("button", name="Sign in").click()
    return page


def _assert_terminal_fits(page: Any) -> None:
    """The whole terminal is in the window below the page's header: its last row holds the keys
    (textual.js makes the terminal 100vh tall, which put that row below the window's edge)."""
    box = page.evaluate("""() => {const s = document.querySelector('#terminal .xterm-screen').getBoundingClientRect();
        return {top: s.top, bottom: s.bottom, header: document.querySelector('header').getBoundingClientRect().bottom,
                window: window.innerHeight};}""")
    assert box["top"] >= box["header"] - 1 and box["bottom"] <= box["window"] + 1, box


def _row(screen: str, name: str) -> str:
    """The live view's table row of ``name`` (the trainee column shows the roster's name)."""
    rows = [line for line in screen.splitlines() if name in line]
    assert len(rows) == 1, f"{name!r} should be on exactly one row of the live view:\n{screen}"
    return rows[0]


def _wait_for_row(term: BrowserTerminal, name: str, status: str, timeout: float = 60.0) -> str:
    """Wait (the view refreshes itself from the store) until ``name``'s row shows ``status``."""
    deadline = time.monotonic() + timeout
    while True:
        screen = term.text()
        rows = [line for line in screen.splitlines() if name in line]
        if len(rows) == 1 and status in rows[0] and (status != "passed" or "not passed" not in rows[0]):
            return screen
        if time.monotonic() > deadline:
            raise AssertionError(f"{name!r} did not show {status!r} within {timeout}s; the live view shows:\n{screen}")
        term.page.wait_for_timeout(100)


def _play_to_debrief(term: BrowserTerminal, db: Path, trainee: str, example: Any) -> str:
    term.focus()
    # The title comes with the first frame and the list just after it (listed lazily): wait for the
    # highlighted scenario's details, as a student waits to see what they are opening.
    term.wait_for("Your progress:")
    term.press("Enter")  # the library's only scenario
    screen = term.wait_for("Content notes:")
    assert f"Signed in as {trainee}" in screen and "Your name or student id" not in screen
    term.press("Enter")  # start, in the mode the list shows (practice)
    term.wait_for("decision 1")
    term.wait_for("Welcome (1 of")  # each trainee's own first run: their own private settings
    term.press("s")
    with open_store(db, readonly=True) as store:
        (row,) = [a for a in store.attempts(trainee) if a.status == "in-progress"]
    program = example.program
    state = initial_state(program)
    for n, step_id in enumerate(EXPERT, start=1):
        shown = [s.id for s in shown_choices(program, state, row.seed)]
        term.choose(str(shown.index(step_id) + 1))
        state = apply(program, state, program.steps[step_id])
        term.wait_for("ending" if n == len(EXPERT) else f"decision {n + 1}")
    term.wait_for("See your debrief")
    term.choose("1")
    return term.wait_for("✓ PASSED")


def test_two_students_sign_in_play_and_see_only_their_own_attempts(tmp_path: Path, example: Any,
                                                                   casesim: Casesim) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(EXAMPLE, library / EXAMPLE.name)
    db = tmp_path / "class.db"
    env = {"CASESIM_DATA": str(tmp_path / "data"), "HOME": str(tmp_path), "TZ": "UTC", "LANG": "C.UTF-8",
           "CASESIM_CACHE_DIR": str(tmp_path / "cache")}
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\n" + "".join(f"{i},{n}\n" for i, n in STUDENTS.items()), encoding="utf-8")
    flags = ["--db", str(db), "--scenarios", str(library)]
    for args in (["class", "create", COHORT],
                 ["class", "add-students", COHORT, str(roster), "--codes-file", str(tmp_path / "codes.csv")],
                 ["class", "add-instructor", COHORT, "prof.lee", "--name", "Dr Lee",
                  "--codes-file", str(tmp_path / "instructor.csv")]):
        result = casesim(*flags, *args, env=env)
        assert result.exit_code == 0, result.output
    codes = _codes(tmp_path / "codes.csv") | _codes(tmp_path / "instructor.csv")
    assert (tmp_path / "codes.csv").stat().st_mode & 0o077 == 0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_server(flags, env, port, tmp_path / "serve.log"), playwright_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            pages = {}
            for trainee in STUDENTS:
                page = _sign_in(browser, base, codes[trainee])
                term = BrowserTerminal(page)
                page.wait_for_url(base + "/")
                pages[trainee] = (page, term)
            # A used code does not work again, in any browser.
            stale = _sign_in(browser, base, codes["s1001"])
            assert "That code did not work" in stale.content()
            assert stale.get_by_label("Sign-in code").get_attribute("aria-invalid") == "true"
            _shot(stale, tmp_path, "code-refused")
            stale.context.close()

            first, second = "s1001", "s1002"
            page, term = pages[first]
            screen = term.wait_for("scenario library")
            assert f"trainee: {first}" in screen
            term.wait_for("Your progress:")  # the list, filled after the first frame, not "Loading…"
            _assert_terminal_fits(page)
            _shot(page, tmp_path, "library")
            debrief = _play_to_debrief(term, db, first, example)
            assert "Debrief · Example: a first check-in call" in debrief
            term.wait_for("? Keys")  # the footer's keys are drawn a frame after the screen
            _shot(page, tmp_path, "debrief")

            # The second student sees none of the first's records: no standing in the library,
            # no attempt in their progress, then only their own once they have played.
            page2, term2 = pages[second]
            screen = term2.wait_for("scenario library")
            assert f"trainee: {second}" in screen and "passed" not in screen
            term2.focus()
            term2.press("g")
            assert "0 completed attempts" in term2.wait_for(f"Progress · {second}")
            term2.press("Escape")
            term2.wait_for("scenario library")

            # The instructor signs in and opens the class's live view from their page: the first
            # student has passed, the second has not started yet.
            instructor = _sign_in(browser, base, codes["prof.lee"])
            instructor.wait_for_url(base + "/instructor")
            live = instructor.context.new_page()
            live_term = BrowserTerminal(live)
            live.goto(base + instructor.get_by_role("link", name="Live view").get_attribute("href"))
            assert live.url == f"{base}/instructor/live/{COHORT.replace(' ', '%20')}"
            live_term.wait_for(COHORT)
            _assert_terminal_fits(live)
            _wait_for_row(live_term, STUDENTS[first], "passed")
            screen = _wait_for_row(live_term, STUDENTS[second], "—")  # not started: no scenario, no status
            assert "Example" not in _row(screen, STUDENTS[second])

            _play_to_debrief(term2, db, second, example)
            # Live: the view shows the second student's pass without a reload.
            screen = _wait_for_row(live_term, STUDENTS[second], "passed")
            assert "passed" in _row(screen, STUDENTS[first]) and "not passed" not in _row(screen, STUDENTS[first])
            assert "Example: a first" in _row(screen, STUDENTS[second])
            _shot(live, tmp_path, "instructor-live")
            for trainee, (_page, t) in pages.items():
                t.press("Escape")
                t.wait_for("scenario library")
                t.press("g")
                screen = t.wait_for(f"Progress · {trainee}")
                assert re.search(r" 1 completed attempt$", screen, re.MULTILINE), screen  # not the 2 in the store
                t.wait_for("esc Back")  # the footer's keys, a frame after the screen
            _shot(page2, tmp_path, "progress")
            # A student has no instructor page.
            assert page2.request.get(base + "/instructor").status == 403

            instructor.reload()
            attempts = instructor.get_by_role("table", name="Attempts (2)")
            for trainee in STUDENTS:
                assert attempts.get_by_role("row").filter(has_text=trainee).filter(has_text="completed").count() == 1
            roster_table = instructor.get_by_role("table", name="Roster (3)")
            assert roster_table.get_by_role("row").filter(has_text="Ben Okafor").count() == 1
            _shot(instructor, tmp_path, "instructor")
        finally:
            browser.close()
    with open_store(db, readonly=True) as store:
        rows = store.attempts()
        assert sorted((r.trainee_id, r.status, r.passed) for r in rows) == [
            ("s1001", "completed", True), ("s1002", "completed", True)]
        assert not store.verify()
    # each trainee's own settings folder; nothing written to the server's data folder's trainee.json
    assert not (tmp_path / "data" / "trainee.json").exists()
    trainees = tmp_path / "data" / "serve" / "trainees"
    folders = {f.name for f in trainees.iterdir()}
    mine = {i: hashlib.sha256(i.encode()).hexdigest()[:32] for i in [*STUDENTS, "prof.lee"]}
    assert folders == set(mine.values())  # the instructor's live view has its own folder too
    assert all((trainees / mine[i] / "trainee.json").exists() for i in STUDENTS)
