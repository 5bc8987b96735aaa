"""The never-event policy section of ``docs/scoring.md``, generated from
``scoring/never-events.yaml`` so the page trainers read cannot drift from the data the
validator and the debrief use (a test compares them).

Regenerate the section with ``python -m casesim.authoring.policy_doc docs/scoring.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from casesim.scoring.catalog import Catalog, load_catalog

__all__ = ["END", "START", "never_event_markdown", "replace_section"]

START = "<!-- never-events:start (generated from scoring/never-events.yaml; do not edit by hand) -->"
END = "<!-- never-events:end -->"

_CRITICALITY = {
    "fails-attempt": "fails the attempt",
    "fails-unless-corrected": "fails unless corrected before harm",
}


def never_event_markdown(catalog: Catalog) -> str:
    """The classes as a table (id, title, criticality, citations) and one paragraph each."""
    policy = catalog.never_event_policy
    if policy is None:
        return "This catalog has no never-event policy (scoring/never-events.yaml).\n"
    lines = ["| class (`never_event:`) | title | criticality | cites |", "|---|---|---|---|"]
    for cls in policy.classes:
        cites = ", ".join(f"`{c}`" for c in cls.cites)
        lines.append(f"| `{cls.id}` | {cls.title} | {_CRITICALITY[cls.criticality]} | {cites} |")
    lines.append("")
    for cls in policy.classes:
        lines.append(f"**{cls.title}** (`{cls.id}`). {' '.join(cls.description.split())}")
        lines.append("")
        lines.append(f"- *Source:* {' '.join(cls.source.split())}")
        if cls.note:
            lines.append(f"- *Note:* {' '.join(cls.note.split())}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def replace_section(page: str, catalog: Catalog) -> str:
    """``page`` with the text between the markers replaced by :func:`never_event_markdown`."""
    head, sep, rest = page.partition(START)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"the page has no never-event section: add the lines {START!r} and {END!r}")
    return f"{head}{START}\n\n{never_event_markdown(catalog)}\n{END}{tail}"


if __name__ == "__main__":  # pragma: no cover - a maintainer's command, exercised by the doc test
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/scoring.md")
    scoring = Path(sys.argv[2] if len(sys.argv) > 2 else "scoring")
    target.write_text(replace_section(target.read_text(encoding="utf-8"), load_catalog(scoring)), encoding="utf-8")
