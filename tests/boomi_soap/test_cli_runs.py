"""``boomi-soap run``, ``deploy``, ``promote``, ``schedules`` and ``extensions`` end to end."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from boomi_soap.cli import main
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_USER, LocalService
from boomi_soap.localservice.executions import MESSAGE_PROPERTY, OUTCOME_PROPERTY
from tests.boomi_soap.conftest import ENDLESS, Connect
from tests.boomi_soap.test_cli import fetch_env

PROCESS = "Orders - Shopify to SAP"


@pytest.mark.contracts("split", why="the CLI adds nothing per layout; the library's tests cover every layout")
def test_run_end_to_end(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    done = invoke("run", PROCESS, "--atom", "Production Atom", "-p", "priority=high", "--format", "json")
    assert done.exit_code == 0, done.output
    shown = json.loads(done.stdout)
    assert shown["status"] == "COMPLETE"
    assert shown["request_id"].startswith("executionrecord-")
    assert shown["execution_id"].startswith("execution-")
    # Where it talks, and nothing else: progress only on a terminal.
    assert done.stderr.splitlines() == [
        f"run: endpoint {service.endpoint()}; account {DEFAULT_ACCOUNT}; user {DEFAULT_USER}"
    ]

    failed = invoke("run", PROCESS, "--atom", "Production Atom", "-p", f"{MESSAGE_PROPERTY}=bad mapping")
    assert failed.exit_code == 1
    assert "ERROR" in failed.stdout
    assert "bad mapping" in failed.stdout

    warned = invoke("run", PROCESS, "--atom", "Production Atom", "-p", f"{OUTCOME_PROPERTY}=COMPLETE_WARN")
    assert warned.exit_code == 3

    queued = invoke("run", PROCESS, "--atom", "Production Atom", "--no-wait", "--format", "json")
    assert queued.exit_code == 0
    assert json.loads(queued.stdout)["status"] == "SUBMITTED"

    bad = invoke("run", PROCESS, "--atom", "Production Atom", "-p", "no-equals-sign")
    assert bad.exit_code == 2


@pytest.mark.contracts("split", why="the CLI adds nothing per layout; the library's tests cover every layout")
def test_run_that_times_out_exits_1_with_its_ids(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect(ENDLESS)
    result = _invoker(service, tmp_path)(
        "run", PROCESS, "--atom", "Production Atom", "--timeout", "0.2", "--format", "json"
    )
    assert result.exit_code == 1
    shown = json.loads(result.stdout)
    assert shown["request_id"].startswith("executionrecord-")
    assert shown["execution_id"].startswith("execution-")
    assert "still" in result.stderr


@pytest.mark.contracts("split", why="the CLI adds nothing per layout; the library's tests cover every layout")
def test_deploy_promote_schedules_extensions(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    dry = invoke("deploy", PROCESS, "--environment", "Development", "--dry-run")
    assert dry.exit_code == 0
    assert dry.stdout.startswith("would package process")
    deployed = invoke("deploy", PROCESS, "--environment", "Development", "--notes", "r1")
    assert deployed.exit_code == 0, deployed.output
    assert "deployment" in deployed.stdout

    assert (
        "would deploy package"
        in invoke("promote", PROCESS, "--from", "Development", "--to", "Test", "--dry-run").stdout
    )
    promoted = invoke("promote", PROCESS, "--from", "Development", "--to", "Test", "--to", "Production")
    assert promoted.exit_code == 0, promoted.output
    assert promoted.stdout.count("deployed package") == 2
    again = invoke("promote", PROCESS, "--from", "Development", "--to", "Test")
    assert "nothing to do" in again.stdout

    assert invoke("schedules", PROCESS, "--atom", "Production Atom").stdout == "no schedules\n"
    invoke("schedules", PROCESS, "--atom", "Production Atom", "--set", "*/15 * * * * *")
    listed = invoke("schedules", PROCESS, "--atom", "Production Atom", "--format", "json")
    assert json.loads(listed.stdout)["schedules"][0]["minutes"] == "*/15"
    assert "would replace 1" in invoke("schedules", PROCESS, "--atom", "Production Atom", "--clear", "--dry-run").stdout
    assert invoke("schedules", PROCESS, "--atom", "Production Atom", "--clear").stdout == "no schedules\n"

    assert (
        "would set region: eu-west-1 -> us-east-2"
        in invoke("extensions", "Test", "--set", "region=us-east-2", "--dry-run").stdout
    )
    assert invoke("extensions", "Test", "--set", "db=x").stdout == "region=eu-west-1\ndb=x\n"
    missing = invoke("extensions", "Nowhere")
    assert missing.exit_code == 1
    assert "no Environment named 'Nowhere'" in missing.stderr


def _invoker(service: LocalService, tmp_path: Path) -> Callable[..., Result]:
    """Fetch the service's contract into a cache; return a runner of commands against it."""
    runner = CliRunner()
    env = {**fetch_env(service), "BOOMI_SOAP_COMPILED_DIR": str(tmp_path / "compiled")}
    cache = str(tmp_path / "cli-cache")
    assert runner.invoke(main, ["fetch", "--cache-dir", cache], env=env).exit_code == 0

    def invoke(*args: str) -> Result:
        tail = ["--cache-dir", cache, *(["--poll", "0.01"] if args[0] == "run" else [])]
        return runner.invoke(main, [*args, *tail], env=env)

    return invoke
