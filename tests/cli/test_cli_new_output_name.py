"""`casesim new ID -o FILE`: the starter's opening comment names the file actually written, so
the commands it suggests work as typed."""

from __future__ import annotations

from pathlib import Path

from casesim.authoring.starter import starter_scenario
from support.cli import Casesim


def _commands(text: str) -> list[str]:
    return [line for line in text.splitlines()[1:3] if "casesim " in line]


def test_the_starter_names_the_output_file(casesim: Casesim, tmp_path: Path) -> None:
    target = tmp_path / "other.yaml"
    result = casesim("new", "intake-housing-loss", "--kind", "intake", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert _commands(text) == [
        f"# A starter scenario. Check it as you write with:  casesim validate {target}",
        f"# and play it with:  casesim author {target}      (see docs/authoring.md for every key)"]
    assert "intake-housing-loss.yaml" not in text


def test_without_output_the_starter_names_id_yaml() -> None:
    text = starter_scenario("intake-housing-loss", "intake")
    assert "casesim validate intake-housing-loss.yaml\n" in text
    assert "casesim author intake-housing-loss.yaml " in text


def test_a_file_name_that_needs_quoting_is_quoted_and_stays_on_its_comment_line() -> None:
    text = starter_scenario("intake-housing-loss", "intake", "my drafts/new\nfile.yaml")
    assert "casesim validate 'my drafts/new␊file.yaml'\n" in text
    assert text.splitlines()[3].startswith("format: ")
