"""``boomi-soap call cancel EXECUTION_ID``: a running run ends ABORTED, over SOAP and REST."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.boomi_soap.cli.test_runs import _error_line, _invoker
from tests.boomi_soap.conftest import ENDLESS, FAST, Connect

PROCESS = "Orders - Shopify to SAP"


@pytest.mark.contracts("split", "single", why="partner runs go through the sub-account view, which refuses a cancel")
def test_cancel_a_running_run(connect: Connect, tmp_path: Path, transport: str) -> None:
    service, client = connect(ENDLESS)
    invoke = _invoker(service, tmp_path)
    execution = client.run_process(PROCESS, "Production Atom", wait=False, poll=FAST)
    execution.refresh()
    assert execution.execution_id is not None
    given = str(execution.execution_id)

    planned = invoke("call", "cancel", given, "--dry-run", "--transport", transport)
    assert planned.exit_code == 0, planned.output
    assert planned.stdout == f"would cancel execution {given}\n"
    assert execution.refresh().status != "ABORTED"

    done = invoke("call", "cancel", given, "--format", "json", "--transport", transport)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {"executionId": given, "dry_run": False, "cancelled": True}
    assert done.stderr.startswith("call cancel: endpoint ")
    assert execution.refresh().status == "ABORTED"


@pytest.mark.contracts("split", why="the checks are the CLI's own")
def test_cancel_mistakes(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    wrong_kind = invoke("call", "cancel", "executionrecord-1234")
    assert wrong_kind.exit_code == 2
    assert "a request id" in wrong_kind.stderr
    missing = invoke("call", "cancel", "execution-00000000-0000-0000-0000-000000000000")
    assert missing.exit_code == 1
    assert "does not exist" in _error_line(missing)
    assert "BOOMI_ACCOUNT_ID" in invoke("call", "cancel", "--help").stdout
