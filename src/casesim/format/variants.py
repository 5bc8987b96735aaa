"""Text that varies: variants chosen by the state (``when``) and client lines drawn at random.

Two shapes, one rule ("the first variant whose `when` holds; leave `when` off the last, the
fallback"):

* :data:`VariedText` for what the trainee is told (narration, hints, feedback, an ending's
  summary): plain text, or a list of :class:`TextVariant` (``text`` plus ``when``);
* :data:`ClientText` for what the client says (a node's ``client``, a choice's ``reply``, an
  ending's ``client``): plain text, :class:`ClientAlternatives` (``one_of``: several ways of
  saying the same thing, one drawn per visit from the attempt's seed, so answers cannot be
  memorised), or a list of :class:`ClientLine` variants, each with ``say`` or ``one_of``.

The models live here, not in ``scenario.py``, so that module stays the map of the format and
this one the detail of how a line may vary. Which fields accept which shape, and each line's
locale id, is :mod:`casesim.format.lines`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, model_validator

from casesim.format.base import FormatModel as _Model
from casesim.format.base import Id, Text
from casesim.format.cast import SpokenLine

__all__ = ["ClientAlternatives", "ClientLine", "ClientText", "ReplyText", "Text", "TextVariant", "VariedText", "Wording",
           "wording_text"]

Wording = Text | SpokenLine
"""One wording of a ``one_of``: the text, or (format 2) ``{say, speaker, original}`` when this
wording is said by someone else of the cast, e.g. the mother answers in one draw and the client
in another."""

Alternatives = Annotated[list[Wording], Field(min_length=2, max_length=20)]


def wording_text(wording: Wording) -> str:
    """The words of one ``one_of`` wording, whoever says them."""
    return wording if isinstance(wording, str) else wording.say


class ClientLine(_Model):
    """One variant of what is said at a node; the first whose `when` holds is used."""

    say: Text | None = None
    """The words (the client's, unless `speaker` names someone else of the cast). `{rapport}` shows a variable's value; `{if trust >= 3: "yes, " else: ""}` varies a phrase."""
    one_of: Alternatives | None = None
    """Instead of `say`: two or more ways of saying it; each attempt draws one from its seed (the same one again on resume or replay). A wording written `{say: ..., speaker: mother}` is said by that member of the cast."""
    lines: list[SpokenLine] | None = None
    """Format 2: several lines in a row by different speakers, instead of `say` (e.g. the mother, then the client)."""
    when: Text | None = None
    """Use this variant only when the expression is true; leave it off the last, default variant."""
    speaker: Id | None = None
    """Format 2: who says `say` (or each `one_of` wording): an id under `cast`, or `client` (the default)."""
    original: Text | None = None
    """Format 2: for an interpreter's line, what was said in the source language."""

    @model_validator(mode="after")
    def _one_form(self) -> ClientLine:
        given = sum(x is not None for x in (self.say, self.one_of, self.lines))
        if given != 1:
            raise ValueError("a client line has exactly one of `say` (one text), `one_of` (a list of texts) or "
                             "`lines` (several speakers in a row)" if given else
                             "a client line needs `say` (or `one_of` for a list of texts, `lines` for several speakers)")
        if self.lines is not None and (self.speaker is not None or self.original is not None):
            raise ValueError("with `lines`, put `speaker` and `original` on each line")
        if self.lines == []:
            raise ValueError("`lines` needs at least one line")
        return self

    def spoken(self) -> tuple[SpokenLine, ...]:
        """The lines this variant says, in order (a `one_of` as its first wording)."""
        if self.lines is not None:
            return tuple(self.lines)
        if self.say is not None:
            return (SpokenLine(say=self.say, speaker=self.speaker, original=self.original),)
        first = (self.one_of or [""])[0]
        if isinstance(first, SpokenLine):
            return (SpokenLine(say=first.say, speaker=first.speaker or self.speaker,
                               original=first.original or self.original),)
        return (SpokenLine(say=first, speaker=self.speaker, original=self.original),)


class ClientAlternatives(_Model):
    """Several ways the client may say the same thing: each attempt draws one from its seed."""

    one_of: Alternatives
    """Two or more texts; one is shown per visit, drawn from the attempt's seed, so a replay, a
    resume or the transcript shows the same one again. Format 2: a wording written
    `{say: ..., speaker: mother}` is said by that member of the cast (the client otherwise)."""


class TextVariant(_Model):
    """One variant of a text the trainee reads; the first whose `when` holds is used."""

    text: Text
    """The text. `{rapport}` shows a variable's value; `{if trust >= 3: "yes, " else: ""}` varies a phrase."""
    when: Text | None = None
    """Use this variant only when the expression is true; leave it off the last, default variant."""


ClientText = Text | ClientAlternatives | list[ClientLine]
"""What the client says: text, `{one_of: [...]}`, or a list of variants with `when`."""

def _reply_shape(value: Any) -> str:
    # A mapping is `{one_of: [...]}` when it says so, else a spoken line: pydantic then reports a
    # mistake inside `{speaker: .., sya: ..}` once, against the shape the author meant.
    if isinstance(value, dict):
        return "ClientAlternatives" if "one_of" in value else "SpokenLine"
    if isinstance(value, (ClientAlternatives, SpokenLine)):
        return type(value).__name__
    return "Variants" if isinstance(value, list) else "Text"


ReplyText = Annotated[
    Annotated[Text, Tag("Text")] | Annotated[ClientAlternatives, Tag("ClientAlternatives")]
    | Annotated[list[ClientLine], Tag("Variants")] | Annotated[SpokenLine, Tag("SpokenLine")],
    Discriminator(_reply_shape),
]
"""Tags are capitalised (model names, `Text`, `Variants`) so no id or key of a file can look like one
in an error's location (:mod:`casesim.format.validation` skips them)."""
"""What is said straight after a choice: as :data:`ClientText`, or (format 2) `{say, speaker, original}`
when someone else of the cast answers."""

VariedText = Text | list[TextVariant]
"""Text the trainee reads: text, or a list of variants (`text` and `when`)."""
