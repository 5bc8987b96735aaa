"""``casesim play --lang es --plain`` through a pipe: the scenario's text in Spanish (a line without
an up-to-date translation in English, announced first), casesim's own words in English, and the
record naming the lines shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from casesim.records import open_store
from support.paths import VARIANTS
from support.plain import PlainDriver, numbered_choices


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[PlainDriver]:
    env = {"CASESIM_DB": str(tmp_path / "records.db"), "CASESIM_DATA": str(tmp_path / "data")}
    started = PlainDriver(["play", str(VARIANTS), "--lang", "es", "--plain", "--seed", "7"], env)
    yield started
    started.close()


def test_a_spanish_attempt_through_a_pipe(driver: PlainDriver, tmp_path: Path) -> None:
    first = driver.wait_prompt()
    assert first.startswith("Playing the es translation. 1 of 31 lines have no up-to-date es translation and are "
                            "shown in the source language. casesim's own menus, commands and headings stay in "
                            "English.\nVariantes: una segunda llamada\n")
    driver.answer("ann")
    driver.wait_prompt()
    driver.answer("1")  # practice: feedback and hints
    moment = driver.wait_prompt()
    assert "Scene: Rosa contesta al segundo timbre. La confianza es 4 de 10.\n" in moment
    assert "Confianza: 4 of 10." in moment  # the label is translated, the words around it are casesim's
    driver.answer("n")
    assert "\nHint: Ask how the week has been before the letter.\n" in driver.wait_prompt()  # the fallback
    driver.answer(str(numbered_choices(moment)["Hola Rosa, soy Sam. ¿Qué tal la semana?"]))
    after = driver.wait_prompt()
    assert "Rosa says: Mejor, gracias por preguntar.\n" in after
    assert "Feedback on your choice: Preguntar primero genera confianza; ahora es 6.\n" in after
    assert "Scene: Rosa suena más tranquila.\n" in after
    driver.answer(str(numbered_choices(after)["Veámosla juntas y llamemos a la oficina del casero."]))
    end = driver.wait_prompt()
    assert "Rosa says: Adiós {por ahora}.\nThe end: Fin de la llamada. Rosa aceptó la llamada con una confianza de 6." \
        in end
    assert driver.finish([""]) == 0

    with open_store(tmp_path / "records.db") as store:
        [attempt] = store.attempts()
        events = store.events(attempt.id)
    greeting = events[0].payload["lines"][1]
    assert greeting.startswith("node.hello.client.one_of.")
    spanish = {"0": "Hola. ¿Es por la carta?", "1": "¿Hola? Ah, es usted otra vez.",
               "2": "¿Sí? Perdone, los niños hacen ruido."}
    assert f"Rosa says: {spanish[greeting.rsplit('.', 1)[1]]}\n" in driver.transcript
    assert attempt.seed == 7 and attempt.passed
