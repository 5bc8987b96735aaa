"""``casesim class``: running a class from one shared store (its sub-commands live in their own
modules and add themselves to :data:`class_group`)."""

from __future__ import annotations

import rich_click as click

__all__ = ["COMMANDS", "class_group"]


@click.group("class")
def class_group() -> None:
    """Run a class: watch it live."""


COMMANDS = [class_group]
