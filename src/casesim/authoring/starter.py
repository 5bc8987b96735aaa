"""``casesim new``: a valid, commented starter scenario."""

from __future__ import annotations

import re
import shlex

from casesim.errors import CaseSimError
from casesim.format.kinds import bundled_kinds
from casesim.format.text import visible

__all__ = ["starter_scenario"]

_TEMPLATE = '''# yaml-language-server: $schema=../schemas/scenario.schema.json
# A starter scenario. Check it as you write with:  casesim validate {file}
# and play it with:  casesim author {file}      (see docs/authoring.md for every key)
format: 2
id: {id}
version: 0.1.0                 # bump when trainees would see or be scored differently
title: "TODO: a short title"
kind: {kind}
summary: >-
  TODO: who the client is and what the trainee practises, in two or three sentences.
estimated_minutes: 10
content_notes: []              # e.g. [suicidal thoughts, alcohol use]: shown before starting
objectives:
  - TODO Explain the limits of confidentiality before asking for sensitive history.
competencies: [EPAS22-C1]      # CSWE 2022 EPAS competencies this scenario evidences
reviewed:
  status: draft                # after clinical review: casesim review sign FILE --by NAME --credential CRED
client:
  name: TODO Fictional Name
  age: 30
  pronouns: she/her
  background: TODO what the case manager knows before the conversation.

variables:
  rapport: {{start: 4, min: 0, max: 10, show: meter, label: Rapport}}
  limits_explained: {{start: false}}

start: opening
nodes:
  opening:
    narration: TODO what the trainee notices.
    client: "TODO what the client says first."
    choices:
      - id: explain-limits
        say: "TODO what the trainee says (this choice is the good one)."
        goto: closing
        effects: {{rapport: 1, limits_explained: true}}
        scores: {{NASW-1.03(a): 2}}
        feedback: >-
          TODO why this helps, naming the guideline (NASW 1.03(a), informed consent).
      - id: promise-secrecy
        say: "TODO what the trainee says (this choice is a never-event)."
        goto: closing
        scores: {{NASW-1.07(c): -2}}
        never_event: confidentiality-beyond-law   # its class in scoring/never-events.yaml
        critical:
          reason: TODO why this must never happen.
          cites: [NASW-1.07(c)]
        feedback: >-
          TODO why this harms, naming the guideline (NASW 1.07(c)).

  closing:
    client:
      - when: "rapport >= 5"
        say: "TODO what the client says when rapport is high."
      - say: "TODO what the client says otherwise."
    choices:
      - id: agree-next-step
        say: "TODO agree a next step together."
        goto: engaged
        scores: {{SAMHSA14-P4: 1}}
        feedback: >-
          TODO why (SAMHSA principle 4, collaboration and mutuality).

endings:
  engaged:
    outcome: success
    title: TODO ending title
    summary: TODO what happens next for the client.

pass_rule: {{min_share: 0.7, no_critical: true}}

tests:
  - name: the expert path passes
    choose: [explain-limits, agree-next-step]
    expect: {{ending: engaged, passed: true}}
  - name: promising secrecy fails an assessment attempt
    choose: [promise-secrecy, agree-next-step]
    expect: {{passed: false, critical: [promise-secrecy]}}
'''


def starter_scenario(scenario_id: str, kind: str, file: str | None = None) -> str:
    """A starter scenario that validates cleanly (apart from its TODO text).

    ``file`` is where it will be written (default ``ID.yaml``): the opening comment tells the
    author the commands to run on that file, so it must name the file actually written, quoted
    for a shell when it needs it and with any control character made visible (it sits in a
    one-line comment)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", scenario_id):
        raise CaseSimError(f"{scenario_id!r} is not a valid scenario id", title="invalid id",
                           hint="use lower-case letters, digits and hyphens, e.g. intake-housing-loss")
    if kind not in bundled_kinds():
        raise CaseSimError(f"unknown kind {kind!r}", title="invalid kind", hint="one of: " + ", ".join(bundled_kinds()))
    shown = shlex.quote(visible(file if file is not None else f"{scenario_id}.yaml", one_line=True))
    return _TEMPLATE.format(id=scenario_id, kind=kind, file=shown)
