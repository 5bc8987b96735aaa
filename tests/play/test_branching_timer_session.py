"""A live session lets a branching timer run out into the branch the state calls for, and resumes it."""

from __future__ import annotations

from casesim.authoring.pipeline import load_scenario_bytes
from casesim.play.session import Session
from casesim.scoring.catalog import Catalog
from support.clock import FakeClock
from support.paths import VALID

TEXT = (VALID / "minimal.yaml").read_text(encoding="utf-8").replace("format: 1", "format: 2").replace(
    '    client: "Okay."\n',
    '    client: "Okay."\n    timer:\n      seconds: 30\n      expire:\n'
    '        - when: "rapport >= 6"\n          goto: done\n          narration: She waits.\n'
    '        - goto: done\n          narration: She leaves.\n')


def test_the_branch_that_applies_is_taken_and_recorded_by_its_own_id(catalog: Catalog) -> None:
    report = load_scenario_bytes(TEXT.encode(), "t.yaml", catalog, analyse_paths=False)
    assert report.playable is not None
    program = report.playable.program
    for first, branch, narration in (("greet", "timeout:middle/1", "She waits."),
                                     ("ignore", "timeout:middle/2", "She leaves.")):
        session = Session(program, mode="assessment", clock=FakeClock())
        session.choose(first)
        result = session.expire_timer()
        assert (result.step.id, result.narration) == (branch, narration)
        assert session.path == [first, branch]
        again = Session(program, mode="assessment", clock=FakeClock())
        again.apply_path(session.path)
        assert again.state == session.state
