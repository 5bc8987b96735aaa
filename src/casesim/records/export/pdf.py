"""A practicum summary for one trainee, as a PDF a field instructor can read and sign (fpdf2).

Pages: who, when, term, placement and evaluators; a row per competency of the map under the
evidence rules of :mod:`casesim.records.evidence` (assessment attempts on signed-off scenarios
only, two measures from two scenarios, else "insufficient evidence"; "N.O." when never observed),
with practice and trial ratings beside them but never counted, the 1-5 scale and what each
competency means here; every attempt, labelled assessment, practice or trial, with why it passed
or not; critical actions; the state of the record (verified, with the trainee's chain head, so
the signed page fixes the record it certifies); signature lines for the field instructor, the
faculty field liaison and the student, kept on one page with their heading. Text uses the
DejaVu Sans that ships inside casesim (``casesim.bundled.font_path``) with HarfBuzz shaping, so
Arabic joins and runs right to left; characters it lacks (CJK) come from a fallback font chosen by
:mod:`casesim.records.export.pdf_fonts`, or the export refuses and names them, never printing "?".
The same records, date and fonts give the same bytes. Tables fill the page's text width, so A4
and Letter both keep dates on one line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casesim import __version__
from casesim.bundled import font_path
from casesim.errors import CaseSimError
from casesim.records.api import VerifyProblem, left_without_penalty
from casesim.records.chain import iso_utc, utc_now
from casesim.records.evidence import MIN_MEASURES, MIN_SCENARIOS
from casesim.records.export.pdf_fonts import FontPlan, plan_fonts
from casesim.records.keys import format_head
from casesim.records.render import attempt_score
from casesim.records.reports import TraineeReport
from casesim.scoring.catalog import Catalog
from casesim.scoring.debrief import pace_text, percent
from casesim.scoring.pace import READING_WPM, TOO_FAST_RATIO

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["PdfOptions", "default_pdf_name", "render_pdf"]

_FAMILY = "DejaVu"


@dataclass(frozen=True)
class PdfOptions:
    program: str | None = None
    """The program's name, printed at the top (e.g. "MSW Field Education, Eastside University")."""
    instructor: str | None = None
    """The field instructor's name, printed on the signature line."""
    generated_at: datetime | None = None
    """The moment printed in the footer and stored as the PDF's creation date (default: now)."""
    page_format: str = "Letter"
    term: str | None = None
    """The term and evaluation point (e.g. "Fall 2026, final evaluation"); by default the terms
    stamped on the attempts listed (the cohort's term as each began)."""
    placement: str | None = None
    """The placement agency."""
    liaison: str | None = None
    """The faculty field liaison's name, printed on their signature line."""
    fonts: tuple[Path, ...] = ()
    """Fonts to try, before the system's, for characters the bundled DejaVu Sans lacks (``--font``)."""
    system_fonts: bool = True
    """Whether to look for fallback fonts in the system's folders (after :attr:`fonts`)."""


def default_pdf_name(trainee_id: str) -> str:
    """``practicum-<slug>-<hash>.pdf``: a file name in the current folder made from any id.

    The slug keeps ASCII letters and digits (lower-cased, other runs as one ``-``, at most 40), so
    an id with ``/``, ``..``, spaces, control characters or only non-Latin letters never names
    another folder or an odd file; the first 8 hex digits of the id's SHA-256 keep two ids with
    the same slug (``Ann Lee`` and ``ann-lee``) apart.
    """
    import hashlib
    import re

    slug = re.sub(r"[^a-z0-9]+", "-", trainee_id.lower().encode("ascii", "ignore").decode("ascii")).strip("-")
    slug = slug[:40].rstrip("-") or "trainee"
    return f"practicum-{slug}-{hashlib.sha256(trainee_id.encode('utf-8')).hexdigest()[:8]}.pdf"


_COMMENTS_HEIGHT = 32
"""The height of the field instructor's comments box, in mm (room for five handwritten lines)."""


def _distinct(values: Iterable[str | None]) -> list[str]:
    """The values that are set, each once, in the order first met."""
    return list(dict.fromkeys(v for v in values if v))


def _date(iso: str | None) -> str:
    return iso[:10] if iso else "-"


