"""The debrief as a document that teaches first, rendered as plain text or as accessible HTML.

One structure, two renderings, so the text a screen-reader user hears at the end of a plain
attempt and the HTML file they open in a browser say the same things in the same order:

1. whether the attempt passed, and why;
2. the decisions that mattered most, each with the better choice and its reason;
3. the competencies the attempt touched;
4. the details (every decision, critical actions, scores by framework, MI, protocols,
   competencies, the expert path);
5. a glossary of the abbreviations used (:mod:`casesim.scoring.glossary`); in HTML every term in
   the text links to its entry.

Meaning is carried by words ("passed", "not passed", "expert choice", "missing"), never by
colour or a glyph alone; tables have header cells; all scenario text is made visible
(:func:`casesim.format.text.visible`) and, in HTML, escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from casesim.format.text import flat
from casesim.scoring.debrief import (
    Debrief,
    Decision,
    MiMetric,
    ProtocolResult,
    mi_value_text,
    pace_text,
    percent,
    score_text,
)
from casesim.scoring.glossary import GlossaryEntry, select_entries, terms_in
from casesim.scoring.lessons import key_decisions

__all__ = [
    "DebriefDocument",
    "Glossary",
    "Items",
    "Section",
    "Table",
    "build_debrief",
    "debrief_html",
    "debrief_text",
    "decisions_that_mattered",
]

MATTERED = 3
"""How many decisions the first part of the debrief dwells on."""


@dataclass(frozen=True)
class Items:
    """A list of sentences; ``ordered`` when the order means something (a path, numbered decisions)."""

    entries: tuple[str, ...]
    ordered: bool = False
    title: str | None = None
    """A heading for this list alone (one decision), a level below its section's."""


@dataclass(frozen=True)
class Table:
    """A table whose first column names each row (a row header)."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Glossary:
    """Glossary entries: each term with an anchor that the terms in the text link to (HTML)."""

    entries: tuple[GlossaryEntry, ...]


Block = str | Items | Table | Glossary
"""A paragraph, a list, a table or the glossary."""


@dataclass(frozen=True)
class Section:
    """A heading and what is under it; ``level`` 2 for the main parts, 3 inside "Details"."""

    title: str
    blocks: tuple[Block, ...]
    level: int = 2


@dataclass(frozen=True)
class DebriefDocument:
    """The whole debrief, in teaching order."""

    title: str
    verdict: str
    sections: tuple[Section, ...] = field(default=())
    glossary: tuple[GlossaryEntry, ...] = ()
    """The entries the HTML links the debrief's terms to (the text lists them at the end)."""


def _pct(share: float | None) -> str:
    return "not applicable" if share is None else f"{share:.0%}"


def _points(n: int) -> str:
    return f"{n} point" if abs(n) == 1 else f"{n} points"


def decisions_that_mattered(d: Debrief, limit: int = MATTERED) -> list[Decision]:
    """The decisions to teach from first (:func:`casesim.scoring.lessons.key_decisions`): critical
    ones, then those furthest below the best choice open at the time."""
    return list(key_decisions(d, limit))


def _decision(x: Decision, total: int) -> Items:
    """One decision as a titled list: what was said, the result, why, and the better choice."""
    out = ["You let the time run out." if x.timed_out else f"You said: {flat(x.say)}"]
    out.append(f"Result: {'an expert choice' if x.on_expert_path else 'this left the expert path'}, "
               f"{_points(x.points)}{'; a critical action' if x.critical else ''}.")
    if x.critical:
        out.append(f"Why it is critical: {flat(x.critical)}")
    if x.feedback:
        out.append(f"Feedback: {flat(x.feedback)}")
    if x.better is not None:
        out.append(f"The better choice: {flat(x.better.say)}")
        if x.better_feedback:
            out.append(f"Why it is better: {flat(x.better_feedback)}")
    return Items(tuple(out), title=f"Decision {x.index + 1} of {total}")


def _touched_section(d: Debrief) -> Section:
    """The competencies the attempt gave evidence on, by title, with the rating in words."""
    touched = [c for c in d.competencies if c.rating is not None or c.evidence]
    if not touched:
        return Section("The competencies this attempt touched", ("This scenario claims no competencies.",))
    entries = tuple(f"{flat(c.title)} (EPAS {c.id}): " + ("not rated" if c.rating is None
                                                          else f"{c.rating} of 5, {flat(c.label)}")
                    for c in touched)
    return Section("The competencies this attempt touched", (Items(entries),))


