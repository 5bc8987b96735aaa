"""The languages a scenario can be played in: its own, and each locale file's.

The library shows them (the TUI list and detail, the plain library list, docs/scenarios.md), so a
trainer or a trainee who would rather practise in Spanish can see which scenarios have a Spanish
version, and how much of it is translated, before starting one. A locale file counts only with
at least one usable line (present, up to date, without errors; see :mod:`.locale_checks`); a
partial one says how much is translated, since the rest is played in the source language.

Scenarios are written in English (the format has no key for another source language), so the
source language is English.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the library lists languages from its index without loading the scenario models
    from casesim.format.scenario import Scenario

__all__ = ["LANGUAGE_NAMES", "SOURCE_LANGUAGE", "Language", "language_name", "languages_text", "scenario_languages"]

SOURCE_LANGUAGE = "en"
"""The language scenarios are written in."""

LANGUAGE_NAMES = {
    "en": "English", "es": "Español", "fr": "Français", "pt": "Português", "pt-BR": "Português (Brasil)",
    "de": "Deutsch", "it": "Italiano", "ht": "Kreyòl ayisyen", "vi": "Tiếng Việt", "tl": "Tagalog",
    "ko": "한국어", "zh": "中文", "zh-Hans": "中文（简体）", "zh-Hant": "中文（繁體）", "ru": "Русский", "ar": "العربية",
    "so": "Soomaali", "pl": "Polski", "uk": "Українська",
}
"""Each language by the name its speakers use (a Spanish speaker looks for "Español", not
"Spanish"): the languages most often needed in US behavioral-health services. A tag not listed
is shown as written (e.g. `nv`)."""


def language_name(tag: str) -> str:
    """The endonym of a language tag, or the tag itself when it is not in :data:`LANGUAGE_NAMES`."""
    if tag in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[tag]
    base = tag.split("-")[0]
    return f"{LANGUAGE_NAMES[base]} ({tag})" if base in LANGUAGE_NAMES else tag


@dataclass(frozen=True)
class Language:
    """One language a scenario can be played in."""

    tag: str
    translated: int
    """Lines with a usable text in this language (all of them for the source language)."""
    total: int
    """Player-facing lines in the scenario."""

    @property
    def name(self) -> str:
        return language_name(self.tag)

    @property
    def complete(self) -> bool:
        return self.translated >= self.total

    @property
    def label(self) -> str:
        """"Español", or "Español (62% translated)" for a partial translation."""
        if self.complete:
            return self.name
        share = int(100 * self.translated / self.total) if self.total else 0
        return f"{self.name} ({share}% translated)"


def scenario_languages(scenario: Scenario, path: str | Path) -> tuple[Language, ...]:
    """The source language, then every language with a locale file beside ``path`` that has at
    least one usable line, by tag."""
    from casesim.authoring.locale_checks import check_locale, find_locales
    from casesim.format.lines import scenario_lines

    total = sum(1 for lines in scenario_lines(scenario) for _ in lines.alternatives())
    out = [Language(SOURCE_LANGUAGE, total, total)]
    for lang, file in find_locales(path, scenario.id):
        if lang == SOURCE_LANGUAGE:
            continue
        usable = len(check_locale(scenario, file, lang).table)
        if usable:
            out.append(Language(lang, usable, total))
    return tuple(out)


def languages_text(languages: Sequence[Language]) -> str:
    """"English, Español": how the library lists them."""
    return ", ".join(language.label for language in languages)
