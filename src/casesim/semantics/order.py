"""The order a trainee sees a node's choices in: drawn from the attempt's seed, or pinned by the author.

Authors tend to write the best option first, so a list shown as written lets "press 1 every
time" pass an assessment (issue 10; clinical review X1, UX review §0). Each attempt therefore
has a recorded seed, and a node's open choices are shown sorted by a key hashed from
``(seed, node id, choice id)``:

* it is a pure function of the seed, the node and the open choices, so a resumed attempt, a
  replay from a decision and anything redrawn from the record show the same order again;
* each choice's key is its own, so a choice that a ``when`` hides or opens does not reshuffle the
  others, and a node visited twice shows the same order both times;
* different nodes (and different seeds) get independent orders.

A node with ``order: fixed`` keeps the author's order (a rating scale, a numbered screener).

Positions are only ever shown: the records, replay, resume, reports, item analysis and xAPI
name choices by id, so nothing downstream depends on the order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from casesim.semantics.program import Program, State, Step, open_choices

__all__ = ["is_shuffled", "shown_choices", "shuffled"]


def _key(seed: int, node: str, step_id: str) -> bytes:
    # \x1f (unit separator) cannot occur in an id, so distinct triples never hash the same text.
    return hashlib.blake2b(f"{seed}\x1f{node}\x1f{step_id}".encode(), digest_size=16).digest()


def shuffled(seed: int, node: str, steps: Iterable[Step]) -> tuple[Step, ...]:
    """``steps`` (choices at ``node``) in the order the attempt with ``seed`` shows them."""
    return tuple(sorted(steps, key=lambda step: _key(seed, node, step.id)))


def is_shuffled(program: Program, node: str) -> bool:
    """Whether ``node``'s choices are shown in a per-attempt order (not pinned with ``order: fixed``)."""
    spec = program.scenario.nodes.get(node)
    return spec is not None and spec.order == "shuffled"


def shown_choices(program: Program, state: State, seed: int) -> tuple[Step, ...]:
    """The choices open in ``state``, in the order the trainee sees them (number 1 first)."""
    steps = open_choices(program, state)
    return shuffled(seed, state.node, steps) if is_shuffled(program, state.node) else steps
