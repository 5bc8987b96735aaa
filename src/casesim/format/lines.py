"""Every player-facing line of a scenario, with a stable id and the place it is written.

One walk over the scenario (:func:`scenario_lines`) serves three jobs, so they cannot disagree:
compiling the texts a session shows (``semantics.render``), checking their placeholders
(``authoring.text_checks``), and translating them (locale files, ``format.locale``).

A line's **id** comes from where it sits in the structure, never from a line number or a list
position outside its own field, so editing one node leaves every other id alone::

    title  summary  content_note.0  objective.1  client.background  variable.rapport.label
    node.intro.narration      node.intro.client        node.intro.hint
    node.intro.choice.ask.say node.intro.choice.ask.reply  node.intro.choice.ask.feedback
    node.intro.timer.narration  node.intro.timer.feedback
    ending.safe-plan.title    ending.safe-plan.summary  ending.safe-plan.client

A field with variants adds the variant's place in its own list (``node.intro.client.1``) and,
for ``one_of``, the alternative's (``node.intro.client.one_of.0``, ``node.intro.client.1.one_of.2``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from casesim.format.scenario import Scenario
from casesim.format.variants import ClientAlternatives, ClientLine, TextVariant

__all__ = ["Alternative", "FieldLines", "LineKind", "Variant", "default_text", "format2_text_features",
           "scenario_lines"]

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
        for variant in self.variants:
            yield from variant.alternatives


Value = str | ClientAlternatives | list[ClientLine] | list[TextVariant]


def _field(value: Value | None, base: str, path: PathKey, kind: LineKind) -> FieldLines | None:
    if value is None:
        return None
    if isinstance(value, str):
        return FieldLines(base, path, kind, (Variant(None, path, (Alternative(base, path, value),)),))
    if isinstance(value, ClientAlternatives):
        return FieldLines(base, path, kind, (Variant(None, path, _one_of(value.one_of, base, path)),))
    variants = []
    items: list[ClientLine | TextVariant] = list(value)
    for i, line in enumerate(items):
        vid, vpath = f"{base}.{i}", (*path, i)
        if isinstance(line, TextVariant):
            alts: tuple[Alternative, ...] = (Alternative(vid, (*vpath, "text"), line.text),)
        elif line.one_of is not None:
            alts = _one_of(line.one_of, vid, vpath)
        else:
            assert line.say is not None
            alts = (Alternative(vid, (*vpath, "say"), line.say),)
        variants.append(Variant(line.when, (*vpath, "when"), alts))
    return FieldLines(base, path, kind, tuple(variants))


def _one_of(texts: list[str], base: str, path: PathKey) -> tuple[Alternative, ...]:
    return tuple(Alternative(f"{base}.one_of.{k}", (*path, "one_of", k), t) for k, t in enumerate(texts))


def scenario_lines(scenario: Scenario) -> list[FieldLines]:
    """Every player-facing field of ``scenario``, in file order (see the module doc for the ids)."""
    out: list[FieldLines | None] = [
        _field(scenario.title, "title", ("title",), "plain"),
        _field(scenario.summary, "summary", ("summary",), "plain"),
    ]
    out += [_field(n, f"content_note.{i}", ("content_notes", i), "plain") for i, n in enumerate(scenario.content_notes)]
    out += [_field(o, f"objective.{i}", ("objectives", i), "plain") for i, o in enumerate(scenario.objectives)]
    persona = scenario.client
    for key in ("background", "language", "culture"):
        out.append(_field(getattr(persona, key), f"client.{key}", ("client", key), "plain"))
    for name, var in scenario.variables.items():
        out.append(_field(var.label, f"variable.{name}.label", ("variables", name, "label"), "plain"))
    for node_id, node in scenario.nodes.items():
        base, path = f"node.{node_id}", ("nodes", node_id)
        out.append(_field(node.narration, f"{base}.narration", (*path, "narration"), "text"))
        out.append(_field(node.client, f"{base}.client", (*path, "client"), "client"))
        out.append(_field(node.hint, f"{base}.hint", (*path, "hint"), "text"))
        for i, choice in enumerate(node.choices):
            cbase, cpath = f"{base}.choice.{choice.id}", (*path, "choices", i)
            out.append(_field(choice.say, f"{cbase}.say", (*cpath, "say"), "plain"))
            out.append(_field(choice.reply, f"{cbase}.reply", (*cpath, "reply"), "client"))
            out.append(_field(choice.feedback, f"{cbase}.feedback", (*cpath, "feedback"), "text"))
        if node.timer is not None:
            tpath = (*path, "timer", "expire")
            out.append(_field(node.timer.expire.narration, f"{base}.timer.narration", (*tpath, "narration"), "text"))
            out.append(_field(node.timer.expire.feedback, f"{base}.timer.feedback", (*tpath, "feedback"), "text"))
    for ending_id, ending in scenario.endings.items():
        base, path = f"ending.{ending_id}", ("endings", ending_id)
        out.append(_field(ending.title, f"{base}.title", (*path, "title"), "plain"))
        out.append(_field(ending.summary, f"{base}.summary", (*path, "summary"), "text"))
        out.append(_field(ending.client, f"{base}.client", (*path, "client"), "client"))
    return [f for f in out if f is not None]


def default_text(value: Value | None) -> str | None:
    """The text a view without a state shows for a varied field (a report, a graph, a jump list):
    the fallback variant (the last), its first wording, placeholders as written."""
    lines = _field(value, "", (), "client")
    return None if lines is None else lines.variants[-1].alternatives[0].text


def format2_text_features(scenario: Scenario) -> list[tuple[PathKey, str]]:
    """Where ``scenario`` uses variation beyond format 1 (variants outside ``client``, ``one_of``),
    so the loader can require ``format: 2`` for them with one call."""
    out: list[tuple[PathKey, str]] = []
    for lines in scenario_lines(scenario):
        if not lines.varied:
            continue
        format1 = lines.kind == "client" and lines.id.endswith(".client") and lines.id.startswith("node.") and all(
            len(v.alternatives) == 1 for v in lines.variants)
        if not format1:
            out.append((lines.path, "variants" if any(len(v.alternatives) == 1 for v in lines.variants) else "one_of"))
    return out