def _result_section(d: Debrief, trainee: str | None) -> Section:
    verdict = "You passed this attempt." if d.passed else "You did not pass this attempt."
    article = "an" if d.mode[:1] in "aeiou" else "a"
    blocks: list[Block] = [f"{verdict} This was {article} {d.mode} attempt"
                           + (f" by {flat(trainee)}." if trainee else ".")]
    if d.ending is not None:
        ending = f"The ending you reached: {flat(d.ending_title or d.ending)}"
        if d.outcome:
            ending += f" (outcome: {flat(d.outcome)})"
        blocks.append(ending + ".")
        if d.ending_summary:
            blocks.append(flat(d.ending_summary))
    else:
        blocks.append("The attempt stopped before an ending.")
    blocks.append("Why:")
    blocks.append(Items(tuple(flat(r) for r in d.reasons) or ("No reason was recorded.",)))
    blocks.append(f"Score: {score_text(d)} ({d.total_raw} of the expert path's {d.total_best} points; "
                  f"{percent(d.pass_share)} is needed to pass).")
    if d.pace is not None and d.pace.too_fast:
        blocks.append(f"Pace: {pace_text(d.pace)}.")
    return Section("Result", tuple(blocks))


def _mattered_section(d: Debrief) -> Section:
    chosen = decisions_that_mattered(d)
    if not d.decisions:
        return Section("The decisions that mattered", ("No decisions were made.",))
    if not chosen:
        return Section("The decisions that mattered",
                       ("You took the expert choice at every decision. Keep doing what you did.",))
    blocks: list[Block] = [f"The {len(chosen)} decision{'s' if len(chosen) != 1 else ''} to look at first, "
                           "most important first:"]
    blocks += [_decision(x, len(d.decisions)) for x in chosen]
    return Section("The decisions that mattered", tuple(blocks))


def _all_decisions(d: Debrief) -> Section:
    if not d.decisions:
        return Section("Every decision", ("No decisions were made.",), level=3)
    return Section("Every decision", tuple(_decision(x, len(d.decisions)) for x in d.decisions), level=3)


_KIND = {"never-event": "A never-event", "missed-requirement": "A missed requirement",
         "timer-expired": "The time ran out"}


def _critical(d: Debrief) -> Section:
    if not d.critical:
        return Section("Critical actions", ("None: no never-event was taken and every must-do requirement was met.",),
                       level=3)
    entries = []
    for c in d.critical:
        cites = "; ".join(f"{c2.id} {flat(c2.title)} ({flat(c2.source)})" for c2 in c.cites)
        entries.append(f"{_KIND.get(c.kind, c.kind)}: {flat(c.reason)}" + (f" Cites: {cites}." if cites else ""))
    return Section("Critical actions", (Items(tuple(entries)),), level=3)


def _frameworks(d: Debrief) -> Section:
    by_id = {c.id: c for c in d.criteria}
    blocks: list[Block] = []
    for fw in d.frameworks:
        # Points only, against the expert path: the one percentage in a debrief is the score.
        rows = [(f"{c.id} {flat(c.title)}", str(c.raw), "-" if c.expert is None else str(c.expert),
                 f"{c.worst} to {c.best}") for cid in fw.criteria if (c := by_id.get(cid)) is not None]
        blocks.append(Table(flat(fw.title), ("Criterion", "Your points", "Expert path", "Any path"), tuple(rows)))
    return Section("Scores by framework and criterion", tuple(blocks) or ("No criteria are scored in this scenario.",),
                   level=3)


def _mi_value(m: MiMetric, value: float | None) -> str:
    return mi_value_text(m, value, missing="not enough data")


def _mi(d: Debrief) -> Section:
    rows = []
    for m in d.mi.metrics:
        thresholds = ("none set by the manual" if m.fair is None and m.good is None
                      else f"fair from {_mi_value(m, m.fair)}, good from {_mi_value(m, m.good)}")
        rows.append((flat(m.title), _mi_value(m, m.value), m.label, thresholds))
    counts = ", ".join(f"{code} {n}" for code, n in d.mi.counts.items() if n) or "none coded"
    blocks: list[Block] = []
    if rows:
        blocks.append(Table("MITI 4.2.1 summary scores over what you said",
                            ("Measure", "Your value", "Rating", "Thresholds"), tuple(rows)))
    blocks.append(f"Behaviour counts: {counts}.")
    return Section("Motivational interviewing (MITI 4.2.1)", tuple(blocks), level=3)


