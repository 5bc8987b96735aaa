"""Checking a locale file against its scenario, and writing its skeleton.

:func:`check_locale` reads ``scenarios/locales/<id>.<lang>.yaml`` and reports, positioned in the
locale file:

* ``locale-missing`` (warning): a line of the scenario with no translation, or an empty one;
* ``locale-stale`` (warning): a translation of a source text that has changed since (its
  ``hash`` is not the hash of the text now);
* ``locale-unknown-id`` (warning): an id no line of the scenario has (renamed or deleted);
* ``text-placeholder`` (error) and ``locale-too-long`` (error): a translation that could not be
  shown (its placeholders are checked as the scenario's are, at the exact column);
* ``locale-mismatch`` (error): the file names another scenario or another language.

The usable translations (present, fresh, without errors) form the :class:`LocaleReport`'s
``table``, which play uses; every other line is played in the source language.

:func:`extract_locale` writes the skeleton ``casesim locale extract`` saves: every line id with
the source text as a comment, keeping every translation already written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from casesim.authoring.text_checks import locate, scenario_env, text_problems
from casesim.format.diagnostics import Diagnostic, Severity, suggest
from casesim.format.lines import Alternative, LineKind, scenario_lines
from casesim.format.locale import LocaleFile, locale_path, max_length, source_hash
from casesim.format.reader import SourceDocument, read_source, read_yaml_bytes
from casesim.format.scenario import Scenario
from casesim.format.validation import validate_model

__all__ = ["LOCALE_MODELINE", "LocaleReport", "check_locale", "extract_locale", "find_locales", "translator_comments"]


@dataclass
class LocaleReport:
    """What a locale file holds for its scenario."""

    path: Path
    lang: str
    table: dict[str, str] = field(default_factory=dict)
    """Translations that can be played, by line id."""
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    total: int = 0
    """How many lines the scenario has."""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def fallback(self) -> int:
        """How many lines are played in the source language."""
        return self.total - len(self.table)


def _leaves(scenario: Scenario) -> dict[str, tuple[Alternative, LineKind]]:
    return {alt.id: (alt, lines.kind) for lines in scenario_lines(scenario) for alt in lines.alternatives()}


def find_locales(scenario_file: str | Path, scenario_id: str) -> list[tuple[str, Path]]:
    """(language, path) of every locale file of the scenario, by language."""
    folder = locale_path(scenario_file, scenario_id, "x").parent
    if not folder.is_dir():
        return []
    prefix = f"{scenario_id}."
    out = []
    for path in sorted(folder.glob(f"{scenario_id}.*.yaml")):
        lang = path.name[len(prefix):-len(".yaml")]
        if lang and "." not in lang:
            out.append((lang, path))
    return out


def check_locale(scenario: Scenario, path: Path, lang: str) -> LocaleReport:
    """Read and check the ``lang`` locale file at ``path`` against ``scenario``."""
    leaves = _leaves(scenario)
    report = LocaleReport(path, lang, total=len(leaves))
    shown = str(path)
    raw, problems = read_source(path)
    report.diagnostics.extend(problems)
    if raw is None:
        report.missing = list(leaves)
        return report
    doc, problems = read_yaml_bytes(raw, shown)
    report.diagnostics.extend(problems)
    locale: LocaleFile | None = None
    if doc is not None and not any(p.is_error for p in problems):
        locale, problems = validate_model(LocaleFile, doc)
        report.diagnostics.extend(problems)
    if doc is None or locale is None:
        report.missing = list(leaves)
        return report
    source = raw.decode("utf-8", errors="replace")

    def put(where: tuple[str | int, ...], severity: Severity, code: str, message: str, *, key: bool = False) -> None:
        pos = doc.position(where, key=key)
        report.diagnostics.append(Diagnostic(shown, pos.line, pos.col, severity, code, message))

    if locale.scenario != scenario.id:
        put(("scenario",), Severity.ERROR, "locale-mismatch",
            f"this locale file translates {locale.scenario!r}, but it is named for {scenario.id!r}; rename the file "
            f"or correct `scenario:`")
    if locale.locale != lang:
        put(("locale",), Severity.ERROR, "locale-mismatch",
            f"`locale: {locale.locale}` differs from the language in the file name ({lang}); make them the same")
    env = scenario_env(scenario)
    for line_id in locale.lines:
        if line_id not in leaves:
            extra = suggest(line_id, leaves, "")
            put(("lines", line_id), Severity.WARNING, "locale-unknown-id",
                f"no line of {scenario.id} has the id {line_id!r}{extra}; it was renamed or deleted: move the "
                "translation to the line's new id, or delete it", key=True)
    for line_id, (alt, kind) in leaves.items():
        entry = locale.lines.get(line_id)
        if entry is None or not entry.text.strip():
            report.missing.append(line_id)
            where = ("lines", line_id, "text") if entry is not None else ("lines",)
            put(where, Severity.WARNING, "locale-missing",
                f"no {lang} translation of {line_id} yet ({_excerpt(alt.text)!r}); it is played in the source "
                f"language: write it{'' if entry is not None else f', or run casesim locale extract --lang {lang}'}",
                key=entry is None)
            continue
        now = source_hash(alt.text)
        if entry.hash != now:
            report.stale.append(line_id)
            put(("lines", line_id, "hash"), Severity.WARNING, "locale-stale",
                f"the source text of {line_id} changed since this was translated, so it is played in the source "
                f"language: bring the translation up to date, then set `hash: {now}`")
            continue
        bad = False
        if len(entry.text) > max_length(line_id):
            bad = True
            put(("lines", line_id, "text"), Severity.ERROR, "locale-too-long",
                f"the translation of {line_id} is {len(entry.text):,} characters long; the limit is "
                f"{max_length(line_id):,}: shorten it")
        for problem in text_problems(entry.text, kind, env):
            bad = bad or problem.severity is Severity.ERROR
            pos = locate(doc, source, ("lines", line_id, "text"), entry.text, problem.offset)
            report.diagnostics.append(Diagnostic(shown, pos.line, pos.col, problem.severity, problem.code,
                                                 problem.message))
        if not bad:
            report.table[line_id] = entry.text
    return report


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 40 else flat[:37] + "..."


def _quoted(text: str) -> str:
    """``text`` as one YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


