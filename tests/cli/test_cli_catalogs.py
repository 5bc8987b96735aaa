"""A program's own framework folder: merged with the bundled catalog, checked by `validate` file
by file, named by the scenarios that need it, and refused with a clear message on a clash."""

from __future__ import annotations

from pathlib import Path

import pytest

from casesim.scoring.catalog import check_catalog_dirs, load_catalogs
from support.cli import ROOT, Casesim

BASE = (ROOT / "tests" / "data" / "trainer" / "example-base.yaml").read_text(encoding="utf-8")

FRAMEWORK = """\
format: 1
id: ipv-safety
title: IPV safety planning
source: Our program's field handbook, 2026.
summary: How we score safety questions when a partner may be near.
criteria:
  - id: IPV-1
    title: Ask about safety privately
    good: Asks about safety only once the client is alone and can talk.
    poor: Asks about abuse while the partner can hear.
    source: Field handbook, section 3.1.
"""

POLICY = """\
format: 1
id: never-events
title: Our program's never-events
summary: Acts our program fails an assessment attempt for.
classes:
  - id: partner-hears-safety-question
    title: Safety question the partner can hear
    description: Asking about abuse where the partner can hear the answer.
    criticality: fails-attempt
    cites: [IPV-1]
    source: Field handbook, section 3.1.
"""


@pytest.fixture
def program(tmp_path: Path) -> Path:
    """my-program/scoring (a framework and a never-event policy) and my-program/scenarios (a
    scenario citing the program's criterion)."""
    root = tmp_path / "my-program"
    (root / "scoring").mkdir(parents=True)
    (root / "scenarios").mkdir()
    (root / "scoring" / "ipv-safety.yaml").write_text(FRAMEWORK, encoding="utf-8")
    (root / "scoring" / "never-events.yaml").write_text(POLICY, encoding="utf-8")
    scenario = BASE.replace("id: example-check-in", "id: program-check-in", 1)
    scenario = scenario.replace("scores: {NASW-1.03(a): 2, NASW-1.01: 1}", "scores: {NASW-1.03(a): 2, IPV-1: 1}", 1)
    scenario = scenario.replace("kind: intake\n", "kind: intake\ncatalog: [my-program]\n", 1)
    (root / "scenarios" / "check-in.yaml").write_text(scenario, encoding="utf-8")
    return root


def _line(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


def test_a_scenario_names_a_catalog_that_is_not_loaded(casesim: Casesim, program: Path) -> None:
    scenario = program / "scenarios" / "check-in.yaml"
    result = casesim("validate", str(scenario))
    assert result.exit_code == 1
    line = _line(scenario, "catalog: [my-program]")
    assert [row for row in result.stdout.splitlines() if ": error: " in row] == [
        f"{scenario}:{line}:11: error: this scenario needs the catalog 'my-program', which is not loaded "
        "(loaded: casesim); add its framework folder with `--catalog DIR` (or CASESIM_CATALOG, or `catalogs:` "
        "in config.yaml) [catalog-missing]",
        f"{scenario}:{_line(scenario, '        scores: {NASW-1.03(a): 2, IPV-1: 1}')}:35: error: unknown criterion "
        "'IPV-1'; it may come from the catalog 'my-program', which is not loaded [unknown-criterion]",
    ]


@pytest.mark.parametrize("how", ["flag", "variable", "config"])
def test_the_program_catalog_is_added_by_flag_variable_or_config(casesim: Casesim, program: Path, tmp_path: Path,
                                                                  how: str) -> None:
    folder = str(program / "scoring")
    args = ["validate", str(program / "scenarios")]
    env: dict[str, str] = {}
    if how == "flag":
        args = ["--catalog", folder, *args]
    elif how == "variable":
        env["CASESIM_CATALOG"] = folder
    else:
        data = tmp_path / "data"
        data.mkdir()
        (data / "config.yaml").write_text(f"catalogs: [{folder}]\n", encoding="utf-8")
        env["CASESIM_DATA"] = str(data)
    result = casesim(*args, env=env)
    assert "error" not in result.stdout, result.stdout
    assert result.exit_code == 0, result.stdout + result.stderr


def test_validating_a_program_folder_checks_its_frameworks_and_lets_its_scenarios_cite_them(
        casesim: Casesim, program: Path) -> None:
    result = casesim("validate", str(program))
    assert result.exit_code == 0, result.stdout
    assert "1 scenario(s) and 2 framework file(s) checked: 0 error(s)" in result.stderr


def test_a_scenario_citing_a_program_criterion_without_naming_the_catalog_is_warned(
        casesim: Casesim, program: Path) -> None:
    scenario = program / "scenarios" / "check-in.yaml"
    scenario.write_text(scenario.read_text(encoding="utf-8").replace("catalog: [my-program]\n", ""), encoding="utf-8")
    result = casesim("--catalog", str(program / "scoring"), "validate", str(scenario))
    line = _line(scenario, "        scores: {NASW-1.03(a): 2, IPV-1: 1}")
    assert (f"{scenario}:{line}:35: warning: criterion 'IPV-1' comes from the catalog 'my-program'; add "
            "`catalog: [my-program]` to the scenario, so that loading it without that folder says which catalog "
            "is missing [catalog-not-named]") in result.stdout.splitlines()


def test_validate_recognises_a_framework_file_and_positions_its_problems(casesim: Casesim, program: Path) -> None:
    framework = program / "scoring" / "ipv-safety.yaml"
    framework.write_text(FRAMEWORK.replace("    good: Asks", "    goood: Asks"), encoding="utf-8")
    result = casesim("validate", str(framework))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{framework}:7:5: error: missing required key 'good' [missing-key]",
        f"{framework}:9:5: error: unknown key 'goood'; did you mean 'good'? [unknown-key]",
    ]
    assert "1 framework file(s) checked: 2 error(s)" in result.stderr