def _protocol_status(p: ProtocolResult, step: str) -> str:
    if step in p.missing:
        return "missing"
    if step in p.out_of_order:
        return "done, out of order"
    return "done, in order"


def _protocols(d: Debrief, titles: Mapping[str, str]) -> Section:
    if not d.protocols:
        return Section("Protocols", ("No protocol is scored in this scenario.",), level=3)
    blocks: list[Block] = []
    for p in d.protocols:
        blocks.append(f"{flat(p.title)}: {_pct(p.share)} of the steps the client's answers call for, done in order.")
        steps = [f"{s} {flat(titles.get(s, ''))}: {_protocol_status(p, s)}".replace("  ", " ") for s in p.required]
        steps += [f"{s} {flat(titles.get(s, ''))}: done but not called for".replace("  ", " ") for s in p.unnecessary]
        blocks.append(Items(tuple(steps) or ("No steps were called for.",)))
        if p.action_matches is not None or p.level_called_for is not None or p.level_action is not None:
            called = p.level_called_for
            taken = p.action_taken
            line = (f"Triage called for: {called + ' ' + flat(titles.get(called, '')) if called else 'none'}. "
                    f"Action you took: {taken + ' ' + flat(titles.get(taken, '')) if taken else 'none'}.")
            if p.action_matches is not None:
                line += " It matches." if p.action_matches else " It does not match."
            blocks.append(line)
    return Section("Protocols", tuple(blocks), level=3)


def _competencies(d: Debrief) -> Section:
    if not d.competencies:
        return Section("Competencies", ("This scenario claims no competencies.",), level=3)
    rows = []
    for c in d.competencies:
        rating = "not rated" if c.rating is None else f"{c.rating} of 5" + (", capped by a critical action"
                                                                           if c.capped else "")
        rows.append((f"{c.id} {flat(c.title)}", rating, flat(c.label), ", ".join(flat(e) for e in c.evidence) or "none"))
    return Section("Competencies", (
        "CSWE 2022 EPAS, rated 1 to 5 as in field evaluations (3 meets expectations).",
        Table("Competency ratings", ("Competency", "Rating", "Meaning", "Evidence"), tuple(rows))), level=3)


def _expert(d: Debrief) -> Section:
    if not d.expert_path:
        return Section("The expert path", ("The analysis found no clean path through this scenario.",), level=3)
    chosen = {x.choice for x in d.decisions}
    entries = tuple(f"{flat(s.say)} ({'you chose this' if s.choice in chosen else 'you did not choose this'})"
                    for s in d.expert_path)
    return Section("The expert path", ("The best clean path the analysis found:", Items(entries, ordered=True)),
                   level=3)


def build_debrief(d: Debrief, criterion_titles: Mapping[str, str], *, trainee: str | None = None,
                  glossary: Sequence[GlossaryEntry] = (), timing: str | None = None) -> DebriefDocument:
    """The debrief in teaching order: result and why, the decisions that mattered, the competencies
    touched, then details, then a glossary. ``glossary`` is the entries to draw from (all of
    :func:`casesim.scoring.glossary.glossary`); the document keeps those of the frameworks the
    attempt was scored on and those its own text names (EPAS, in the competency ratings).
    ``timing`` names a timing accommodation the attempt was played with (shown as an
    accommodation; it never changes the score)."""
    result = _result_section(d, trainee)
    if timing:
        result = Section(result.title, (*result.blocks, f"Timing accommodation: {timing}. It gives more time; "
                                        "it does not change the score."))
    sections = [
        result,
        _mattered_section(d),
        _touched_section(d),
        Section("Details", ("Everything the scoring found, for those who want it.",)),
        _all_decisions(d), _critical(d), _frameworks(d), _mi(d), _protocols(d, criterion_titles), _competencies(d),
        _expert(d),
    ]
    used = select_entries(d, glossary, (text for s in sections for b in s.blocks for text in _texts(b)))
    if used:
        what = "abbreviations and criterion ids" if any(e.criterion for e in used) else "abbreviations"
        sections.append(Section("Glossary", (f"What the {what} in this debrief stand for, in the words of "
                                             "casesim's framework files.", Glossary(used))))
    return DebriefDocument(f"Debrief: {flat(d.scenario_title)}", "passed" if d.passed else "not passed",
                           tuple(sections), used)


