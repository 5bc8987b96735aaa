"""Glossary terms in debrief text made clickable: each occurrence of a term (C-SSRS, MITI, Part 2,
...) carries a click action that opens the term's definition.

The link is a style span laid over text that is already literal (:func:`casesim.tui.text.literal`):
nothing is parsed as markup, and the action and its argument come from casesim's own glossary
(:data:`casesim.scoring.glossary.TERMS`), never from the scenario. A scenario line that *looks*
like markup (``[@click=app.quit]C-SSRS[/]``) stays those characters; only the word ``C-SSRS``
inside it becomes a link, and that link opens the C-SSRS entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from textual.content import Content
from textual.style import Style

from casesim.scoring.glossary import GlossaryEntry, terms_in
from casesim.tui.widgets.prose import Para

__all__ = ["TERM_ACTION", "link_paras", "link_terms", "linked_anchors"]

TERM_ACTION = "screen.glossary_term"
"""The action a click on a term runs, with the entry's anchor as its one argument; the screen
showing the text implements ``action_glossary_term(anchor)``."""

_SAFE_ANCHOR = re.compile(r"gloss-[a-z0-9-]+")


def _link_style(entry: GlossaryEntry) -> Style:
    anchor = entry.anchor
    if _SAFE_ANCHOR.fullmatch(anchor) is None:  # anchors are made from TERMS; a bad one is a bug here
        raise ValueError(f"glossary anchor {anchor!r} is not of the form gloss-a-z0-9")
    # The (action, arguments) form: Textual runs it without parsing an argument string.
    return Style.from_meta({"@click": (TERM_ACTION, (anchor,))})


def link_terms(content: Content, entries: Sequence[GlossaryEntry]) -> Content:
    """``content`` with every glossary term in it a link to the term's definition."""
    found = terms_in(content.plain, entries)
    for start, end, entry in found:
        content = content.stylize(_link_style(entry), start, end)
    return content


def link_paras(paras: Iterable[Para], entries: Sequence[GlossaryEntry]) -> list[Para]:
    """The paragraphs with their terms linked (bullets and labels are casesim's words: left as they are)."""
    return [Para(link_terms(p.content, entries), p.indent, p.bullet) for p in paras]


def linked_anchors(content: Content) -> list[str]:
    """The anchors ``content`` links to, in the order of its spans (what a test reads back)."""
    out: list[str] = []
    for span in content.spans:
        style = span.style
        if isinstance(style, Style):
            action = style.meta.get("@click")
            if isinstance(action, tuple) and len(action) == 2 and action[0] == TERM_ACTION:
                out.append(str(action[1][0]))
    return out
