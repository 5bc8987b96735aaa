"""``casesim locale extract``, ``validate`` of a scenario's locales, and ``play --lang`` errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support.cli import Casesim
from support.paths import VARIANTS, VARIANTS_ES


@pytest.fixture
def copy(tmp_path: Path) -> tuple[Path, Path]:
    """The test scenario and its Spanish locale, copied where a test may edit them."""
    scenario = tmp_path / VARIANTS.name
    shutil.copy(VARIANTS, scenario)
    (tmp_path / "locales").mkdir()
    locale = tmp_path / "locales" / VARIANTS_ES.name
    shutil.copy(VARIANTS_ES, locale)
    return scenario, locale


def test_validate_checks_the_locales_beside_a_scenario(casesim: Casesim, copy: tuple[Path, Path]) -> None:
    scenario, locale = copy
    result = casesim("validate", str(scenario))
    assert result.exit_code == 0
    assert f"{locale}:" in result.output and "[locale-missing]" in result.output
    assert casesim("validate", "--strict", str(scenario)).exit_code == 1


def test_extract_writes_a_skeleton_for_a_new_language(casesim: Casesim, copy: tuple[Path, Path]) -> None:
    scenario, _ = copy
    result = casesim("locale", "extract", str(scenario), "--lang", "pt-BR")
    target = scenario.parent / "locales" / "variants-check-in.pt-BR.yaml"
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{target}: 31 lines, 0 translated, 31 to translate, 0 stale"
    assert "locale: pt-BR\nscenario: variants-check-in\nlines:\n" in target.read_text()


def test_a_missing_language_or_a_bad_tag_is_a_clear_error(casesim: Casesim, copy: tuple[Path, Path]) -> None:
    scenario, _ = copy
    result = casesim("play", str(scenario), "--lang", "fr", "--plain")
    assert result.exit_code == 2 and "there is no fr translation of variants-check-in" in result.output
    assert "casesim locale extract" in result.output and "Traceback" not in result.output
    bad = casesim("play", str(scenario), "--lang", "Spanish!", "--plain")
    assert bad.exit_code == 2 and "is not a language tag" in bad.output


def test_validating_a_locale_file_points_to_its_scenario(casesim: Casesim, copy: tuple[Path, Path]) -> None:
    _, locale = copy
    result = casesim("validate", str(locale))
    assert result.exit_code == 1
    assert result.output.startswith(f"{locale}:1:1: error: this is a locale file (it is in a locales folder): "
                                    "validate the scenario it translates, which checks its locale files too")
