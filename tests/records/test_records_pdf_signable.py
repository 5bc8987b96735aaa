"""The practicum summary a field instructor signs (issue 13 item 6; program review F12, F13).

Each test reproduces a finding: names in non-Latin scripts printed as "?", dates wrapped on A4, an
orphaned "Signatures" heading, competencies never observed left out, no term, placement or
liaison; and the default file name built from a raw id.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.errors import CaseSimError
from casesim.records.export.pdf import PdfOptions, default_pdf_name, render_pdf
from casesim.records.export.pdf_fonts import SYSTEM_FALLBACKS
from casesim.records.reports import trainee_report
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, SECRECY, play, signed_example

ARABIC = "عبد الرحمن بن محمد الهاشمي القحطاني"
CJK = "Nguyễn Thị Mai 阮氏梅"
NOTO_CJK = Path(SYSTEM_FALLBACKS[0][0])
WHEN = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
needs_cjk_font = pytest.mark.skipif(not NOTO_CJK.is_file(),
                                    reason="fonts-noto-cjk is not installed (make system-deps installs it as root)")


@pytest.fixture
def three(store: SQLiteStore, catalog: Catalog, tmp_path: Path, example: AnalysedScenario) -> SQLiteStore:
    signed = signed_example(tmp_path, catalog)
    for tid, name in (("s1001", "Ann Lee"), ("s1002", ARABIC), ("s1003", CJK)):
        store.upsert_trainee(tid, name, "MSW Fall 2026")
        play(store, signed, catalog, tid, EXPERT, mode="assessment")
        play(store, signed, catalog, tid, SECRECY, mode="assessment")
        play(store, example, catalog, tid, LOST, mode="practice")
    return store


def _render(store: SQLiteStore, catalog: Catalog, tid: str, target: Path, **options: object) -> Path:
    report = trainee_report(store, tid, catalog=catalog)
    opts = PdfOptions(program="MSW Field Education", instructor="Dr. Rosa Alvarez", generated_at=WHEN,
                      **options)  # type: ignore[arg-type]
    return render_pdf(report, target, catalog=catalog, problems=store.verify(trainee_id=tid),
                      chain_head=store.chain_heads()[tid], store_head=store.store_head(), options=opts)


def _text(pdf: Path, *flags: str) -> str:
    return subprocess.run(["pdftotext", *flags, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def _fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout


@needs_poppler
def test_an_arabic_name_is_shaped_with_the_bundled_font(three: SQLiteStore, catalog: Catalog, tmp_path: Path) -> None:
    pdf = _render(three, catalog, "s1002", tmp_path / "a.pdf", system_fonts=False)
    text = _text(pdf)
    assert "?" not in text.split("Student id")[0]
    # Shaped text is written in presentation forms; NFKC folds them back to the letters typed.
    import unicodedata

    words = set(unicodedata.normalize("NFKC", text).split())
    assert {"محمد", "الهاشمي"} <= words or {"دمحم", "يمشاهلا"} <= words  # logical or visual order
    assert "DejaVuSans" in _fonts(pdf) and "CJK" not in _fonts(pdf)


def test_a_cjk_name_without_a_font_is_refused_by_name_not_printed_as_question_marks(
        three: SQLiteStore, catalog: Catalog, tmp_path: Path) -> None:
    with pytest.raises(CaseSimError, match=r"cannot print 3 character\(s\).*阮.*U\+") as caught:
        _render(three, catalog, "s1003", tmp_path / "c.pdf", system_fonts=False)
    assert "fonts-noto-cjk" in (caught.value.hint or "")
    assert not (tmp_path / "c.pdf").exists()


@needs_poppler
@needs_cjk_font
def test_a_cjk_name_prints_with_the_fallback_font(three: SQLiteStore, catalog: Catalog, tmp_path: Path) -> None:
    pdf = _render(three, catalog, "s1003", tmp_path / "c.pdf", system_fonts=False, fonts=(NOTO_CJK,))
    assert CJK in _text(pdf)
    assert "NotoSansCJK" in _fonts(pdf)


@needs_poppler
@pytest.mark.parametrize("page", ["A4", "Letter"])
def test_dates_never_wrap_and_the_signatures_stay_together(three: SQLiteStore, catalog: Catalog, tmp_path: Path,
                                                           page: str) -> None:
    pdf = _render(three, catalog, "s1001", tmp_path / f"{page}.pdf", page_format=page)
    layout = _text(pdf, "-layout")
    dates = re.findall(r"\b2026-\d\d-\d\d\b", layout)
    assert len(dates) >= 5 and not re.search(r"2026-\d\d-\d?\s*$", layout, re.MULTILINE)
    pages = layout.split("\f")
    signing = [p for p in pages if "Comments and signatures" in p]
    assert len(signing) == 1
    after = signing[0].split("Comments and signatures", 1)[1]
    for line in ("Field instructor's comments", "I have reviewed this record", "are my own work",
                 "Field instructor - signature", "Faculty field liaison - signature", "Student - signature"):
        # the heading, the comments box, the attestation and every line on one page (F12, F13)
        assert line in " ".join(after.split()), line


@needs_poppler
def test_the_page_names_term_placement_roles_definitions_and_unobserved_competencies(
        three: SQLiteStore, catalog: Catalog, tmp_path: Path) -> None:
    pdf = _render(three, catalog, "s1001", tmp_path / "p.pdf", term="Fall 2026, final evaluation",
                  placement="Eastside Services", liaison="Prof. J. Okafor")
    text = " ".join(_text(pdf).split())
    for words in ("Fall 2026, final evaluation", "Eastside Services", "Prof. J. Okafor", "Faculty field liaison",
                  "What each competency means here", "N.O. - not observed in any attempt",
                  "insufficient evidence (n=2, from 1 scenario)", "5 = Excelled"):
        assert words in text, words
    assert catalog.competency_map is not None
    observed = {"C1", "C6", "C7"}
    for cid in catalog.competency_map.competencies:  # every competency has a row: rated, insufficient or N.O.
        assert re.search(rf"\b{cid.split('-')[-1]}\s", text), cid
    assert text.count("N.O. - not observed") == len(catalog.competency_map.competencies) - len(observed)


@pytest.mark.parametrize(("trainee_id", "slug"), [
    ("s1001", "s1001"), ("Ann Lee", "ann-lee"), ("../../etc/passwd", "etc-passwd"),
    ("عبد الرحمن", "trainee"), ("a\x1b]0;x\x07b", "a-0-x-b"), ("x" * 120, "x" * 40)])
def test_default_file_names_are_a_slug_and_a_short_hash_in_the_current_folder(trainee_id: str, slug: str) -> None:
    name = default_pdf_name(trainee_id)
    assert re.fullmatch(rf"practicum-{re.escape(slug)}-[0-9a-f]{{8}}\.pdf", name), name
    assert Path(name).parent == Path(".")
    assert default_pdf_name("Ann Lee") != default_pdf_name("ann-lee")


@needs_poppler
def test_the_pdf_has_a_language_a_title_and_an_outline(three: SQLiteStore, catalog: Catalog, tmp_path: Path) -> None:
    pdf = _render(three, catalog, "s1001", tmp_path / "a.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Title:\s+Practicum summary: Ann Lee \(s1001\)$", info, re.MULTILINE)
    data = pdf.read_bytes()
    assert b"/Lang (en-US)" in data and b"/Outlines" in data and b"/DisplayDocTitle true" in data


@needs_poppler
def test_each_competency_lists_its_epas_behaviours_or_says_they_are_not_listed(
        three: SQLiteStore, catalog: Catalog, tmp_path: Path) -> None:
    assert catalog.competency_map is not None
    listed = catalog.competency_map.behaviours["EPAS22-C1"]
    pdf = _render(three, catalog, "s1001", tmp_path / "b.pdf")
    text = " ".join(_text(pdf).split())
    for behaviour in listed:  # from scoring/competency-map.yaml, with its source
        assert f"{behaviour.id} {' '.join(behaviour.text.split()[:3])}" in text  # cells wrap: its start
    assert "Behaviours: CSWE 2022 EPAS, Competency 1 behaviours, paraphrased" in text
    unlisted = [cid for cid in catalog.competency_map.competencies if cid not in catalog.competency_map.behaviours]
    assert text.count("not yet listed in the") == len(unlisted) > 0  # cells wrap: the phrase's start
