"""The command line's groups: every command listed, loaded only when it runs, each option explained."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from boomi_soap.cli import COMMANDS, main


def _every_command() -> list[tuple[list[str], click.Command]]:
    found: list[tuple[list[str], click.Command]] = []
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None, name
        found.append(([name], command))
        if isinstance(command, click.Group):
            found += [([name, sub], command.commands[sub]) for sub in command.commands]
    return found


def test_help_of_every_command() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--help"]).exit_code == 0
    for words, command in _every_command():
        shown = runner.invoke(main, [*words, "--help"])
        assert shown.exit_code == 0, words
        assert command.help
        assert command.help.split("\n")[0][:40] in shown.output


def test_every_option_has_help_text() -> None:
    # issue 26: `run --timeout`, `extensions --format`, `quota --format` had none.
    missing = [
        f"{' '.join(words)} {param.opts[0]}"
        for words, command in _every_command()
        for param in command.params
        if isinstance(param, click.Option) and not param.help
    ]
    assert missing == []


def test_the_table_lists_each_command_with_its_own_line() -> None:
    for name, lazy in COMMANDS.items():
        command = getattr(importlib.import_module(lazy.module), lazy.attribute)
        assert command.name == name
        assert lazy.short_help == command.get_short_help_str(200), name


@pytest.mark.parametrize(
    "args",
    [["--help"], ["validate", "--help"], ["validate", "-"]],
    ids=["help", "validate-help", "validate"],
)
def test_help_and_validate_never_import_the_client(args: list[str]) -> None:
    code = (
        "import sys\nfrom boomi_soap.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('boomi_soap.client', 'zeep', 'requests', 'boomi_soap.cli.call') if m in sys.modules))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], input="<a/>", capture_output=True, text=True, timeout=60, check=False
    )
    assert shown.stdout.strip().splitlines()[-1] == "[]", shown.stderr


def test_help_imports_no_command_module() -> None:
    code = (
        "import sys\nfrom boomi_soap.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('boomi_soap.cli.') and m != 'boomi_soap.cli._group'"
        " and m != 'boomi_soap.cli._output'))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert shown.stdout.strip().splitlines()[-1] == "[]"
