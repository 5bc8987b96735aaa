"""A headless play to a debrief, run by the python of a venv that has only the casesim wheel.

``tests/test_wheel.py`` runs this file with the fresh venv's interpreter, from a folder outside
the checkout. It proves that the installed package finds its own content (the bundled scenario
library, the framework catalog and the PDF font, as package data), loads a scenario through the
authoring pipeline, walks the expert path in a live ``Session`` with the attempt recorded, and
scores it to a passing debrief. It prints one JSON object for the test to check.

Usage: python wheel_play.py DATABASE TRAINEE_ID
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import casesim
from casesim import bundled
from casesim.authoring.pipeline import find_scenario_files, load_scenario
from casesim.play.recorder import AttemptRecorder
from casesim.play.session import Session
from casesim.records import open_store
from casesim.scoring.catalog import load_catalog
from casesim.scoring.engine import score_path

SCENARIO = "example-check-in"


def main(database: Path, trainee_id: str) -> dict[str, object]:
    package = Path(casesim.__file__).resolve().parent
    catalog = load_catalog(bundled.frameworks_dir())
    [path] = [p for p in find_scenario_files([bundled.scenarios_dir()]) if p.stem == SCENARIO]
    report = load_scenario(path, catalog)
    loaded = report.analysed
    if loaded is None:
        raise SystemExit(f"{path} does not load: {[d.format() for d in report.diagnostics]}")
    program, analysis = loaded.program, loaded.analysis

    store = open_store(database)
    try:
        store.upsert_trainee(trainee_id, "Wheel Test", "packaging")
        session = Session(program, mode="assessment")
        recorder = AttemptRecorder.start(store, loaded, session, trainee_id=trainee_id)
        for step_id in analysis.expert_path:
            if program.steps[step_id].is_timeout:
                session.expire_timer()
            else:
                session.choose(step_id)
            recorder.step()
        debrief = score_path(program, analysis, catalog, session.path, mode=session.mode)
        recorder.finish(debrief)
        session.close()
    finally:
        store.close()
    return {
        "python": sys.prefix,
        "package": str(package),
        "scenarios": str(bundled.scenarios_dir()),
        "frameworks": str(bundled.frameworks_dir()),
        "font": str(bundled.font_path()),
        "scenario": program.scenario.id,
        "path": session.path,
        "finished": session.finished,
        "ending": debrief.ending,
        "passed": debrief.passed,
        "attempt": recorder.attempt_id,
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2])))
