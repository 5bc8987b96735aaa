"""The trainee's name where it is typed or remembered: checked by the record's rule (redteam H3)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from casesim.play.trainee import load_trainee, name_problem
from casesim.records.labels import typable_pattern


def test_a_remembered_hostile_name_is_forgotten_but_the_mode_kept(tmp_path: Path) -> None:
    path = tmp_path / "trainee.json"
    path.write_text(json.dumps({"name": "s1\x1b]52;c;cm0gLXJmIH4K\x07", "mode": "assessment"}), encoding="utf-8")
    settings = load_trainee(path)
    assert (settings.name, settings.mode) == ("", "assessment")
    path.write_text(json.dumps({"name": "Ann Lee", "mode": "assessment"}), encoding="utf-8")
    assert load_trainee(path).name == "Ann Lee"


def test_the_name_field_pattern_refuses_exactly_what_the_record_refuses() -> None:
    pattern = re.compile(typable_pattern())
    for text in ("Ann Lee", "李小龍", "محمد", "Zoë O'Brien #1", ""):
        assert pattern.fullmatch(text) and name_problem(text or "x") is None
    for text in ("a\x1bb", "a\x9bb", "a\nb", "a\u202eb", "a\u200bb", "a\u2028b", "a\U000e0041b", "a\u00adb"):
        assert pattern.fullmatch(text) is None and name_problem(text) is not None
