"""Playing a scenario in another language: its locale file's translations in place of the source.

The translated scenario is the same scenario with other words: the same ids, conditions, effects
and scores, so it plays, scores, records and resumes exactly as the source does (the attempt is
recorded against the source file's content hash). Lines without an up-to-date translation are
played in the source language, and the player says how many before the attempt starts. Only the
scenario's text is translated; casesim's own menus, commands and debrief headings stay in English.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from casesim.authoring.locale_checks import LocaleReport, check_locale
from casesim.authoring.pipeline import Playable
from casesim.errors import CaseSimError
from casesim.format.locale import locale_path, translate
from casesim.scoring.catalog import Catalog
from casesim.semantics.program import compile_program

__all__ = ["Localised", "localise"]


@dataclass(frozen=True)
class Localised:
    """A scenario ready to play in ``lang``, what its locale file held, and what to tell the trainee."""

    loaded: Playable
    report: LocaleReport
    notice: str
    """Said before the attempt: the language, how many lines fall back to the source, and that
    casesim's own text stays in English."""


def localise(loaded: Playable, lang: str, catalog: Catalog | None) -> Localised:
    """``loaded`` with the translations of its ``lang`` locale file; raises :class:`CaseSimError`
    when there is no such file, or it cannot be read at all."""
    scenario = loaded.scenario
    path = locale_path(loaded.path, scenario.id, lang)
    if not path.is_file():
        raise CaseSimError(f"there is no {lang} translation of {scenario.id} (looked for {path})",
                           title="no translation", hint=f"write one with `casesim locale extract {loaded.path} "
                                                        f"--lang {lang}`, or play without --lang")
    report = check_locale(scenario, path, lang)
    if not report.table and any(d.is_error for d in report.diagnostics):
        raise CaseSimError(f"the {lang} translation of {scenario.id} cannot be read: "
                           + "; ".join(d.format() for d in report.diagnostics if d.is_error)[:2000],
                           title="translation has errors", hint=f"run `casesim validate {loaded.path}` and fix it")
    translated = translate(scenario, report.table)
    program = compile_program(translated, catalog.protocols if catalog is not None else None)
    playable = dataclasses.replace(loaded, scenario=translated, program=program)
    chrome = "casesim's own menus, commands and headings stay in English."
    if report.fallback:
        notice = (f"Playing the {lang} translation. {report.fallback} of {report.total} lines have no up-to-date "
                  f"{lang} translation and are shown in the source language. {chrome}")
    else:
        notice = f"Playing the {lang} translation. {chrome}"
    return Localised(playable, report, notice)
