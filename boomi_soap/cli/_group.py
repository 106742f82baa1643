"""Click groups of the command line: Ctrl-C exits 130, and commands load only when they run."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping
from typing import Any, NamedTuple

import click

__all__ = ["Group", "Lazy", "LazyGroup"]


class Lazy(NamedTuple):
    """Where a command lives, and the line the group's ``--help`` lists it with (without importing it)."""

    module: str
    attribute: str
    short_help: str


class Group(click.Group):
    """A group whose commands exit 130 on Ctrl-C, and 0 when a reader of stdout stops reading.

    ``boomi-soap call query ... | head -1`` is done when ``head`` has its line: the
    broken pipe that follows is the ordinary end of a pipeline, not a failure (click
    alone exits 1 there).
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Run the chosen command; Ctrl-C prints ``interrupted`` and exits 130; a closed stdout exits 0."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:
            _silence_stdout()
            raise click.exceptions.Exit(0) from None


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush does not fail on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # a stdout without a descriptor (a test runner's): nothing to do
        pass


class LazyGroup(Group):
    """A group that imports a command's module only when that command is asked for.

    ``--help`` lists each command with its :attr:`Lazy.short_help`, so listing them
    imports none (a test checks that each line is its command's own).
    """

    def __init__(self, *args: Any, lazy: Mapping[str, Lazy] | None = None, **kwargs: Any) -> None:
        """A group of the ``lazy`` commands (name -> where it lives), besides any added directly."""
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, Lazy] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, sorted."""
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, its module imported now (and only now)."""
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in self.lazy:
            return found
        where = self.lazy[cmd_name]
        command = getattr(importlib.import_module(where.module), where.attribute)
        if not isinstance(command, click.Command):  # pragma: no cover - a wrong entry in COMMANDS
            raise TypeError(f"{where.module}.{where.attribute} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of commands in ``--help``, from the table: no command module is imported."""
        rows = [(name, self.lazy[name].short_help) for name in self.list_commands(ctx) if name in self.lazy]
        eager = [name for name in super().list_commands(ctx) if name not in self.lazy]
        for name in eager:
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(sorted(rows))
