"""Locale files: a scenario's player-facing lines in another language.

A locale file sits beside the scenario, in a ``locales`` folder, named by the scenario's id and
a language tag: ``scenarios/locales/example-check-in.es.yaml``. It maps each line id
(:mod:`casesim.format.lines`) to its translation and to a short hash of the source text it
translates::

    locale: es
    scenario: example-check-in
    lines:
      node.opening.narration:
        hash: 5f1e0c2a9b7d4e31        # of the English text this translates
        text: Dana contesta al quinto timbre. Se oye tráfico detrás.

When the source text changes, its hash no longer matches: the translation is *stale*. A stale
or empty translation is not played (the source line is, with a notice): a translation of an
older text can say something the scenario no longer says. ``casesim locale extract`` writes or
updates the file; ``casesim validate`` reports missing, stale and unknown lines.

Only the scenario's own text is translated; casesim's menus, commands and debrief headings stay
in English.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from casesim.format.lines import scenario_lines
from casesim.format.scenario import ID_PATTERN, Scenario

__all__ = ["LANG_PATTERN", "LOCALES_DIR", "LocaleEntry", "LocaleFile", "SHORT_LINES", "locale_path", "max_length",
           "source_hash", "translate"]

LOCALES_DIR = "locales"
"""The folder beside the scenarios that holds locale files (skipped when scanning for scenarios)."""
LANG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
"""A BCP 47 language tag as people write it: ``es``, ``pt-BR``, ``zh-Hant``."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True)


class LocaleEntry(_Model):
    """One translated line."""

    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
    """The hash of the source text this translates (`casesim locale extract` writes it; copy the
    new one from the comment above the entry once the translation is brought up to date)."""
    text: Annotated[str, Field(max_length=4000)]
    """The translation; empty while it is still to be written."""


class LocaleFile(_Model):
    """A scenario's lines in one language."""

    locale: Annotated[str, Field(pattern=LANG_PATTERN)]
    """The language tag, e.g. `es` or `pt-BR`; the same as in the file name."""
    scenario: Annotated[str, Field(pattern=ID_PATTERN)]
    """The id of the scenario translated."""
    lines: dict[str, LocaleEntry] = Field(default_factory=dict)
    """Translations by line id (see docs/authoring.md, "Locales")."""


def source_hash(text: str) -> str:
    """The hash a translation records of the text it translates (16 hex digits of SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def locale_path(scenario_file: str | Path, scenario_id: str, lang: str) -> Path:
    """Where the ``lang`` locale of the scenario in ``scenario_file`` lives."""
    return Path(scenario_file).parent / LOCALES_DIR / f"{scenario_id}.{lang}.yaml"


SHORT_LINES = ("title", ".title", ".label", "client.language")
"""Line ids ending so (or content notes) hold short text: 200 characters, like their source."""


def max_length(line_id: str) -> int:
    """The longest translation the line's field accepts."""
    return 200 if line_id.endswith(SHORT_LINES) or line_id.startswith("content_note.") else 4000


def translate(scenario: Scenario, table: Mapping[str, str]) -> Scenario:
    """``scenario`` with each line whose id is in ``table`` replaced by its translation.

    The translations must already be checked (placeholders, lengths: ``authoring.locale_checks``);
    everything else (ids, conditions, scores) is untouched, so the translated scenario plays,
    scores and records exactly as the source does.
    """
    data: Any = scenario.model_dump(exclude_unset=True)
    for lines in scenario_lines(scenario):
        for alt in lines.alternatives():
            text = table.get(alt.id)
            if text:
                _set(data, alt.path, text)
    return Scenario.model_validate(data)


def _set(data: Any, path: tuple[str | int, ...], value: str) -> None:
    for segment in path[:-1]:
        data = data[segment]
    data[path[-1]] = value
