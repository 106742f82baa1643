"""``boomi-soap schedules status|enable|disable``: the ProcessScheduleStatus switch, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from boomi_soap.platform import deploy as d
from tests.boomi_soap.cli.test_runs import _invoker
from tests.boomi_soap.conftest import Connect

PROCESS = "Orders - Shopify to SAP"
WHERE = (PROCESS, "--atom", "Production Atom")


@pytest.mark.contracts(
    "split", "partner", why="the CLI adds nothing per layout; the library's tests cover every layout"
)
def test_status_disable_enable(connect: Connect, tmp_path: Path, transport: str) -> None:
    service, client = connect()
    over = _invoker(service, tmp_path)

    def invoke(*args: str) -> Result:
        return over(*args, "--transport", transport)  # the CLI over SOAP and over REST

    shown = invoke("schedules", "status", *WHERE)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith(f"schedules of process {PROCESS} (")
    assert shown.stdout.endswith(": enabled\n")
    assert shown.stderr.startswith("schedules: endpoint ")  # where it talks

    planned = invoke("schedules", "disable", *WHERE, "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.startswith(f"would disable the schedules of process {PROCESS} (")
    assert d.get_schedule_status(client, PROCESS, "Production Atom").enabled is True  # a dry run writes nothing

    off = invoke("schedules", "disable", *WHERE, "--format", "json")
    assert off.exit_code == 0, off.output
    fields = json.loads(off.stdout)
    assert fields["enabled"] is False
    assert d.get_schedule_status(client, fields["processId"], fields["atomId"]).enabled is False
    assert invoke("schedules", "status", *WHERE).stdout.endswith(": disabled\n")
    assert invoke("schedules", "enable", *WHERE).stdout.endswith(": enabled\n")
    assert d.get_schedule_status(client, PROCESS, "Production Atom").enabled is True
    assert invoke("schedules", *WHERE).stdout == "no schedules\n"  # the plain form is as before


@pytest.mark.contracts("split", why="usage and lookups are the CLI's own")
def test_mistakes_are_one_line(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    missing = invoke("schedules", "disable", PROCESS, "--atom", "Dev Atom")
    assert missing.exit_code != 0
    assert "no schedule status for process" in missing.output
    assert len(missing.stderr.strip().splitlines()[-1:]) == 1
    unknown = invoke("schedules", "disable", "No Such Process", "--atom", "Production Atom")
    assert unknown.exit_code != 0
    assert "No Such Process" in unknown.output
    assert invoke("schedules", "toggle", PROCESS, "--atom", "Production Atom").exit_code == 2
    assert invoke("schedules", "enable", *WHERE, "--clear").exit_code == 2
