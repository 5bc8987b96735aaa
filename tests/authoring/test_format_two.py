"""`format: 2` next to format 1: both load; a format-2 key in a format-1 file says how to upgrade."""

from __future__ import annotations

from casesim.authoring.pipeline import load_scenario_bytes
from casesim.scoring.catalog import Catalog
from support.paths import VALID

BASE = (VALID / "minimal.yaml").read_text(encoding="utf-8")


def test_format_two_loads_like_format_one(catalog: Catalog) -> None:
    one = load_scenario_bytes(BASE.encode(), "one.yaml", catalog)
    two = load_scenario_bytes(BASE.replace("format: 1", "format: 2").encode(), "two.yaml", catalog)
    assert one.ok and two.ok
    assert one.diagnostics == () and two.diagnostics == ()
    assert one.analysed is not None and two.analysed is not None
    assert one.analysed.analysis.expert_path == two.analysed.analysis.expert_path


def test_unknown_format_version_names_the_versions(catalog: Catalog) -> None:
    report = load_scenario_bytes(BASE.replace("format: 1", "format: 3").encode(), "s.yaml", catalog)
    [error] = report.errors
    assert (error.line, error.code) == (1, "invalid-value")
    assert "1 or 2" in error.message


def test_format_two_key_in_a_format_one_file_says_to_migrate(catalog: Catalog) -> None:
    text = BASE.replace('    client: "Okay."\n', '    client: "Okay."\n    notes: Needs review.\n')
    report = load_scenario_bytes(text.encode(), "old.yaml", catalog)
    found = [d for d in report.errors if d.code == "needs-format-2"]
    assert [(d.line, d.col, d.message) for d in found] == [
        (32, 5, "`notes`: this key needs `format: 2` (run `casesim migrate old.yaml`)")]
