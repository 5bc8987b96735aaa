"""The client's case file: what the case manager knows before the conversation, and a pre-brief.

Every scenario already carries the referral (``summary``), the client's background, language,
culture, pronouns and age (:class:`~casesim.format.scenario.ClientPersona`) and its learning
objectives, but none of it was shown (UX review §2, issue 15 item 3). A case manager reads the
file before a call; so does the trainee, on the before-you-start screen and on a key during play
(the clock stops while it is open). This module only arranges the scenario's own words into
sections, in reading order; the terminal UI and the plain player draw them. No Textual code here.
"""

from __future__ import annotations

from dataclasses import dataclass

from casesim.format.kinds import kind_label
from casesim.format.scenario import Scenario
from casesim.format.text import flat

__all__ = ["CaseFile", "CaseSection", "case_file"]


@dataclass(frozen=True, slots=True)
class CaseSection:
    """One heading of the case file and its text: a paragraph, or items for a list."""

    heading: str
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseFile:
    """The case file of one scenario, headed by the client's name."""

    title: str
    sections: tuple[CaseSection, ...]

    def lines(self) -> list[str]:
        """The file as plain lines in reading order (the plain player, text exports)."""
        out = [self.title]
        for section in self.sections:
            if section.text:
                out.append(f"{section.heading}: {section.text}")
            if section.items:
                out.append(f"{section.heading}:")
                out.extend(f"{i}. {item}" for i, item in enumerate(section.items, start=1))
        return out


def case_file(scenario: Scenario) -> CaseFile:
    """The case file of ``scenario``: who the client is, the referral, what is known, and the aims."""
    c = scenario.client
    sections = [
        CaseSection("Client", f"{flat(c.name)}, {c.age}, {flat(c.pronouns)}"),
        CaseSection("Referral", flat(scenario.summary)),
        CaseSection("What you already know", flat(c.background)),
        CaseSection("Language", flat(c.language) if c.language else "not recorded in the file"),
        CaseSection("Culture and identity", flat(c.culture) if c.culture else "nothing recorded in the file; "
                    "ask rather than assume"),
        CaseSection("This conversation", f"{kind_label(scenario.kind)}, about {scenario.estimated_minutes} minutes"),
        CaseSection("What to practise (the objectives)", items=tuple(flat(o) for o in scenario.objectives)),
    ]
    return CaseFile(title=f"Case file: {flat(c.name)}", sections=tuple(sections))
