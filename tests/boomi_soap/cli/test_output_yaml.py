"""``--format yaml``: the same data as ``--format json``, for several commands against the local service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from boomi_soap.localservice import DEFAULT_ACCOUNT
from tests.boomi_soap.cli.test_runs import _invoker
from tests.boomi_soap.conftest import Connect

ONE_LAYOUT = pytest.mark.contracts("split", why="the output module is the same on every layout")


def _json(stdout: str, *, lines: bool) -> Any:
    return [json.loads(line) for line in stdout.splitlines()] if lines else json.loads(stdout)


@ONE_LAYOUT
def test_yaml_holds_the_json_data_of_each_command(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    commands: list[tuple[list[str], bool]] = [
        (["call", "get", "Account", DEFAULT_ACCOUNT], True),  # JSON lines: one YAML sequence
        (["call", "query", "Process"], True),
        (["call", "query", "Process", "--filter", "name = no-such-process"], True),  # none: an empty sequence
        (["runtime", "queues", "list", "--atom", "Production Atom"], False),
        (["cache", "list"], False),
        (["cache", "verify"], False),
        (["cache", "show"], False),
        (["extensions", "Production"], False),
    ]
    xml = tmp_path / "folder.xml"
    xml.write_text('<Folder xmlns="http://api.platform.boomi.com/" name="a" colour="red"/>', encoding="utf-8")
    snapshot = next(p.parent for p in (tmp_path / "cli-cache").rglob("manifest.json"))
    commands += [
        (["validate", str(xml)], False),  # a report with an error in it
        (["cache", "diff", str(snapshot), str(snapshot)], False),
        (["call", "get", "Account", DEFAULT_ACCOUNT, "--dry-run"], False),  # one object, not a stream
    ]
    compared = 0
    for args, lines in commands:
        as_json = invoke(*args, "--format", "json")
        as_yaml = invoke(*args, "--format", "yaml")
        assert as_json.exit_code == as_yaml.exit_code, (args, as_json.output, as_yaml.output)
        assert as_json.exit_code == (1 if args[0] == "validate" else 0), (args, as_json.output)
        expected = _json(as_json.stdout, lines=lines)
        assert yaml.safe_load(as_yaml.stdout) == expected, args
        assert not as_yaml.stdout.lstrip().startswith(("{", "[{")), args  # YAML's block style, not JSON
        compared += 1
    assert compared == len(commands)


def test_every_json_format_offers_yaml() -> None:
    from click.testing import CliRunner

    from boomi_soap.cli import main

    runner = CliRunner()
    for args in (["call", "query"], ["cache", "list"], ["quota"], ["runtime", "disk-space"], ["validate"]):
        shown = runner.invoke(main, [*args, "--help"])
        assert shown.exit_code == 0, shown.output
        assert "yaml" in shown.output, args


def test_yaml_keeps_strings_that_look_like_other_types() -> None:
    from boomi_soap.cli._output import render_yaml

    data = {"on": "yes", "n": "0012", "when": "2026-12-07T12:00:00Z", "empty": "", "none": None, "t": True}
    assert yaml.safe_load(render_yaml(data)) == data
