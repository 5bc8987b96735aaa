"""The Spanish locale of example-check-in: complete, current, in the register it says it uses, with
the crisis line as in the source, marked as not reviewed by a native-speaking clinician; and the
library (languages, docs/scenarios.md) shows it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from casesim.authoring.languages import Language, languages_text, scenario_languages
from casesim.authoring.locale_checks import check_locale, extract_locale, read_existing
from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.format.lines import scenario_lines
from casesim.scoring.catalog import Catalog
from support.paths import EXAMPLE, ROOT, SCENARIOS

LOCALE = SCENARIOS / "locales" / "example-check-in.es.yaml"


def _example(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(EXAMPLE, catalog)


def test_the_spanish_locale_covers_every_line_and_is_current(catalog: Catalog) -> None:
    scenario = _example(catalog).scenario
    report = check_locale(scenario, LOCALE, "es")
    ids = [alt.id for lines in scenario_lines(scenario) for alt in lines.alternatives()]
    assert report.diagnostics == []
    assert (report.missing, report.stale) == ([], [])
    assert sorted(report.table) == sorted(ids) and report.total == len(ids) == 94
    source = {alt.id: alt.text for lines in scenario_lines(scenario) for alt in lines.alternatives()}
    assert [line_id for line_id, text in report.table.items() if text == source[line_id]] == [], "left in English"


def test_the_file_says_its_register_and_that_no_clinician_reviewed_it() -> None:
    text = LOCALE.read_text(encoding="utf-8")
    head = text[:text.index("\nlocale: es\n")]
    assert text.startswith("# yaml-language-server: $schema=../../schemas/locale.schema.json\n")
    assert "Registro: usted" in head and "NO REVISADO" in head and "NOT REVIEWED by a native-speaking clinician" in head


def test_the_register_is_usted_throughout() -> None:
    lines = yaml.safe_load(LOCALE.read_text(encoding="utf-8"))["lines"]
    said = " ".join(entry["text"] for line_id, entry in lines.items() if line_id.startswith(("node.", "ending.")))
    # second-person tú forms a case manager would use by mistake, in the trainee's lines or the client's
    tuteo = re.findall(r"\b(tú|te|ti|contigo|tienes|puedes|quieres|estás|eres|dime|llámame|cuéntame)\b", said,
                       flags=re.IGNORECASE)
    assert tuteo == []
    assert said.count("usted") + said.count("Usted") >= 3


def test_the_crisis_line_is_kept_and_no_number_is_added() -> None:
    lines = yaml.safe_load(LOCALE.read_text(encoding="utf-8"))["lines"]
    source = EXAMPLE.read_text(encoding="utf-8")
    for entry in lines.values():
        numbers = set(re.findall(r"\b\d{3,}\b", entry["text"]))
        assert numbers <= set(re.findall(r"\b\d{3,}\b", source)), entry["text"]
    assert "988" in lines["node.screen-done.choice.affirm-and-plan.say"]["text"]


def test_extract_keeps_the_translation_and_its_notes(catalog: Catalog, tmp_path: Path) -> None:
    scenario = _example(catalog).scenario
    before = LOCALE.read_text(encoding="utf-8")
    assert extract_locale(scenario, "es", read_existing(LOCALE)[0], before) == before  # nothing lost, idempotent


def test_the_library_shows_english_and_espanol(catalog: Catalog, tmp_path: Path) -> None:
    scenario = _example(catalog).scenario
    assert languages_text(scenario_languages(scenario, EXAMPLE)) == "English, Español"
    alone = tmp_path / EXAMPLE.name
    shutil.copy(EXAMPLE, alone)
    assert languages_text(scenario_languages(scenario, alone)) == "English"
    (tmp_path / "locales").mkdir()
    partial = yaml.safe_load(LOCALE.read_text(encoding="utf-8"))
    kept = dict(list(partial["lines"].items())[:47])
    (tmp_path / "locales" / LOCALE.name).write_text(yaml.safe_dump({**partial, "lines": kept}, allow_unicode=True))
    assert scenario_languages(scenario, alone) == (Language("en", 94, 94), Language("es", 47, 94))
    assert languages_text(scenario_languages(scenario, alone)) == "English, Español (50% translated)"


def test_docs_scenarios_lists_the_languages() -> None:
    page = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert "| scenario | kind | minutes | client | competencies | languages |" in page
    assert "**Languages.** English, Español (play a translation with `casesim play example-check-in --lang es`)." \
        in page
