"""Every player-facing line of a scenario, with a stable id and the place it is written.

One walk over the scenario (:func:`scenario_lines`) serves three jobs, so they cannot disagree:
compiling the texts a session shows (``semantics.render``), checking their placeholders
(``authoring.text_checks``), and translating them (locale files, ``format.locale``).

A line's **id** comes from where it sits in the structure, never from a line number or a list
position outside its own field, so editing one node leaves every other id alone::

    title  summary  content_note.0  objective.1  client.background  variable.rapport.label
    node.intro.narration      node.intro.client        node.intro.hint
    node.intro.choice.ask.say node.intro.choice.ask.reply  node.intro.choice.ask.feedback
    node.intro.timer.narration  node.intro.timer.feedback   (a branching expiry: node.intro.timer.2.narration)
    ending.safe-plan.title    ending.safe-plan.summary  ending.safe-plan.client

A field with variants adds the variant's place in its own list (``node.intro.client.1``) and,
for ``one_of``, the alternative's (``node.intro.client.one_of.0``, ``node.intro.client.1.one_of.2``).
Several speakers in a row (``lines``) give each spoken line its own id (``node.intro.client.0.lines.1``),
so a locale translates each; the speaker and the interpreter's ``original`` ride along with the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from casesim.format.cast import SpokenLine
from casesim.format.scenario import Scenario
from casesim.format.template import has_placeholders
from casesim.format.variants import ClientAlternatives, ClientLine, TextVariant, Wording

__all__ = ["Alternative", "FieldLines", "LineKind", "Variant", "default_text", "field_lines", "format2_text_features",
           "scenario_fields", "scenario_lines"]

PathKey = tuple[str | int, ...]

LineKind = Literal["plain", "text", "client"]
"""``plain``: shown as written, outside play (titles, objectives, the trainee's own words);
``text``: read in a state, so variants with `when` and placeholders are allowed;
``client``: as ``text``, and ``one_of`` too (the client's words)."""


@dataclass(frozen=True, slots=True)
class Alternative:
    """One text as written: its id (what a locale file translates) and where it is in the file."""

    id: str
    path: PathKey
    text: str
    speaker: str | None = None
    """Who says it (a cast id; None: the client, or the trainee's reading for a non-client field)."""
    original: str | None = None
    """For an interpreter's line: what was said in the source language (not translated)."""
    then: tuple[Alternative, ...] = ()
    """The further lines said in a row after this one (a variant written with ``lines``)."""
    speaker_at: PathKey | None = None
    """Where ``speaker`` is written (on the line, on its variant, or on a ``one_of`` wording), so a
    check of the speaker points at the key the author wrote; None when no speaker is written."""

    def spoken(self) -> tuple[Alternative, ...]:
        """This line and the ones said after it, in order."""
        return (self, *self.then)


@dataclass(frozen=True, slots=True)
class Variant:
    """One variant of a field: its condition (None for the fallback) and its text(s)."""

    when: str | None
    when_path: PathKey
    alternatives: tuple[Alternative, ...]
    """One text, or several drawn from the attempt's seed (``one_of``)."""


@dataclass(frozen=True, slots=True)
class FieldLines:
    """A player-facing field: its id, where it is, what it may hold, and its variants in order."""

    id: str
    path: PathKey
    kind: LineKind
    variants: tuple[Variant, ...]

    @property
    def varied(self) -> bool:
        """Whether the field uses a format-2 feature: variants, ``one_of`` (placeholders aside)."""
        return len(self.variants) > 1 or self.variants[0].when is not None or len(self.variants[0].alternatives) > 1

    def alternatives(self) -> Iterator[Alternative]:
        """Every text of the field, each spoken line of a ``lines`` variant on its own."""
        for variant in self.variants:
            for alt in variant.alternatives:
                yield from alt.spoken()


Value = str | SpokenLine | ClientAlternatives | list[ClientLine] | list[TextVariant]


def _field(value: Value | None, base: str, path: PathKey, kind: LineKind) -> FieldLines | None:
    if value is None:
        return None
    if isinstance(value, str):
        return FieldLines(base, path, kind, (Variant(None, path, (Alternative(base, path, value),)),))
    if isinstance(value, SpokenLine):
        alt = Alternative(base, (*path, "say"), value.say, value.speaker, value.original,
                          speaker_at=_at(value.speaker, (*path, "speaker")))
        return FieldLines(base, path, kind, (Variant(None, path, (alt,)),))
    if isinstance(value, ClientAlternatives):
        return FieldLines(base, path, kind, (Variant(None, path, _one_of(value.one_of, base, path)),))
    variants = []
    items: list[ClientLine | TextVariant] = list(value)
    for i, line in enumerate(items):
        vid, vpath = f"{base}.{i}", (*path, i)
        if isinstance(line, TextVariant):
            alts: tuple[Alternative, ...] = (Alternative(vid, (*vpath, "text"), line.text),)
        elif line.one_of is not None:
            alts = _one_of(line.one_of, vid, vpath, line.speaker, line.original)
        elif line.lines is not None:
            spoken = tuple(Alternative(f"{vid}.lines.{k}", (*vpath, "lines", k, "say"), said.say, said.speaker,
                                       said.original, speaker_at=_at(said.speaker, (*vpath, "lines", k, "speaker")))
                           for k, said in enumerate(line.lines))
            first = spoken[0]
            alts = (Alternative(first.id, first.path, first.text, first.speaker, first.original, spoken[1:],
                                first.speaker_at),)
        else:
            assert line.say is not None
            alts = (Alternative(vid, (*vpath, "say"), line.say, line.speaker, line.original,
                                speaker_at=_at(line.speaker, (*vpath, "speaker"))),)
        variants.append(Variant(line.when, (*vpath, "when"), alts))
    return FieldLines(base, path, kind, tuple(variants))


def _at(speaker: str | None, path: PathKey) -> PathKey | None:
    return None if speaker is None else path


def _one_of(wordings: list[Wording], base: str, path: PathKey, speaker: str | None = None,
            original: str | None = None) -> tuple[Alternative, ...]:
    """The wordings of a ``one_of``; a wording's own ``speaker`` (and ``original``) wins over the
    one written on its variant, which applies to every plain-text wording."""
    out = []
    for k, wording in enumerate(wordings):
        wid, wpath = f"{base}.one_of.{k}", (*path, "one_of", k)
        if isinstance(wording, str):
            out.append(Alternative(wid, wpath, wording, speaker, original,
                                   speaker_at=_at(speaker, (*path, "speaker"))))
        else:
            own = wording.speaker is not None
            out.append(Alternative(wid, (*wpath, "say"), wording.say, wording.speaker if own else speaker,
                                   wording.original if wording.original is not None else original,
                                   speaker_at=(*wpath, "speaker") if own else _at(speaker, (*path, "speaker"))))
    return tuple(out)


Field = tuple[str, PathKey, LineKind, "Value | None"]


def scenario_fields(scenario: Scenario) -> Iterator[Field]:
    """(id, path, kind, value) of every player-facing field, in file order, without looking
    inside the values: the one place the ids are made (see the module doc)."""
    yield "title", ("title",), "plain", scenario.title
    yield "summary", ("summary",), "plain", scenario.summary
    for i, note in enumerate(scenario.content_notes):
        yield f"content_note.{i}", ("content_notes", i), "plain", note
    for i, objective in enumerate(scenario.objectives):
        yield f"objective.{i}", ("objectives", i), "plain", objective
    persona = scenario.client
    yield "client.background", ("client", "background"), "plain", persona.background
    yield "client.language", ("client", "language"), "plain", persona.language
    yield "client.culture", ("client", "culture"), "plain", persona.culture
    for name, var in scenario.variables.items():
        yield f"variable.{name}.label", ("variables", name, "label"), "plain", var.label
    for node_id, node in scenario.nodes.items():
        base, path = f"node.{node_id}", ("nodes", node_id)
        yield f"{base}.narration", (*path, "narration"), "text", node.narration
        yield f"{base}.client", (*path, "client"), "client", node.client
        yield f"{base}.hint", (*path, "hint"), "text", node.hint
        for i, choice in enumerate(node.choices):
            cbase, cpath = f"{base}.choice.{choice.id}", (*path, "choices", i)
            yield f"{cbase}.say", (*cpath, "say"), "plain", choice.say
            yield f"{cbase}.reply", (*cpath, "reply"), "client", choice.reply
            yield f"{cbase}.feedback", (*cpath, "feedback"), "text", choice.feedback
        if node.timer is not None:
            branched = isinstance(node.timer.expire, list)
            for k, expiry in enumerate(node.timer.branches(), start=1):
                tbase = f"{base}.timer.{k}" if branched else f"{base}.timer"
                tpath = (*path, "timer", "expire", k - 1) if branched else (*path, "timer", "expire")
                yield f"{tbase}.narration", (*tpath, "narration"), "text", expiry.narration
                yield f"{tbase}.feedback", (*tpath, "feedback"), "text", expiry.feedback
    for ending_id, ending in scenario.endings.items():
        base, path = f"ending.{ending_id}", ("endings", ending_id)
        yield f"{base}.title", (*path, "title"), "plain", ending.title
        yield f"{base}.summary", (*path, "summary"), "text", ending.summary
        yield f"{base}.client", (*path, "client"), "client", ending.client


def field_lines(line_id: str, path: PathKey, kind: LineKind, value: Value | None) -> FieldLines | None:
    """One field's variants and texts (None when the field is absent)."""
    return _field(value, line_id, path, kind)


def scenario_lines(scenario: Scenario) -> list[FieldLines]:
    """Every player-facing field of ``scenario`` with its variants, in file order."""
    out = (_field(value, line_id, path, kind) for line_id, path, kind, value in scenario_fields(scenario))
    return [f for f in out if f is not None]


def default_text(value: Value | None) -> str | None:
    """The text a view without a state shows for a varied field (a report, a graph, a jump list):
    the fallback variant (the last), its first wording, placeholders as written."""
    lines = _field(value, "", (), "client")
    return None if lines is None else lines.variants[-1].alternatives[0].text


def format2_text_features(scenario: Scenario) -> list[tuple[PathKey, str]]:
    """Where ``scenario`` uses text features beyond format 1, as (path, feature): ``variants``
    (a `when` list anywhere but a node's `client`), ``one_of``, ``placeholders`` (braces in a
    text read in a state). One call lets the loader require ``format: 2`` for them."""
    out: list[tuple[PathKey, str]] = []
    for lines in scenario_lines(scenario):
        if lines.kind == "plain":
            continue
        listed = len(lines.variants) > 1 or lines.variants[0].when is not None
        if listed and not (lines.id.startswith("node.") and lines.id.endswith(".client")):
            out.append((lines.path, "variants"))
        for variant in lines.variants:
            if len(variant.alternatives) > 1:
                first_path = variant.alternatives[0].path
                out.append((first_path[:first_path.index("one_of") + 1], "one_of"))
            out.extend((alt.path, "placeholders") for first in variant.alternatives for alt in first.spoken()
                       if has_placeholders(alt.text))
    return out
