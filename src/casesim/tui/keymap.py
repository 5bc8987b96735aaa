"""The user's key remapping (``Settings.keymap``): checked against casesim's binding ids.

Every casesim binding has an ``id`` (``pause``, ``library-search``, ``debrief-again``...), so a
user can remap it by id, as in Posting. Textual ignores ids it does not know, which would turn
a typo in the config file into a silently unchanged key; we refuse it instead and list the ids
that exist.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

from textual.binding import Binding
from textual.dom import DOMNode

from casesim.errors import CaseSimError
from casesim.format.diagnostics import suggest

__all__ = ["binding_ids", "check_keymap"]


def binding_ids() -> frozenset[str]:
    """The id of every binding declared by casesim's app, screens and widgets."""
    import casesim.tui

    ids: set[str] = set()
    for info in pkgutil.walk_packages(casesim.tui.__path__, prefix="casesim.tui."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if not (isinstance(value, type) and issubclass(value, DOMNode) and value.__module__ == info.name):
                continue
            for binding in value.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id is not None:
                    ids.add(binding.id)
    return frozenset(ids)


def check_keymap(keymap: Mapping[str, str]) -> None:
    """Raise :class:`CaseSimError` naming any binding id in ``keymap`` that casesim does not have."""
    known = binding_ids()
    unknown = sorted(set(keymap) - known)
    if not unknown:
        return
    lines = []
    for name in unknown:
        lines.append(f"unknown binding id {name!r}" + suggest(name, known))
    raise CaseSimError("\n".join(lines), title="bad keymap",
                       hint="the binding ids are: " + ", ".join(sorted(known)))
