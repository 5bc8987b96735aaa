"""``casesim class``: running a class from one shared store.

The group is shared: ``casesim serve``'s roster commands, the program's assignments and roles
(:mod:`casesim.cli.class_program`) and the live view (:mod:`casesim.cli.class_program_watch`)
join :data:`class_group`.
"""

from __future__ import annotations

import rich_click as click

from casesim.cli import class_program

__all__ = ["COMMANDS", "class_group"]


@click.group("class")
def class_group() -> None:
    """Run a class: assignments, roles, and watching it live."""


class_group.add_command(class_program.assign_command)
class_group.add_command(class_program.assignments_command)
class_group.add_command(class_program.unassign_command)
class_group.add_command(class_program.grant_command)
class_group.add_command(class_program.revoke_command)
class_group.add_command(class_program.roles_command)

COMMANDS = [class_group]
