"""A glossary of the abbreviations a debrief uses (C-SSRS, MITI, BETA, EPAS, Part 2, ...), built
from the plain-language text the framework files already carry.

A debrief names frameworks by their abbreviations, which a student new to the field may not know
(UX review §3). Each entry's words come from ``scoring/*.yaml``: the framework's title and the
first sentence of its ``summary`` (written for trainers, in plain words), and for a legal rule
inside a framework (Part 2, HIPAA) the titles of the criteria that state it. Nothing here adds
a fact the framework files do not give. Which terms an entry answers to is the only thing this
module decides, in :data:`TERMS`. The terminal UI opens an entry on a key; the HTML debrief links
each term to its entry's anchor; the text debrief lists the entries it used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from casesim.scoring.catalog import Catalog
from casesim.scoring.debrief import Debrief

__all__ = ["TERMS", "GlossaryEntry", "criterion_entries", "debrief_glossary", "glossary", "select_entries", "terms_in",
           "used_entries"]


@dataclass(frozen=True, slots=True)
class _Term:
    term: str
    framework: str
    aliases: tuple[str, ...] = ()
    criteria_prefix: str | None = None
    """For a rule inside a framework: the criteria whose ids start with this state it."""


TERMS: tuple[_Term, ...] = (
    _Term("C-SSRS", "cssrs-screener", ("Columbia",)),
    _Term("MITI", "miti", ("MI counts", "motivational interviewing")),
    _Term("BETA", "project-beta", ("Project BETA",)),
    _Term("EPAS", "epas-2022", ("CSWE",)),
    _Term("NASW", "nasw-code"),
    _Term("CCMC", "ccmc-code"),
    _Term("Stanley–Brown", "stanley-brown", ("Stanley-Brown", "safety plan")),
    _Term("SAMHSA", "samhsa-tia", ("trauma-informed",)),
    _Term("Part 2", "legal-basics", ("42 CFR",), criteria_prefix="42CFR2"),
    _Term("HIPAA", "legal-basics", ("45 CFR",), criteria_prefix="45CFR164"),
    _Term("Tarasoff", "legal-basics", ("duty to protect",), criteria_prefix="TARASOFF"),
    _Term("Stages of change", "stages-of-change", ("Transtheoretical",)),
    _Term("Harm reduction", "harm-reduction"),
    _Term("Relapse prevention", "relapse-prevention"),
)
"""The abbreviations and names the glossary explains, and the framework file each comes from."""


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """One term: what it stands for and what it is, in the framework file's own plain words."""

    term: str
    title: str
    plain: str
    framework: str
    aliases: tuple[str, ...]
    criterion: bool = False
    """A criterion id (``NASW-1.01``) rather than an abbreviation: its entry is the criterion's text."""

    @property
    def anchor(self) -> str:
        """An HTML id for the entry (``gloss-c-ssrs``; ``gloss-criterion-nasw-1-01`` for a criterion)."""
        kind = "criterion-" if self.criterion else ""
        return "gloss-" + kind + re.sub(r"[^a-z0-9]+", "-", self.term.casefold()).strip("-")

    @property
    def names(self) -> tuple[str, ...]:
        return (self.term, *self.aliases)


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", flat)
    return match.group(1) if match else flat


def glossary(catalog: Catalog) -> tuple[GlossaryEntry, ...]:
    """The entries whose framework this catalog has, in :data:`TERMS` order."""
    out = []
    for t in TERMS:
        fw = catalog.frameworks.get(t.framework)
        if fw is None:
            continue
        plain = _first_sentence(fw.summary)
        title = " ".join(fw.title.split())
        if t.criteria_prefix is not None:
            rules = [c for c in fw.criteria if c.id.startswith(t.criteria_prefix)]
            if not rules:
                continue
            plain = "; ".join(c.title for c in rules) + f". Part of “{title}”: {plain}"
            title = " ".join(rules[0].source.split()).split(";")[0]
        out.append(GlossaryEntry(term=t.term, title=title, plain=plain, framework=t.framework, aliases=t.aliases))
    return tuple(out)