LOCALE_MODELINE = "# yaml-language-server: $schema=../../schemas/locale.schema.json"
"""The first line of a locale file, so an editor checks it against the committed schema (the
path holds for the bundled scenarios/locales/ folder, as the scenario starter's does for scenarios/)."""


def _header(scenario: Scenario, lang: str) -> list[str]:
    return [LOCALE_MODELINE,
            f"# {lang} translation of {scenario.id}: write each `text`; see docs/authoring.md, 'Locales'.",
            "# The comment above each line is the source text and its hash; when the source changes,",
            "# casesim validate says the translation is stale: update it and copy the new hash."]


def translator_comments(text: str, generated: list[str]) -> list[str]:
    """The translator's own comment lines at the top of an existing locale file (the register
    chosen, what was adapted, who reviewed it): every ``#`` line before the first key that the
    generated header does not already say, so ``casesim locale extract`` keeps them."""
    out = []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        if line not in generated and not line.startswith("# yaml-language-server:"):
            out.append(line)
    return out


def extract_locale(scenario: Scenario, lang: str, existing: LocaleFile | None, existing_text: str = "") -> str:
    """The text of the ``lang`` locale file: every line of ``scenario`` in order, the source as a
    comment with its hash, and the translation kept from ``existing`` (with its old hash, so a
    stale one stays reported until someone looks at it). Lines no longer in the scenario are kept
    at the end under a comment, for the translator to move or delete (empty ones are dropped).
    The translator's comments at the top of ``existing_text`` (the file as it was) are kept."""
    kept = existing.lines if existing is not None else {}
    header = _header(scenario, lang)
    out = [*header, *translator_comments(existing_text, header),
           f"locale: {lang}", f"scenario: {scenario.id}", "lines:"]
    seen = set()
    for lines in scenario_lines(scenario):
        for alt in lines.alternatives():
            seen.add(alt.id)
            now = source_hash(alt.text)
            entry = kept.get(alt.id)
            source_comment = " ".join(alt.text.split())
            out.append(f"  # {now}: {source_comment}")
            out.append(f"  {alt.id}:")
            out.append(f"    hash: {entry.hash if entry is not None else now}")
            out.append(f"    text: {_quoted(entry.text if entry is not None else '')}")
    orphans = [(k, v) for k, v in kept.items() if k not in seen and v.text.strip()]
    if orphans:
        out.append("  # No longer in the scenario (renamed or deleted): move each to its new id, or delete it.")
        for line_id, entry in orphans:
            out.append(f"  {line_id}:")
            out.append(f"    hash: {entry.hash}")
            out.append(f"    text: {_quoted(entry.text)}")
    return "\n".join(out) + "\n"


def read_existing(path: Path) -> tuple[LocaleFile | None, list[Diagnostic]]:
    """The locale file at ``path`` if it exists and is valid (else why not)."""
    if not path.exists():
        return None, []
    doc: SourceDocument | None
    doc, problems = read_yaml_bytes(path.read_bytes(), str(path))
    if doc is None or any(p.is_error for p in problems):
        return None, problems
    return validate_model(LocaleFile, doc)