def test_a_single_policy_file_is_checked_against_its_folders_frameworks(casesim: Casesim, program: Path) -> None:
    policy = program / "scoring" / "never-events.yaml"
    policy.write_text(POLICY.replace("cites: [IPV-1]", "cites: [IPV-1, IPV-9]"), encoding="utf-8")
    result = casesim("validate", str(policy))
    assert result.stdout.splitlines() == [
        f"{policy}:10:20: error: class 'partner-hears-safety-question' cites 'IPV-9', which no framework file "
        "defines; did you mean 'IPV-1'? [unknown-criterion]",
    ]


@pytest.mark.parametrize("name", ["competency-map.yaml", "cssrs-screener.yaml", "never-events.yaml", "miti.yaml"])
def test_each_bundled_framework_file_validates_on_its_own(casesim: Casesim, name: str) -> None:
    result = casesim("validate", "--strict", f"scoring/{name}")
    assert result.exit_code == 0, result.stdout
    assert "1 framework file(s) checked: 0 error(s), 0 warning(s)" in result.stderr


def test_a_criterion_defined_by_two_catalogs_is_an_error_at_the_second(program: Path) -> None:
    framework = program / "scoring" / "ipv-safety.yaml"
    framework.write_text(FRAMEWORK.replace("id: IPV-1", "id: NASW-1.07(c)"), encoding="utf-8")
    catalog, found = check_catalog_dirs([ROOT / "scoring", program / "scoring"])
    assert catalog is None
    nasw = ROOT / "scoring" / "nasw-code.yaml"
    first = _line(nasw, "  - id: NASW-1.07(c)")
    clash = [d for d in found if d.code == "duplicate-criterion"]
    assert [(d.path, d.line, d.col, d.message) for d in clash] == [
        (str(framework), 7, 9, f"criterion 'NASW-1.07(c)' is already defined at {nasw}:{first}:9; a criterion id "
                               "is defined once across all catalogs: give this one its own id, or cite the existing one")]


def test_a_framework_or_class_defined_by_two_catalogs_is_an_error(program: Path) -> None:
    (program / "scoring" / "miti.yaml").write_text(FRAMEWORK.replace("id: ipv-safety", "id: miti"), encoding="utf-8")
    policy = program / "scoring" / "never-events.yaml"
    policy.write_text(POLICY.replace("id: partner-hears-safety-question", "id: confidentiality-beyond-law"),
                      encoding="utf-8")
    _, found = check_catalog_dirs([ROOT / "scoring", program / "scoring"])
    clashes = sorted((Path(d.path).name, d.message) for d in found if d.code == "catalog-clash")
    assert clashes[0][0] == "miti.yaml"
    assert clashes[0][1].startswith(f"the framework 'miti' is already loaded from {ROOT / 'scoring' / 'miti.yaml'} "
                                    "(catalog 'casesim'); framework ids must be unique across catalogs")
    assert clashes[1][0] == "never-events.yaml"
    assert clashes[1][1].startswith("never-event class 'confidentiality-beyond-law' is already defined at ")


def test_the_merged_catalog_knows_which_folder_each_framework_came_from(program: Path) -> None:
    catalog = load_catalogs([ROOT / "scoring", program / "scoring"])
    assert list(catalog.folders) == ["casesim", "my-program"]
    assert catalog.catalog_of["ipv-safety"] == "my-program"
    assert catalog.catalog_of["nasw-code"] == "casesim"
    assert "partner-hears-safety-question" in catalog.never_events
    assert "confidentiality-beyond-law" in catalog.never_events
    assert catalog.names().catalogs.keys() == {"casesim", "my-program"}


def test_a_missing_program_folder_is_a_clear_error(casesim: Casesim, tmp_path: Path) -> None:
    result = casesim("--catalog", str(tmp_path / "nowhere"), "validate", "scenarios/example-check-in.yaml")
    assert result.exit_code == 2
    assert f"the program catalog folder {tmp_path / 'nowhere'} does not exist" in result.stderr


def test_a_program_writes_a_schema_that_completes_its_own_ids(casesim: Casesim, program: Path) -> None:
    import json

    result = casesim("--catalog", str(program / "scoring"), "schema")
    assert result.exit_code == 0, result.stderr
    defs = json.loads(result.stdout)["$defs"]
    assert "IPV-1" in defs["CriterionId"]["enum"]
    assert "partner-hears-safety-question" in defs["NeverEventClass"]["enum"]
    assert defs["CatalogName"]["enum"] == ["casesim", "my-program"]