class _Summary:
    def __init__(self, options: PdfOptions, footer: str, created: datetime, fonts: FontPlan, title: str) -> None:
        try:
            from fpdf import FPDF
            from fpdf.enums import XPos, YPos
        except ImportError as exc:  # pragma: no cover - fpdf2 is a dependency
            raise CaseSimError("the PDF export needs the fpdf2 package", title="PDF export unavailable",
                               hint="pip install fpdf2") from exc
        self.XPos, self.YPos = XPos, YPos

        class Page(FPDF):
            def footer(self) -> None:
                self.set_y(-12)
                self.set_font(self.font_family, "", 7.5)
                self.set_text_color(90, 90, 90)
                self.cell(0, 5, footer, align="L")
                self.set_x(self.l_margin)
                self.cell(0, 5, f"page {self.page_no()} of {{nb}}", align="R")
                self.set_text_color(0, 0, 0)

        pdf = Page(orientation="P", unit="mm", format=options.page_format)
        pdf.set_margins(18, 16, 18)
        pdf.set_auto_page_break(True, margin=18)
        pdf.set_creator(f"casesim {__version__}")
        # fpdf2 stamps the creation date into the document and derives the file /ID from it; left
        # to itself it uses the wall clock, and two renders of the same records would differ.
        pdf.set_creation_date(created)
        pdf.add_font(_FAMILY, "", font_path())
        pdf.add_font(_FAMILY, "B", font_path(bold=True))
        fallbacks = []
        for number, (regular, bold) in enumerate(fonts.fallbacks):
            family = f"Fallback{number}"
            pdf.add_font(family, "", regular)
            pdf.add_font(family, "B", bold)
            fallbacks.append(family)
        if fallbacks:  # characters DejaVu lacks (CJK) come from these, in the same size and weight
            pdf.set_fallback_fonts(fallbacks, exact_match=False)
        # HarfBuzz shaping: Arabic joins and runs right to left, marks combine with their letters.
        pdf.set_text_shaping(True)
        # What fpdf2 offers for accessibility: the document's language and title (shown by viewers
        # instead of the file name) and an outline of the sections for navigation; it does not
        # write a full structure tree for text, so this is not a PDF/UA file.
        from fpdf.prefs import ViewerPreferences

        pdf.set_lang("en-US")
        pdf.set_title(title)
        pdf.set_subject("Record of simulated practice, to be read beside the field evaluation")
        pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.family = _FAMILY
        self.pdf: FPDF = pdf
        pdf.add_page()

    def font(self, size: float, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)

    def para(self, value: str, size: float = 9.5, bold: bool = False, gap: float = 1.5) -> None:
        self.font(size, bold)
        self.pdf.multi_cell(0, size * 0.5, value, align="L", new_x=self.XPos.LMARGIN,
                            new_y=self.YPos.NEXT)
        self.pdf.ln(gap)

    def mono(self, value: str, size: float = 10.5) -> None:
        """A head in bold with its groups of eight apart, so it is copied back digit by digit (the
        bundled font only: the page must look the same everywhere)."""
        self.font(size, True)
        self.pdf.cell(0, size * 0.5, value, new_x=self.XPos.LMARGIN, new_y=self.YPos.NEXT)
        self.pdf.ln(1.5)

    def heading(self, value: str, keep: float = 60) -> None:
        """A section heading, on a new page unless ``keep`` mm of its section fit below it (a
        heading is never left alone at the foot of a page)."""
        pdf = self.pdf
        if pdf.get_y() > pdf.h - pdf.b_margin - keep:
            pdf.add_page()
        pdf.ln(2)
        pdf.start_section(value)  # an outline entry (bookmark) per section
        self.font(12, True)
        pdf.cell(0, 7, value, new_x=self.XPos.LMARGIN, new_y=self.YPos.NEXT)
        pdf.set_draw_color(150, 150, 150)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(2)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
              aligns: Sequence[str] | None = None, size: float = 8.5) -> None:
        self.font(size)
        # Widths are relative: the table fills the page's text width, Letter or A4 alike.
        with self.pdf.table(width=self.pdf.epw, col_widths=tuple(widths), text_align=tuple(aligns or ["LEFT"] * len(widths)),
                            line_height=size * 0.55, padding=1.2, borders_layout="HORIZONTAL_LINES",
                            headings_style=_heading_style(self.family, size)) as table:
            row = table.row()
            for cell in header:
                row.cell(cell)
            for values in rows:
                row = table.row()
                for cell in values:
                    row.cell(cell)
        self.pdf.ln(2)


def _competency_ids(catalog: Catalog | None) -> list[str]:
    if catalog is None or catalog.competency_map is None:
        return []
    return list(catalog.competency_map.competencies)


def _unobserved(catalog: Catalog | None, report: TraineeReport) -> list[str]:
    seen = {c.id for c in report.competencies}
    return [cid for cid in _competency_ids(catalog) if cid not in seen]


