"""Locales: stable line ids, missing/stale/unknown translations positioned in the locale file,
the skeleton ``casesim locale extract`` writes, and the translated scenario play uses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casesim.authoring.locale_checks import check_locale, extract_locale, read_existing
from casesim.authoring.pipeline import AnalysedScenario, load_scenario_bytes, require_scenario
from casesim.format.lines import format2_text_features, scenario_lines
from casesim.format.locale import source_hash
from casesim.play.localise import localise
from casesim.play.session import Session
from casesim.scoring.catalog import Catalog
from support.paths import VARIANTS, VARIANTS_ES


@pytest.fixture(scope="module")
def variants(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(VARIANTS, catalog)


@pytest.fixture
def copy(tmp_path: Path) -> tuple[Path, Path]:
    """The test scenario and its Spanish locale, copied where a test may edit them."""
    scenario = tmp_path / VARIANTS.name
    shutil.copy(VARIANTS, scenario)
    (tmp_path / "locales").mkdir()
    locale = tmp_path / "locales" / VARIANTS_ES.name
    shutil.copy(VARIANTS_ES, locale)
    return scenario, locale


def _ids(raw: bytes, catalog: Catalog) -> list[str]:
    report = load_scenario_bytes(raw, "v.yaml", catalog, analyse_paths=False)
    assert report.model is not None, report.diagnostics
    return [alt.id for lines in scenario_lines(report.model) for alt in lines.alternatives()]


def _at(path: Path, needle: str) -> tuple[int, int]:
    text = path.read_text(encoding="utf-8")
    at = text.index(needle)
    return text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)


def test_ids_follow_the_structure_and_survive_edits_elsewhere(catalog: Catalog) -> None:
    raw = VARIANTS.read_bytes()
    before = _ids(raw, catalog)
    assert {"node.hello.narration", "node.hello.client.one_of.2", "node.hello.choice.ask-week.say",
            "node.hello.choice.ask-week.reply.0", "node.letter.timer.narration.1", "ending.closed.summary.0",
            "variable.rapport.label", "objective.0", "client.background"} <= set(before)
    edited = raw.replace(b"  letter:\n", b"  aside:\n    client: A new node.\n    choices:\n"
                                        b"      - {id: back, say: Back., goto: letter, feedback: F.}\n  letter:\n")
    edited = edited.replace(b"    hint: Ask how", b"    narration: [{when: asked, text: New.}, {text: Old.}]\n"
                                                 b"    hint: Ask how").replace(
        b"    narration: \"Rosa answers on the second ring. Rapport is {rapport} of 10.\"\n", b"")
    after = _ids(edited, catalog)
    untouched = [i for i in before if not i.startswith("node.hello.narration")]
    assert all(i in after for i in untouched)
    assert {"node.aside.client", "node.aside.choice.back.say", "node.hello.narration.0"} <= set(after)


def test_the_test_locale_is_complete_but_for_one_line(variants: AnalysedScenario) -> None:
    report = check_locale(variants.scenario, VARIANTS_ES, "es")
    assert report.missing == ["node.hello.hint"] and report.stale == [] and report.total == 31
    assert len(report.table) == 30 and report.fallback == 1
    [d] = report.diagnostics
    assert (d.code, d.severity.value) == ("locale-missing", "warning")
    entry_line, _ = _at(VARIANTS_ES, "  node.hello.hint:")
    assert (d.path, d.line) == (str(VARIANTS_ES), entry_line + 2) and d.col in (11, 12)  # at the empty `text: ""`
    assert d.message == ("no es translation of node.hello.hint yet ('Ask how the week has been before the ...'); "
                         "it is played in the source language: write it")


def test_a_changed_source_makes_its_translation_stale(catalog: Catalog, copy: tuple[Path, Path]) -> None:
    scenario, locale = copy
    scenario.write_text(scenario.read_text().replace("So what happens with the letter?", "And the letter?"))
    model = require_scenario(scenario, catalog).scenario
    report = check_locale(model, locale, "es")
    assert report.stale == ["node.letter.client"] and "node.letter.client" not in report.table
    [d] = [d for d in report.diagnostics if d.code == "locale-stale"]
    text = locale.read_text()
    entry = text.index("  node.letter.client:")
    line = text.count("\n", 0, entry) + 2  # the `hash:` line under the id
    assert (d.line, d.col) == (line, 11)
    assert d.message.endswith(f"bring the translation up to date, then set `hash: {source_hash('And the letter?')}`")


def test_an_unknown_id_is_reported_at_its_key_with_the_likely_new_id(variants: AnalysedScenario,
                                                                    copy: tuple[Path, Path]) -> None:
    _, locale = copy
    locale.write_text(locale.read_text() + "  node.leter.client:\n    hash: 0123456789abcdef\n    text: Viejo.\n")
    [d] = [d for d in check_locale(variants.scenario, locale, "es").diagnostics if d.code == "locale-unknown-id"]
    assert (d.line, d.col) == _at(locale, "node.leter.client")
    assert "did you mean 'node.letter.client'?" in d.message and not d.is_error


def test_a_bad_placeholder_in_a_translation_is_an_error_at_its_column(variants: AnalysedScenario,
                                                                     copy: tuple[Path, Path]) -> None:
    _, locale = copy
    locale.write_text(locale.read_text().replace("La confianza es {rapport} de 10.", "La confianza es {confianza}."))
    report = check_locale(variants.scenario, locale, "es")
    [d] = [d for d in report.diagnostics if d.is_error]
    assert (d.line, d.col) == _at(locale, "confianza}") and d.code == "text-placeholder"
    assert "unknown variable 'confianza'" in d.message
    assert "node.hello.narration" not in report.table  # not played; the source line is


def test_a_locale_for_another_scenario_is_an_error(variants: AnalysedScenario, copy: tuple[Path, Path]) -> None:
    _, locale = copy
    locale.write_text(locale.read_text().replace("scenario: variants-check-in", "scenario: other"))
    [d] = [d for d in check_locale(variants.scenario, locale, "es").diagnostics if d.code == "locale-mismatch"]
    assert (d.line, d.col) == _at(locale, "other")


def test_extract_keeps_translations_adds_new_lines_and_keeps_orphans(catalog: Catalog, copy: tuple[Path, Path]) -> None:
    scenario, locale = copy
    scenario.write_text(scenario.read_text().replace("    hint: Ask how", "    # hint removed\n    x-hint: Ask how")
                        .replace("    x-hint: Ask how the week has been before the letter.\n", "")
                        .replace('    client: "So what happens with the letter?"',
                                 '    client: "So what happens with the letter?"\n    hint: Offer to read it together.'))
    model = require_scenario(scenario, catalog).scenario
    existing, problems = read_existing(locale)
    assert existing is not None and not problems
    text = extract_locale(model, "es", existing)
    locale.write_text(text)
    report = check_locale(model, locale, "es")
    assert report.missing == ["node.letter.hint"]
    assert report.table["node.letter.client"] == "¿Y qué pasa con la carta?"
    assert f"  # {source_hash('Offer to read it together.')}: Offer to read it together.\n  node.letter.hint:\n" in text
    assert [d.code for d in report.diagnostics if d.code == "locale-unknown-id"] == []  # its entry was empty: dropped
    assert extract_locale(model, "es", read_existing(locale)[0]) == text  # idempotent


def test_translate_replaces_every_translated_line_and_nothing_else(variants: AnalysedScenario,
                                                                   catalog: Catalog) -> None:
    localised = localise(variants, "es", catalog)
    scenario = localised.loaded.scenario
    assert scenario.title == "Variantes: una segunda llamada" and scenario.variables["rapport"].label == "Confianza"
    assert scenario.nodes["hello"].hint == "Ask how the week has been before the letter."  # the fallback
    assert localised.loaded.content_hash == variants.content_hash and set(localised.loaded.program.steps) == set(
        variants.program.steps)
    session = Session(localised.loaded.program, seed=3)
    assert session.client_line() in {"Hola. ¿Es por la carta?", "¿Hola? Ah, es usted otra vez.",
                                     "¿Sí? Perdone, los niños hacen ruido."}
    assert session.choose("ask-week").reply == "Mejor, gracias por preguntar."
    assert localised.notice == ("Playing the es translation. 1 of 31 lines have no up-to-date es translation and are "
                                "shown in the source language. casesim's own menus, commands and headings stay in "
                                "English.")


def test_the_format_2_text_features_are_listed_for_the_gate(variants: AnalysedScenario) -> None:
    features = format2_text_features(variants.scenario)
    assert (("nodes", "hello", "client", "one_of"), "one_of") in features
    assert (("nodes", "hello", "choices", 0, "reply"), "variants") in features
    assert (("nodes", "hello", "narration"), "placeholders") in features
    assert (("endings", "closed", "summary"), "variants") in features
    assert not any(path == ("nodes", "letter", "client") for path, _ in features)
