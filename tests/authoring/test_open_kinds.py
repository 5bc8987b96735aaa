"""Kinds come from the catalog's kinds.yaml: new kinds with labels, a positioned error for an unknown one."""

from __future__ import annotations

import shutil
from pathlib import Path

from casesim.authoring.pipeline import load_scenario_bytes
from casesim.format.kinds import bundled_kinds, kind_label
from casesim.scoring.catalog import Catalog, check_catalog_dir, load_catalog
from support.paths import ROOT, VALID

BASE = (VALID / "minimal.yaml").read_text(encoding="utf-8")


def test_the_bundled_kinds_include_the_new_ones_with_labels() -> None:
    labels = {kind: info.label for kind, info in bundled_kinds().items()}
    assert labels["telehealth"] == "Telehealth"
    assert labels["privacy-and-records"] == "Privacy and records"
    assert labels["transition-of-care"] == "Transition of care"
    assert labels["caseload"] == "Caseload"
    assert labels["cultural-humility"] == "Cultural humility"
    assert kind_label("home-visit") == "Home visit"


def test_a_new_kind_is_accepted(catalog: Catalog) -> None:
    report = load_scenario_bytes(BASE.replace("kind: other", "kind: transition-of-care").encode(), "s.yaml", catalog)
    assert report.diagnostics == ()


def test_an_unknown_kind_is_reported_at_the_kind_with_the_list(catalog: Catalog) -> None:
    report = load_scenario_bytes(BASE.replace("kind: other", "kind: telehelth").encode(), "s.yaml", catalog)
    [error] = report.errors
    assert (error.line, error.col, error.code) == (5, 7, "unknown-kind")
    assert error.message.startswith("unknown kind 'telehelth'; did you mean 'telehealth'? The kinds are: intake, "
                                    "crisis, de-escalation,")
    assert error.message.endswith("(a program adds its own in kinds.yaml in its scoring folder)")


def test_a_program_adds_its_own_kind_in_its_catalog(tmp_path: Path) -> None:
    folder = tmp_path / "scoring"
    shutil.copytree(ROOT / "scoring", folder)
    kinds = folder / "kinds.yaml"
    kinds.write_text(kinds.read_text(encoding="utf-8") + "  peer-support:\n    label: Peer support\n"
                     "    description: Working alongside a peer specialist.\n", encoding="utf-8")
    catalog = load_catalog(folder)
    assert kind_label("peer-support", catalog.kinds) == "Peer support"
    report = load_scenario_bytes(BASE.replace("kind: other", "kind: peer-support").encode(), "s.yaml", catalog)
    assert report.diagnostics == ()


def test_a_broken_kinds_file_is_reported_with_its_position(tmp_path: Path) -> None:
    folder = tmp_path / "scoring"
    shutil.copytree(ROOT / "scoring", folder)
    (folder / "kinds.yaml").write_text("kinds:\n  Tele_Health:\n    label: Telehealth\n", encoding="utf-8")
    catalog, problems = check_catalog_dir(folder)
    assert catalog is None
    assert {(p.line, p.code) for p in problems} == {(2, "bad-name"), (3, "missing-key")}