def _definitions(catalog: Catalog | None) -> list[list[str]]:
    """Per competency: its title, what good practice looks like, and its EPAS behaviours as the
    competency map lists them (or that the program has not added them)."""
    if catalog is None:
        return []
    behaviours = catalog.competency_map.behaviours if catalog.competency_map is not None else {}
    rows = []
    for cid in _competency_ids(catalog):
        if cid not in catalog.criteria:
            continue
        listed = behaviours.get(cid, [])
        shown = ("\n".join(f"{b.id} {b.text}" for b in listed) if listed else
                 "not yet listed in the program's competency map")
        rows.append([f"{cid.split('-')[-1]}  {catalog.criteria[cid].title}", catalog.criteria[cid].good, shown])
    return rows


def _behaviour_sources(catalog: Catalog | None) -> list[str]:
    if catalog is None or catalog.competency_map is None:
        return []
    return list(dict.fromkeys(b.source for listed in catalog.competency_map.behaviours.values() for b in listed))


def _heading_style(family: str, size: float) -> Any:
    from fpdf.fonts import FontFace

    return FontFace(family=family, emphasis="BOLD", size_pt=size, fill_color=(232, 232, 232))


def render_pdf(report: TraineeReport, out: str | Path, *, catalog: Catalog | None = None,
               problems: Sequence[VerifyProblem] = (), chain_head: tuple[int, str] | None = None,
               options: PdfOptions | None = None, store_head: str | None = None, keyed: bool = False,
               unverified: str | None = None) -> Path:
    """Write the practicum summary of ``report`` to ``out`` and return the path.

    ``chain_head``: the trainee's (attempts, head); ``store_head``: the head over every trainee;
    ``keyed``: whether the store's hashes are keyed; ``unverified``: why the record could not be
    verified (then, as with ``problems`` or damaged debriefs in ``report.notes``, the page says
    not to sign)."""
    # Leaving without penalty is never held against a student: those attempts are not on the page.
    report = dataclasses.replace(report, attempts=tuple(a for a in report.attempts
                                                        if not left_without_penalty(a.attempt.status)))
    options = options or PdfOptions()
    created = options.generated_at or utc_now()
    generated = iso_utc(created)
    t = report.trainee
    texts = [t.display_name, t.id, t.cohort, options.program, options.instructor, options.term,
             *(a.attempt.cohort for a in report.attempts), *(a.attempt.section for a in report.attempts),
             *(a.attempt.term for a in report.attempts),
             *(s.scenario_title or s.attempt.scenario_id for s in report.attempts),
             *(s.ending_title for s in report.attempts), *(r for s in report.attempts for r in s.critical),
             *(c.title for c in report.competencies), *report.notes, *(p.message for p in problems)]
    fonts = plan_fonts(texts, options.fonts, system=options.system_fonts)
    doc = _Summary(options, f"casesim {__version__} practicum summary - {t.display_name} ({t.id}) - "
                            f"generated {generated[:16].replace('T', ' ')} UTC", created, fonts,
                   f"Practicum summary: {t.display_name} ({t.id})")
    pdf = doc.pdf

    doc.font(16, True)
    pdf.cell(0, 9, "Practicum summary: simulated practice", new_x=doc.XPos.LMARGIN, new_y=doc.YPos.NEXT)
    if options.program:
        doc.para(options.program, 11, gap=0.5)
    doc.para("Conversations with fictional clients in casesim, scored against cited practice guidelines "
             "and rated on the CSWE 2022 EPAS competencies. A record of simulated practice, to be read "
             "beside the field instructor's own evaluation; it is not a clinical placement record.", 8.5)
    starts = [a.attempt.started_at for a in report.attempts]
    period = f"{_date(min(starts))} to {_date(max(starts))}" if starts else "no attempts yet"
    # The cohort, section and term each attempt stamped as it began (what it was played under);
    # the trainee's current cohort when none was stamped.
    cohort_cell = "; ".join(_distinct(
        (a.attempt.cohort or t.cohort or "-") + (f", section {a.attempt.section}" if a.attempt.section else "")
        for a in report.attempts)) or t.cohort or "-"
    term = options.term or "; ".join(_distinct(a.attempt.term for a in report.attempts)) or "-"
    doc.table(["Student", "Student id", "Cohort and section", "Period"],
              [[t.display_name, t.id, cohort_cell, period]], [45, 30, 60, 45])
    doc.table(["Term and evaluation point", "Placement agency", "Field instructor", "Faculty field liaison"],
              [[term, options.placement or "-", options.instructor or "-", options.liaison or "-"]],
              [45, 45, 45, 45])
    doc.para(f"{len(report.attempts)} attempt(s): {report.finished} finished, {report.passed} passed "
             "(an assessment attempt passes with at least the scenario's pass share and no critical action).", 9)
    doc.para(f"Counted as evidence: {report.counted} assessment attempt(s) on clinically signed-off scenarios, "
             f"{report.counted_passed} passed. Practice attempts and trials (assessment attempts on a scenario "
             "without a valid clinical sign-off) are listed but never counted.", 9)

    doc.heading("Competency ratings (CSWE 2022 EPAS)")
    scale = catalog.competency_map.scale if catalog is not None and catalog.competency_map is not None else []
    labels = {s.rating: s.label for s in scale}
    if report.competencies:
        doc.para(f"A rating is given only with at least {MIN_MEASURES} assessment measures from at least "
                 f"{MIN_SCENARIOS} different clinically signed-off scenarios: the mean of each scenario's latest "
                 "rating. Practice and trial ratings are shown for discussion and are not counted.", 8)
        rows = []
        for trend in report.competencies:
            evidence = trend.evidence
            rating = evidence.rating
            if rating is None:
                counted = evidence.summary()
            else:
                meaning = labels.get(int(rating + 0.5))
                counted = f"{rating:.1f}" + (f" - {meaning}" if meaning else "") + \
                    f" (n={evidence.measures}, {evidence.scenarios} scenarios)"
            other = "; ".join(f"{name} " + " ".join(str(r) for r in ratings[-6:])
                              for name, ratings in (("practice", evidence.practice), ("trial", evidence.trial),
                                                    ("uncounted", evidence.uncounted))
                              if ratings) or "-"
            rows.append([f"{trend.id.split('-')[-1]}  {trend.title}", counted, other])
        for cid in _unobserved(catalog, report):  # listed, never silently left out (F13)
            title = catalog.criteria[cid].title if catalog is not None and cid in catalog.criteria else cid
            rows.append([f"{cid.split('-')[-1]}  {title}", "N.O. - not observed in any attempt", "-"])
        doc.table(["Competency", "Rating from counted evidence", "Practice / trial (not counted)"], rows,
                  [64, 76, 40])
        if labels:
            doc.para("Scale: " + "; ".join(f"{r} = {labels[r]}" for r in sorted(labels, reverse=True)) + ". "
                     "A critical action caps the competencies it concerns.", 7.5)
    else:
        doc.para("No finished attempt has rated a competency yet.")
    definitions = _definitions(catalog)
    if definitions:
        doc.heading("What each competency means here")
        doc.para("What good practice looks like for each competency, as the scenarios score it (casesim's "
                 "paraphrase of the 2022 EPAS competency, not CSWE's wording), and the EPAS practice behaviours "
                 "the program's competency map lists under it.", 8)
        doc.table(["Competency", "Good practice", "EPAS behaviours"], definitions, [40, 75, 65], size=8)
        sources = _behaviour_sources(catalog)
        if sources:
            doc.para("Behaviours: " + "; ".join(sources) + ".", 7)

    doc.heading("Attempts")
    if report.attempts:
        rows = []
        for s in report.attempts:
            a = s.attempt
            result = attempt_score(a)
            if a.pace is not None and a.pace.too_fast:
                result += " (implausibly fast: see below)"
            rows.append([_date(a.started_at), s.scenario_title or a.scenario_id, s.evidence, result,
                         s.ending_title or "-"])
        doc.table(["Date", "Scenario", "Mode", "Score and result", "Ending"], rows, [25, 44, 22, 52, 37])
        doc.para("Score: the share of the expert path's points, the figure the pass rule uses.", 7.5)
    else:
        doc.para("No attempts yet.")

    governed = [s for s in report.attempts if s.reason]
    if governed:
        doc.heading("How each assessment counts (assignments)")
        doc.para("In a cohort with assignments, an assessment counts only under an assignment of its scenario "
                 "(the version assigned, within its window and attempt limit), and the assignment's rule picks "
                 "which attempt counts; any other assessment counts as practice.", 8.5)
        doc.table(["Date", "Scenario", "Counts as", "Why"],
                  [[_date(s.attempt.started_at), s.scenario_title or s.attempt.scenario_id, s.evidence,
                    s.reason or ""] for s in governed], [25, 44, 23, 88])

    critical = [(s, reason) for s in report.attempts for reason in s.critical]
    if critical:
        doc.heading("Critical actions to discuss")
        doc.table(["Date", "Scenario", "Mode", "What happened"],
                  [[_date(s.attempt.started_at), s.scenario_title or s.attempt.scenario_id, s.attempt.mode, reason]
                   for s, reason in critical], [25, 44, 23, 88])

    accommodated = [s for s in report.attempts if s.accommodation]
    if accommodated:
        doc.heading("Timing accommodations")
        doc.para("More time on timers, as arranged; an accommodation, not a penalty: it does not change a score.", 8.5)
        doc.table(["Date", "Scenario", "Mode", "Accommodation"],
                  [[_date(s.attempt.started_at), s.scenario_title or s.attempt.scenario_id, s.attempt.mode,
                    s.accommodation or ""] for s in accommodated], [25, 44, 23, 88])

    fast = [s for s in report.attempts if s.attempt.pace is not None and s.attempt.pace.too_fast]
    if fast:
        doc.heading("Implausibly fast attempts")
        doc.para(f"Decisions came faster than the text shown can be read (at {READING_WPM} words a minute, the "
                 f"average adult silent reading rate; flagged below {percent(TOO_FAST_RATIO)} of that time). Discuss "
                 "before relying on them.", 8.5)
        doc.table(["Date", "Scenario", "Mode", "Pace"],
                  [[_date(s.attempt.started_at), s.scenario_title or s.attempt.scenario_id, s.attempt.mode,
                    pace_text(s.attempt.pace)] for s in fast if s.attempt.pace is not None], [25, 44, 23, 88])

    if pdf.get_y() > pdf.h - 200:  # keep the record, the comments and the signatures on one page
        pdf.add_page()
    doc.heading("The record")
    if problems or report.notes or unverified:
        count = len(problems) + len(report.notes) + (1 if unverified else 0)
        doc.para(f"WARNING: {count} problem(s) in this student's record (an edited, deleted, reordered or damaged "
                 "entry, or a record that could not be verified). Do not sign before they are explained:", 9,
                 bold=True)
        listed = [*([unverified] if unverified else []), *report.notes, *(p.message for p in problems)]
        for message in listed[:10]:
            doc.para(f"- {message}", 8)
        if len(listed) > 10:
            doc.para(f"- and {len(listed) - 10} more: run `casesim records verify`", 8)
    else:
        doc.para(f"Verified {generated[:16].replace('T', ' ')} UTC: the hash chain of this student's record is intact; "
                 "every attempt, choice, outcome and profile change is linked into the student head below.", 9)
    if keyed:
        doc.para("This record is keyed (HMAC-SHA256, with a key kept outside the database): a change made by "
                 "anyone without the key fails verification. Only a copy of the whole file from before this "
                 "page can pass, and this head shows that too.", 7.5)
    else:
        doc.para("This record has no key: a rewrite that recomputes every hash with casesim's own code would "
                 "still verify, but would change the heads below. Keep this signed page and compare with "
                 "`casesim records verify --against HEAD` (spaces do not matter).", 7.5)
    if chain_head is not None:
        doc.para(f"Student head, after {chain_head[0]} attempt(s):", 8, gap=0.5)
        doc.mono(format_head(chain_head[1]))
    if store_head is not None:
        doc.para("Store head (every student in the record, as of this page):", 8, gap=0.5)
        doc.mono(format_head(store_head))

    signers = (("Field instructor", options.instructor), ("Faculty field liaison", options.liaison),
               ("Student", t.display_name))
    # The comments box, the attestation and every signature line stay on one page with the heading.
    doc.heading("Comments and signatures", keep=_COMMENTS_HEIGHT + 40 + 20 * len(signers))
    doc.para("Field instructor's comments:", 8.5, gap=0.5)
    top = pdf.get_y()
    pdf.rect(pdf.l_margin, top, pdf.epw, _COMMENTS_HEIGHT)
    pdf.set_y(top + _COMMENTS_HEIGHT + 2)
    doc.para("Field instructor and faculty field liaison: I have reviewed this record of simulated practice with "
             "the student. It supplements, and does not replace, the field evaluation.", 8.5)
    doc.para("Student: the assessment attempts listed above are my own work, done without help from another "
             "person or from notes during the attempt.", 8.5)
    for role, name in signers:
        pdf.ln(8)
        doc.font(9)
        y = pdf.get_y()
        x0 = pdf.l_margin
        for label, x, width in (("Name", x0, 60), ("Signature", x0 + 66, 62), ("Date", x0 + 134, 40)):
            pdf.line(x, y + 6, x + width, y + 6)
            pdf.set_xy(x, y + 7)
            doc.font(7.5)
            pdf.cell(width, 4, f"{role} - {label.lower()}")
        if name:
            size = 10.0
            doc.font(size)
            while pdf.get_string_width(name) > 59 and size > 6:  # a long name shrinks to fit its line
                size -= 0.5
                doc.font(size)
            pdf.set_xy(x0, y)
            pdf.cell(60, 5.5, name)
        pdf.set_xy(x0, y + 12)
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(target))
    return target