def debrief_glossary(catalog: Catalog) -> tuple[GlossaryEntry, ...]:
    """Every entry a debrief can link to: the glossary's terms, then every criterion id of the
    catalog (a debrief keeps those its text cites: :func:`select_entries`)."""
    return (*glossary(catalog), *criterion_entries(catalog, catalog.criteria))


def criterion_entries(catalog: Catalog, texts: Iterable[str]) -> tuple[GlossaryEntry, ...]:
    """An entry for each criterion id ``texts`` cite (``NASW-1.01``, ``CSSRS-Q2``), in catalog order.

    A debrief cites criteria by id ("(NASW-1.03(a), NASW-1.01)"); the entry says what the id
    stands for in the framework file's own words: its title, what good and poor practice look
    like, and its source. A criterion the file marks unverified says so.
    """
    if not catalog.criteria:
        return ()
    ids = _pattern(catalog.criteria)
    cited = {m.group().casefold() for text in texts for m in ids.finditer(_unescaped(text))}
    out = []
    for cid, c in catalog.criteria.items():
        if cid.casefold() not in cited:
            continue
        plain = (f"What good practice looks like: {' '.join(c.good.split())} What poor practice looks like: "
                 f"{' '.join(c.poor.split())} Source: {' '.join(c.source.split())}.")
        if not c.verified:
            plain += " Its wording could not be verified, so no scenario scores it."
        out.append(GlossaryEntry(term=cid, title=" ".join(c.title.split()), plain=plain,
                                 framework=catalog.framework_of.get(cid, ""), aliases=(), criterion=True))
    return tuple(out)


_SHOWN_ESCAPE = re.compile(r"(?:␛\[|<U\+009B>)[0-?]*[ -/]*[@-~]|(?:␛\]|<U\+009D>)[^␇␛]*(?:␇|␛\\)")
"""An escape sequence as :func:`casesim.format.text.visible` shows it (``␛[31m``, ``␛]0;title␇``;
an unterminated OSC is left alone): not a word, so a term right after one (``␛[31mC-SSRS``) is a term."""


def _unescaped(text: str) -> str:
    """``text`` with each shown escape sequence blanked, the same length, so offsets still hold."""
    return _SHOWN_ESCAPE.sub(lambda m: " " * len(m.group()), text)


def _pattern(names: Iterable[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])", re.IGNORECASE)


def terms_in(text: str, entries: Iterable[GlossaryEntry]) -> list[tuple[int, int, GlossaryEntry]]:
    """Where glossary terms occur in ``text``: (start, end, entry), in order, not overlapping."""
    found: list[tuple[int, int, GlossaryEntry]] = []
    text = _unescaped(text)
    for entry in entries:
        found.extend((m.start(), m.end(), entry) for m in _pattern(entry.names).finditer(text))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out: list[tuple[int, int, GlossaryEntry]] = []
    end = -1
    for start, stop, entry in found:
        if start >= end:
            out.append((start, stop, entry))
            end = stop
    return out


def used_entries(debrief: Debrief, catalog: Catalog, texts: Iterable[str] = ()) -> tuple[GlossaryEntry, ...]:
    """The entries a debrief needs: those of the frameworks it scored, and any named in ``texts``."""
    return select_entries(debrief, glossary(catalog), texts)


def select_entries(debrief: Debrief, entries: Iterable[GlossaryEntry],
                   texts: Iterable[str] = ()) -> tuple[GlossaryEntry, ...]:
    """Of ``entries``, those a debrief needs: the frameworks it scored, and any term ``texts`` name.

    The text counts as much as the scores: a debrief's competency ratings say "CSWE 2022 EPAS"
    although EPAS is not a framework the attempt was scored on, and a student meeting the word
    needs its entry as much as any other.
    """
    entries = tuple(entries)
    frameworks = {f.id for f in debrief.frameworks} | {c.framework for c in debrief.criteria}
    cited = {c.id for c in debrief.criteria}
    named = {e.term for text in texts for _, _, e in terms_in(text, entries)}
    keep = []
    for e in entries:
        t = None if e.criterion else next((t for t in TERMS if t.term == e.term), None)
        in_scope = t is not None and e.framework in frameworks and (
            t.criteria_prefix is None or any(c.startswith(t.criteria_prefix) for c in cited))
        if in_scope or e.term in named:
            keep.append(e)
    return tuple(keep)
