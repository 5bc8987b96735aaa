"""Render the practicum summaries of three fictional trainees to PNG for docs/images/ (issue 13 item 6).

One Latin name (Letter), one long Arabic name (A4: shaped by HarfBuzz in the bundled DejaVu Sans)
and one Vietnamese name with CJK characters (Letter: the Noto Sans CJK fallback). Needs poppler's
pdftoppm and fonts-noto-cjk (`make system-deps`). Run from the checkout:

    .venv/bin/python tools/render_pdf_examples.py docs/images
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from casesim.records.export.pdf import PdfOptions, render_pdf  # noqa: E402
from casesim.records.reports import trainee_report  # noqa: E402
from casesim.records.sqlite import SQLiteStore  # noqa: E402
from support.records import EXPERT, LOST, SECRECY, load_example, play, signed_example  # noqa: E402

PEOPLE = [("s1001", "Ann Lee", "Letter"),
          ("s1002", "عبد الرحمن بن محمد الهاشمي القحطاني", "A4"),
          ("s1003", "Nguyễn Thị Mai 阮氏梅", "Letter")]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    example, catalog = load_example()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        signed = signed_example(folder, catalog)
        with SQLiteStore(folder / "records.db") as store:
            store.set_cohort_details("MSW Fall 2026", section="02", term="Fall 2026", set_by="Dr. Rosa Alvarez")
            for tid, name, _ in PEOPLE:
                store.upsert_trainee(tid, name, "MSW Fall 2026")
                play(store, signed, catalog, tid, EXPERT, mode="assessment")
                play(store, signed, catalog, tid, SECRECY, mode="assessment")
                play(store, example, catalog, tid, LOST, mode="practice")
            for tid, _, page in PEOPLE:
                report = trainee_report(store, tid, catalog=catalog)
                pdf = render_pdf(report, folder / f"{tid}.pdf", catalog=catalog,
                                 problems=store.verify(trainee_id=tid), chain_head=store.chain_heads()[tid],
                                 store_head=store.store_head(),
                                 options=PdfOptions(program="MSW Field Education, Eastside University",
                                                    instructor="Dr. Rosa Alvarez", liaison="Prof. J. Okafor",
                                                    term="Fall 2026, final evaluation",
                                                    placement="Eastside Services", page_format=page,
                                                    generated_at=datetime(2026, 12, 1, 20, 0, tzinfo=UTC)))
                prefix = out / f"pdf-{tid}-{page.lower()}"
                subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(prefix)], check=True)
    for png in sorted(out.glob("pdf-s100*.png")):
        print(png)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images"))
