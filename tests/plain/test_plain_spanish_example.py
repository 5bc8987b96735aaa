"""The bundled Spanish locale of example-check-in, played for real: ``casesim play
example-check-in --lang es --plain`` through a pipe, along the expert path, to the debrief, every
line of the scenario in Spanish (no fallback to English) and the debrief's own scenario text too."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from support.paths import EXAMPLE, SCENARIOS
from support.plain import PlainDriver, numbered_choices

LOCALE = SCENARIOS / "locales" / "example-check-in.es.yaml"
SAY = {line_id.split(".")[3]: entry["text"]
       for line_id, entry in yaml.safe_load(LOCALE.read_text(encoding="utf-8"))["lines"].items()
       if line_id.startswith("node.") and line_id.endswith(".say")}
EXPERT = ["introduce-and-ask-time", "explain-role-and-limits", "reflect-tiredness", "ask-q1", "ask-q2", "ask-q6",
          "affirm-and-plan", "agree-visit-with-aunt"]


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[PlainDriver]:
    env = {"CASESIM_DB": str(tmp_path / "records.db"), "CASESIM_DATA": str(tmp_path / "data")}
    started = PlainDriver(["play", str(EXAMPLE), "--lang", "es", "--plain", "--seed", "3"], env)
    yield started
    started.close()


def test_the_expert_path_in_spanish_reaches_a_spanish_debrief(driver: PlainDriver) -> None:
    first = driver.wait_prompt()
    assert first.startswith("Playing the es translation. casesim's own menus, commands and headings stay in "
                            "English.\nEjemplo: una primera llamada de seguimiento\n"), first[:300]
    driver.answer("ann")
    driver.wait_prompt()
    driver.answer("1")  # practice
    moment = driver.wait_prompt()
    assert "Dana contesta al quinto timbrazo." in moment
    assert "¿Es usted de lo de la vivienda?" in moment
    for choice in EXPERT:
        while "Type a number" not in moment.rsplit("\n", 1)[-1]:
            driver.answer("")
            moment = driver.wait_prompt()
        driver.answer(str(numbered_choices(moment)[SAY[choice]]))
        moment = driver.wait_prompt()
    debrief = moment  # the last choice ends the attempt: its answer, then the debrief
    head = debrief[debrief.index("Debrief: "):debrief.index("Every decision:")]
    assert head.startswith("Debrief: Ejemplo: una primera llamada de seguimiento\n")
    assert "You passed this attempt." in head
    assert "The ending you reached: Una visita planeada, con apoyo (outcome: success).\nDana llega el jueves" in head
    # the trainee's words and the teaching feedback in the debrief are the Spanish ones
    assert f"- You said: {SAY['ask-q1']}\n" in debrief
    assert "- Feedback: Preguntar de forma directa y tranquila por la ideación pasiva" in debrief
    assert "Próximos pasos acordados went up by 1, now 2." in debrief
    assert "Feedback on your choice: Una reflexión compleja nombra el peso" in driver.transcript
    assert "Dana says: Nos vemos el jueves. Gracias, Sam." in debrief
    assert driver.finish([""]) == 0


def test_the_plain_library_lists_the_languages(tmp_path: Path) -> None:
    library = tmp_path / "library"
    (library / "locales").mkdir(parents=True)
    shutil.copy(EXAMPLE, library)
    shutil.copy(LOCALE, library / "locales")
    env = {"CASESIM_DB": str(tmp_path / "records.db"), "CASESIM_DATA": str(tmp_path / "data"),
           "CASESIM_SCENARIOS": str(library)}
    listing = PlainDriver(["--plain"], env)
    try:
        assert "A short introduction follows" in listing.wait_prompt()  # the first start's guided first run
        listing.answer("s")
        shown = listing.wait_prompt()
        assert "1. Example: a first check-in call, about 8 minutes, in English, Español\n" in shown
        assert listing.finish(["q"]) == 0
    finally:
        listing.close()