def _texts(block: Block) -> tuple[str, ...]:
    """The words of one block, for finding the glossary terms it names."""
    if isinstance(block, str):
        return (block,)
    if isinstance(block, Items):
        return (*block.entries, *(() if block.title is None else (block.title,)))
    if isinstance(block, Table):
        return (block.caption, *block.headers, *(v for row in block.rows for v in row))
    return ()


# --- plain text ----------------------------------------------------------------------------------

def _text_block(block: Block) -> list[str]:
    if isinstance(block, str):
        return [block]
    if isinstance(block, Items):
        lines = [f"{i}. {e}" if block.ordered else f"- {e}" for i, e in enumerate(block.entries, start=1)]
        return ["", f"{block.title}:", *lines] if block.title else lines
    if isinstance(block, Glossary):
        return [f"- {e.term} ({flat(e.title)}): {flat(e.plain)}" for e in block.entries]
    out = [f"{block.caption}:"]
    for row in block.rows:
        out.append(f"- {row[0]}: " + "; ".join(f"{h.lower()} {v}" for h, v in zip(block.headers[1:], row[1:],
                                                                                    strict=True)))
    return out


def debrief_text(doc: DebriefDocument) -> str:
    """One idea per line, headings on their own line followed by a colon; no box or block characters.

    A table becomes one line per row, each value named by its column ("share of the best 80%"),
    which a screen reader reads in order without table navigation.
    """
    lines = [doc.title, ""]
    for section in doc.sections:
        lines.append(f"{section.title}:")
        for block in section.blocks:
            lines += _text_block(block)
        lines.append("")
    return "\n".join(lines)


# --- HTML ----------------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; font-size: 1.1rem; line-height: 1.5; max-width: 46rem;
       margin: 1rem auto; padding: 0 1rem; color: #111; background: #fff; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
th, td { border: 1px solid #444; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #e8e8e8; }
li { margin: 0.3rem 0; }
"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _linker(entries: Sequence[GlossaryEntry]) -> Callable[[str], str]:
    """Escape text and link each glossary term in it to its entry (``#gloss-...``)."""
    def link(text: str) -> str:
        out, at = [], 0
        for start, end, entry in terms_in(text, entries):
            out += [_esc(text[at:start]), f'<a href="#{entry.anchor}">{_esc(text[start:end])}</a>']
            at = end
        out.append(_esc(text[at:]))
        return "".join(out)
    return link


def _html_block(block: Block, level: int, link: Callable[[str], str] = _esc) -> list[str]:
    if isinstance(block, str):
        return [f"<p>{link(block)}</p>"]
    if isinstance(block, Items):
        tag = "ol" if block.ordered else "ul"
        head = [f"<h{level + 1}>{_esc(block.title)}</h{level + 1}>"] if block.title else []
        return [*head, f"<{tag}>", *(f"<li>{link(e)}</li>" for e in block.entries), f"</{tag}>"]
    if isinstance(block, Glossary):
        return ["<dl>", *(f'<dt id="{e.anchor}">{_esc(e.term)}</dt><dd>{_esc(e.title)}. {_esc(e.plain)}</dd>'
                          for e in block.entries), "</dl>"]
    out = ["<table>", f"<caption>{_esc(block.caption)}</caption>", "<thead><tr>",
           *(f'<th scope="col">{_esc(h)}</th>' for h in block.headers), "</tr></thead>", "<tbody>"]
    for row in block.rows:
        out.append(f'<tr><th scope="row">{link(row[0])}</th>' + "".join(f"<td>{link(v)}</td>" for v in row[1:])
                   + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def debrief_html(doc: DebriefDocument) -> str:
    """A standalone, accessible page: ``lang``, a title, one ``h1``, ``h2``/``h3`` in order,
    real lists, tables with ``th scope``; black on white, and no meaning carried by colour."""
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{_esc(doc.title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>", "<main>",
             f"<h1>{_esc(doc.title)}</h1>"]
    link = _linker(doc.glossary) if doc.glossary else _esc
    for section in doc.sections:
        parts.append(f"<h{section.level}>{_esc(section.title)}</h{section.level}>")
        for block in section.blocks:
            parts += _html_block(block, section.level, link)
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)

