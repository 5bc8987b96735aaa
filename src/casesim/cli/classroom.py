"""``casesim class``: a program's classes.

The group is shared: ``casesim serve``'s roster commands and the program's assignments and roles
(:mod:`casesim.cli.class_program`) join :data:`class_group`.
"""

from __future__ import annotations

import rich_click as click

from casesim.cli import class_program

__all__ = ["COMMANDS", "class_group"]


@click.group("class")
def class_group() -> None:
    """A program's classes: assignments and roles."""


class_group.add_command(class_program.assign_command)
class_group.add_command(class_program.assignments_command)
class_group.add_command(class_program.unassign_command)
class_group.add_command(class_program.grant_command)
class_group.add_command(class_program.revoke_command)
class_group.add_command(class_program.roles_command)

COMMANDS = [class_group]
