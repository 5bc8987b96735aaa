"""Format 2: the people in a scenario besides the trainee, and lines that say who speaks.

A family meeting, a call from a relative or a team meeting has more than one voice. The
scenario's `cast` names them; a line's `speaker` picks one by id. The client is always in the
cast, under the reserved id `client`, so a line without a speaker is the client's, as in format 1.
An interpreter's line carries what the trainee hears (`say`) and, in `original`, what was said
in the source language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casesim.format.base import FormatModel, Id, ShortText, Text

if TYPE_CHECKING:
    from casesim.format.scenario import Scenario

__all__ = ["CLIENT_ID", "CastMember", "SpokenLine", "speaker_label"]

CLIENT_ID = "client"
"""The speaker id of the client, who is in every cast without being listed."""


class CastMember(FormatModel):
    """Someone in the scenario besides the client and the trainee."""

    name: ShortText
    """The name the trainee sees (e.g. "Dr Ruiz", "Maria Reyes"). Fictional."""
    role: ShortText
    """What they are to the client or the team, in a word or two: parent, psychiatrist, front-desk,
    interpreter, partner. Shown after the name ("Dr Ruiz (psychiatrist)")."""
    pronouns: ShortText | None = None
    """The pronouns they use, e.g. "she/her"."""
    off_screen: bool = False
    """True for someone the trainee hears but does not see (a voice on the phone, a partner in the
    next room); the transcript says so."""
    description: Text | None = None
    """Who they are, for authors and reviewers."""


class SpokenLine(FormatModel):
    """One line said by one person of the cast (the client unless `speaker` says otherwise)."""

    say: Text
    """The words the trainee hears (for an interpreter, the interpretation)."""
    speaker: Id | None = None
    """Who says it: an id under `cast`, or `client` (the default)."""
    original: Text | None = None
    """For an interpreter's line: what was said in the source language, shown beside the interpretation."""


def speaker_label(scenario: Scenario, speaker: str | None) -> str:
    """How a speaker is named on screen and in exports: the client's first name, or another
    cast member's name with their role ("Dr Ruiz (psychiatrist)"), "off screen" added when they
    are heard and not seen."""
    if speaker is None or speaker == CLIENT_ID:
        return scenario.client.name.split(" ")[0] or "The client"
    member = scenario.cast.get(speaker)
    if member is None:
        return speaker
    where = ", off screen" if member.off_screen else ""
    return f"{member.name} ({member.role}{where})"
