"""Shell completion: commands, options, and the ids casesim knows (scenarios, trainees, cohorts)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from casesim import bundled
from casesim.format.reader import read_yaml
from casesim.records import open_store
from support.cli import INSTALLED, ROOT, Casesim


def _bundled_ids() -> list[str]:
    ids = []
    for path in sorted(bundled.scenarios_dir().glob("*.yaml")):
        doc, _ = read_yaml(path)
        assert doc is not None
        ids.append(doc.data["id"])
    return sorted(ids)


def _complete(casesim: Casesim, line: str, env: dict[str, str] | None = None) -> list[str]:
    """What bash would offer for ``line`` (the cursor at its end), through click's bash protocol."""
    words = line.split(" ")
    result = casesim(env={"_CASESIM_COMPLETE": "bash_complete", "COMP_WORDS": line,
                          "COMP_CWORD": str(len(words) - 1), **(env or {})})
    assert result.exit_code == 0, result.stderr
    return [row.split(",", 1)[1] for row in result.stdout.splitlines() if row]


@pytest.fixture
def class_db(tmp_path: Path) -> Path:
    db = tmp_path / "class.db"
    with open_store(db) as store:
        store.upsert_trainee("s1234", "Ann Lee", "fall-2026")
        store.upsert_trainee("s2345", "Bo Chen", "spring-2027")
    return db


def test_the_installed_binary_completes_play_with_the_bundled_scenario_ids(tmp_path: Path) -> None:
    env = {**os.environ, "_CASESIM_COMPLETE": "bash_complete", "COMP_WORDS": "casesim play ", "COMP_CWORD": "2",
           "CASESIM_DATA": str(tmp_path / "data")}
    result = subprocess.run([str(INSTALLED)], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    offered = [row.split(",", 1) for row in result.stdout.splitlines()]
    assert offered == [["plain", scenario_id] for scenario_id in _bundled_ids()]
    assert not (tmp_path / "data").exists(), "completion must not create the data folder or a database"


def test_the_bash_script_hooks_the_casesim_command() -> None:
    result = subprocess.run([str(INSTALLED)], env={**os.environ, "_CASESIM_COMPLETE": "bash_source"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "_CASESIM_COMPLETE=bash_complete" in result.stdout
    assert "complete -o nosort -F _casesim_completion casesim" in result.stdout


def test_commands_and_choices_complete(casesim: Casesim) -> None:
    assert {"play", "resume", "validate", "records", "export"} <= set(_complete(casesim, "casesim "))
    assert _complete(casesim, "casesim records l") == ["list"]
    assert _complete(casesim, "casesim play x --mode ") == ["practice", "assessment"]
    assert _complete(casesim, "casesim new x --kind de") == ["de-escalation"]


def test_scenario_ids_come_from_the_scenarios_setting(casesim: Casesim, tmp_path: Path) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "mine.yaml").write_text("format: 1\nid: my-own-scenario  # kebab-case\n", encoding="utf-8")
    (folder / "quoted.yaml").write_text("format: 1\nid: 'my-quoted-one'\n", encoding="utf-8")
    (folder / "flow.yaml").write_text("{format: 1, id: my-flow-style-one}\n", encoding="utf-8")
    (folder / "nested.yaml").write_text("format: 1\nclient:\n  id: not-a-scenario-id\n", encoding="utf-8")
    expected = ["my-flow-style-one", "my-own-scenario", "my-quoted-one"]
    assert _complete(casesim, "casesim play my", env={"CASESIM_SCENARIOS": str(folder)}) == expected
    assert _complete(casesim, f"casesim --scenarios {folder} play ") == expected
    assert _complete(casesim, "casesim report cohort fall --scenario crisis-s") == ["crisis-suicide-risk"]


def test_trainee_ids_and_cohorts_come_from_the_database(casesim: Casesim, class_db: Path) -> None:
    env = {"CASESIM_DB": str(class_db)}
    assert _complete(casesim, "casesim report trainee ", env=env) == ["s1234", "s2345"]
    assert _complete(casesim, "casesim report cohort f", env=env) == ["fall-2026"]
    assert _complete(casesim, "casesim records list --cohort ", env=env) == ["fall-2026", "spring-2027"]
    assert _complete(casesim, f"casesim --db {class_db} export pdf s2") == ["s2345"]
    assert _complete(casesim, f"casesim play x --db {class_db} --trainee ") == ["s1234", "s2345"]


def test_completion_never_creates_a_database(casesim: Casesim, tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    assert _complete(casesim, "casesim report trainee ", env={"CASESIM_DB": str(missing)}) == []
    assert not missing.exists()


def test_a_path_like_word_completes_as_a_file(casesim: Casesim) -> None:
    result = casesim(env={"_CASESIM_COMPLETE": "bash_complete", "COMP_WORDS": "casesim play ./sc",
                          "COMP_CWORD": "2"})
    assert result.stdout.splitlines() == ["file,./sc"]
