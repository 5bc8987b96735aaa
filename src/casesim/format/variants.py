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

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["ClientAlternatives", "ClientLine", "ClientText", "Text", "TextVariant", "VariedText"]

Text = Annotated[str, Field(min_length=1, max_length=4000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True)


Alternatives = Annotated[list[Text], Field(min_length=2, max_length=20)]


class ClientLine(_Model):
    """One variant of what the client says; the first whose `when` holds is used."""

    say: Text | None = None
    """The client's words. `{rapport}` shows a variable's value; `{if trust >= 3: "yes, " else: ""}` varies a phrase."""
    one_of: Alternatives | None = None
    """Instead of `say`: two or more ways of saying it; each attempt draws one from its seed (the same one again on resume or replay)."""
    when: Text | None = None
    """Use this variant only when the expression is true; leave it off the last, default variant."""

    @model_validator(mode="after")
    def _say_or_one_of(self) -> ClientLine:
        if (self.say is None) == (self.one_of is None):
            raise ValueError("a client line has either `say` (one text) or `one_of` (a list of texts), not both"
                             if self.say is not None else "a client line needs `say` (or `one_of` for a list of texts)")
        return self


class ClientAlternatives(_Model):
    """Several ways the client may say the same thing: each attempt draws one from its seed."""

    one_of: Alternatives
    """Two or more texts; one is shown per visit, drawn from the attempt's seed, so a replay, a
    resume or the transcript shows the same one again."""


class TextVariant(_Model):
    """One variant of a text the trainee reads; the first whose `when` holds is used."""

    text: Text
    """The text. `{rapport}` shows a variable's value; `{if trust >= 3: "yes, " else: ""}` varies a phrase."""
    when: Text | None = None
    """Use this variant only when the expression is true; leave it off the last, default variant."""


ClientText = Text | ClientAlternatives | list[ClientLine]
"""What the client says: text, `{one_of: [...]}`, or a list of variants with `when`."""

VariedText = Text | list[TextVariant]
"""Text the trainee reads: text, or a list of variants (`text` and `when`)."""
