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
from tests.boomi_soap.cli.conftest import compiled
from tests.boomi_soap.cli.test_commands import fetch_env
from tests.boomi_soap.conftest import ENDLESS, Connect

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
    # Where it talks and the request id, and nothing else: progress only on a terminal.
    stderr = done.stderr.splitlines()
    assert stderr[0] == (
        f"run: endpoint {service.endpoint()} (BOOMI_BASE_URL); account {DEFAULT_ACCOUNT} (BOOMI_ACCOUNT_ID);"
        f" user {DEFAULT_USER} (BOOMI_USERNAME)"
    )
    assert stderr[1].startswith("run: snapshot ")
    assert stderr[2:] == [f"run: submitted request {shown['request_id']}"]

    failed = invoke("run", PROCESS, "--atom", "Production Atom", "-p", f"{MESSAGE_PROPERTY}=bad mapping")
    assert failed.exit_code == 1
    assert "ERROR" in failed.stdout
    assert "bad mapping" in failed.stdout

    warned = invoke("run", PROCESS, "--atom", "Production Atom", "-p", f"{OUTCOME_PROPERTY}=COMPLETE_WARN")
    assert warned.exit_code == 3

    queued = invoke("run", PROCESS, "--atom", "Production Atom", "--no-wait", "--format", "json")
    assert queued.exit_code == 0
    assert json.loads(queued.stdout)["status"] == "SUBMITTED"
    text = invoke("run", PROCESS, "--atom", "Production Atom", "--no-wait").stdout
    assert all(len(line.split()) >= 2 for line in text.splitlines()), text  # no field left blank
    planned = invoke("run", PROCESS, "--atom", "Production Atom", "--dry-run")
    assert planned.stdout.startswith(f"would run process {PROCESS} (")

    bad = invoke("run", PROCESS, "--atom", "Production Atom", "-p", "no-equals-sign")
    assert bad.exit_code == 2


@pytest.mark.contracts("split", why="the CLI adds nothing per layout; the library's tests cover every layout")
def test_run_that_times_out_exits_1_with_its_ids(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect(ENDLESS)
    result = _invoker(service, tmp_path)(
        "run", PROCESS, "--atom", "Production Atom", "--run-timeout", "0.2", "--format", "json"
    )
    assert result.exit_code == 1
    shown = json.loads(result.stdout)
    # Issue 26: the JSON keys changed with the outcome; they are the same whatever happens.
    assert list(shown) == ["request_id", "execution_id", "status", "started", "ended", "error"]
    assert shown["request_id"].startswith("executionrecord-")
    assert shown["execution_id"].startswith("execution-")
    assert "still" in result.stderr
    assert f"follow it with: boomi-soap run --follow {shown['request_id']}" in result.stderr


@pytest.mark.contracts("split", why="the CLI adds nothing per layout; the library's tests cover every layout")
def test_deploy_promote_schedules_extensions(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    dry = invoke("deploy", PROCESS, "--environment", "Development", "--dry-run")
    assert dry.exit_code == 0
    assert dry.stdout.startswith("would package process")
    deployed = invoke("deploy", PROCESS, "--environment", "Development", "--notes", "r1", "--format", "json")
    assert deployed.exit_code == 0, deployed.output
    # Issue 26: deploy and promote had no --format json, and printed bare ids, not the names typed.
    shown = json.loads(deployed.stdout)
    assert (shown["process"], shown["environment"]) == (PROCESS, "Development")
    assert shown["processId"] != PROCESS
    assert shown["deploymentId"]
    said = invoke("deploy", PROCESS, "--environment", "Development", "--dry-run").stdout
    assert f"process {PROCESS} ({shown['processId']}) to environment Development ({shown['environmentId']})" in said

    assert (
        "would deploy package"
        in invoke("promote", PROCESS, "--from", "Development", "--to", "Test", "--dry-run").stdout
    )
    planned = invoke("promote", PROCESS, "--from", "Development", "--to", "Test", "--dry-run", "--format", "json")
    assert [step["environment"] for step in json.loads(planned.stdout)["steps"]] == ["Test"]
    promoted = invoke("promote", PROCESS, "--from", "Development", "--to", "Test", "--to", "Production")
    assert promoted.exit_code == 0, promoted.output
    assert promoted.stdout.count("deployed package") == 2
    assert promoted.stdout.startswith("Test (")  # the name typed, beside its id
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


@pytest.mark.contracts("split", why="what a terminal shows does not depend on the layout")
def test_a_followed_run_shows_its_status_as_it_changes_on_a_terminal_and_q_silences_it(
    service: LocalService, tmp_path: Path
) -> None:
    from tests.boomi_soap.cli.test_commands import _on_a_terminal

    env = {**fetch_env(service), "BOOMI_SOAP_COMPILED_DIR": compiled(),
           "BOOMI_SOAP_CACHE_DIR": str(tmp_path / "cache")}  # fmt: skip
    assert CliRunner().invoke(main, ["fetch"], env=env).exit_code == 0
    run = ["run", PROCESS, "--atom", "Production Atom", "--poll", "0.01", "--format", "json"]
    stdout, terminal = _on_a_terminal(run, env, stdout_too=False)
    shown = json.loads(stdout)
    assert shown["status"] == "COMPLETE"
    statuses = [line.split()[0] for line in terminal.splitlines() if line.strip().endswith(shown["execution_id"])]
    assert statuses, terminal
    assert statuses[-1] == "COMPLETE", terminal
    assert len(statuses) == len(set(statuses))  # a line when the status changes, not one per poll
    stdout, terminal = _on_a_terminal(["-q", *run], env, stdout_too=False)
    again = json.loads(stdout)
    assert again["status"] == "COMPLETE"
    # -q keeps the request id (the one way back to a run), and nothing else.
    assert [line.strip() for line in terminal.splitlines() if line.strip()] == [
        f"run: submitted request {again['request_id']}"
    ]


@pytest.mark.contracts("split", why="the CLI adds nothing per layout; the library's tests cover every layout")
def test_schedules_is_a_table_on_a_terminal_and_lines_when_piped(connect: Connect, tmp_path: Path) -> None:
    # Issue 26: `schedules` printed text lines or JSON only, never a table a person can scan.
    from tests.boomi_soap.cli.test_commands import _on_a_terminal

    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    where = [PROCESS, "--atom", "Production Atom"]
    assert invoke("schedules", *where, "--set", "*/15 8 * * * *", "--set", "0 18 1-5 * * *").exit_code == 0
    piped = invoke("schedules", *where)
    assert piped.exit_code == 0, piped.output
    assert piped.stdout.splitlines() == ["*/15 8 * * * *", "0 18 1-5 * * *"]  # a line each, as before
    ids = json.loads(invoke("schedules", *where, "--format", "json").stdout)
    env = {**fetch_env(service), "BOOMI_SOAP_COMPILED_DIR": compiled()}
    _, shown = _on_a_terminal(["-q", "schedules", *where, "--cache-dir", str(tmp_path / "cli-cache")], env)
    lines = [line.strip() for line in shown.splitlines() if line.strip()]
    assert lines[0] == f"{PROCESS} ({ids['processId']}) on Production Atom ({ids['atomId']}): Schedule", lines
    assert lines[-1] == "2 results", lines
    header = next(line for line in lines if "minutes" in line)
    assert "hours" in header, header
    assert "daysOfWeek" in header, header
    assert any("*/15" in line and "8" in line for line in lines), shown
    assert any("1-5" in line and "18" in line for line in lines), shown
    table = invoke("schedules", *where, "--format", "table")  # asked for, into a pipe
    assert table.stdout.splitlines()[0] == lines[0]


def _invoker(service: LocalService, tmp_path: Path) -> Callable[..., Result]:
    """Fetch the service's contract into a cache; return a runner of commands against it."""
    runner = CliRunner()
    env = {**fetch_env(service), "BOOMI_SOAP_COMPILED_DIR": compiled()}
    cache = str(tmp_path / "cli-cache")
    assert runner.invoke(main, ["fetch", "--cache-dir", cache], env=env).exit_code == 0

    def invoke(*args: str) -> Result:
        tail = ["--cache-dir", cache, *(["--poll", "0.01"] if args[0] == "run" else [])]
        return runner.invoke(main, [*args, *tail], env=env)

    return invoke


def _objects(service: LocalService) -> dict[str, list[str]]:
    """Every object the service holds for the account, by type: what a mistake must leave as it was."""
    store = service.store(DEFAULT_ACCOUNT)
    found = {kind: sorted(r.key for r in store.all(kind)) for kind in store.types()}
    # IntegrationPack is read-only, seeded by the service on its first use.
    return {kind: keys for kind, keys in found.items() if keys and kind != "IntegrationPack"}


def _error_line(result: Result) -> str:
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.output
    return errors[0]


@pytest.mark.contracts("split", why="the CLI adds nothing per layout; the library's tests cover every layout")
@pytest.mark.timeout(120)
def test_deploy_and_promote_leave_nothing_half_made(
    service: LocalService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 26: `deploy --version X` to a mistyped environment id created package X first,
    # so the corrected retry was refused ("version already exists").
    from boomi_soap.localservice import deployments

    invoke = _invoker(service, tmp_path)
    before = _objects(service)
    typo = "00000000-0000-4000-8000-00000000dead"
    for environment in (typo, "Developmnet"):
        wrong = invoke("deploy", PROCESS, "--environment", environment, "--version", "7.0")
        assert wrong.exit_code == 1
        assert f"--environment {environment!r}: " in _error_line(wrong)
    missing = invoke("deploy", "Orders - Shopify to SAB", "--environment", "Development")
    assert missing.exit_code == 1
    assert "PROCESS 'Orders - Shopify to SAB': " in _error_line(missing)
    assert _objects(service) == before  # no package 7.0 left behind
    done = invoke("deploy", PROCESS, "--environment", "Development", "--version", "7.0")
    assert done.exit_code == 0, done.output
    assert "deployed package 7.0 " in done.stdout
    after_deploy = _objects(service)
    taken = invoke("deploy", PROCESS, "--environment", "Test", "--version", "7.0")
    assert taken.exit_code == 1
    assert "already has package version 7.0" in _error_line(taken)
    # A mistyped last target of a promotion: nothing is deployed to the first one either.
    chain = invoke("promote", PROCESS, "--from", "Development", "--to", "Test", "--to", "Prodution")
    assert chain.exit_code == 1
    assert "--to 'Prodution': query: no Environment named 'Prodution'" in _error_line(chain)
    assert _objects(service) == after_deploy

    # The deployment fails once the package exists: the package is deleted again.
    real = deployments.create_deployed_package

    def refuse(*args: object, **kwargs: object) -> object:
        service.inject("soap_fault", failures - 1)  # the calls after this one: the undo
        raise deployments.ApiFault(deployments.FaultCode.INVALID_REQUEST, "deployments are frozen")

    monkeypatch.setattr(deployments, "create_deployed_package", refuse)
    failures = 1
    undone = invoke("deploy", PROCESS, "--environment", "Test", "--version", "8.0")
    assert undone.exit_code == 1
    assert "deployments are frozen" in (line := _error_line(undone))
    assert "the package was deleted again, nothing is left" in line
    assert _objects(service) == after_deploy
    # The undo fails too: the message says what exists and the one command that removes it.
    failures = 2
    left = invoke("deploy", PROCESS, "--environment", "Test", "--version", "8.0")
    assert left.exit_code == 1
    line = _error_line(left)
    assert "exists, deployed nowhere; delete it with: boomi-soap call delete PackagedComponent " in line
    assert _objects(service) != after_deploy
    assert invoke(*line.split("delete it with: boomi-soap ")[1].split()).exit_code == 0
    assert _objects(service) == after_deploy
    monkeypatch.setattr(deployments, "create_deployed_package", real)
    retried = invoke("deploy", PROCESS, "--environment", "Test", "--version", "8.0")
    assert retried.exit_code == 0, retried.output


@pytest.mark.contracts("split", why="the CLI adds nothing per layout; the library's tests cover every layout")
@pytest.mark.timeout(120)
def test_run_follow_follows_a_request_id_and_submits_nothing(service: LocalService, tmp_path: Path) -> None:
    invoke = _invoker(service, tmp_path)
    queued = invoke("run", PROCESS, "--atom", "Production Atom", "--no-wait", "--format", "json")
    assert queued.exit_code == 0, queued.output
    request_id = json.loads(queued.stdout)["request_id"]
    assert f"run: submitted request {request_id}" in queued.stderr
    before = _objects(service)
    followed = invoke("run", "--follow", request_id, "--format", "json")
    assert followed.exit_code == 0, followed.output
    shown = json.loads(followed.stdout)
    assert shown["request_id"] == request_id
    assert shown["status"] == "COMPLETE"
    assert "submitted" not in followed.stderr
    assert _objects(service) == before  # nothing was run again

    for args, flag in (
        (["--follow", shown["execution_id"]], "'--follow'"),  # an execution id is not a request id
        (["--follow", request_id, PROCESS], "--follow REQUEST_ID takes no PROCESS"),
        ([PROCESS], "--atom"),
        ([], "--follow REQUEST_ID"),
    ):
        wrong = invoke("run", *args)
        assert wrong.exit_code == 2, wrong.output
        assert flag in _error_line(wrong)
    assert _objects(service) == before


@pytest.mark.contracts("split", why="the CLI adds nothing per layout; the library's tests cover every layout")
@pytest.mark.timeout(120)
def test_ctrl_c_during_a_run_prints_its_request_id_and_exits_130(contract: str, tmp_path: Path) -> None:
    from boomi_soap.localservice import ServiceConfig

    # The run never ends while the test looks at it.
    config = ServiceConfig(rate_limit=None, contract=contract, execution_timeline=ENDLESS)
    with LocalService(config) as service:
        _interrupt_a_run(service, tmp_path)


def _interrupt_a_run(service: LocalService, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    invoke = _invoker(service, tmp_path)
    env = {**os.environ, **fetch_env(service), "BOOMI_SOAP_COMPILED_DIR": compiled()}
    process = subprocess.Popen(
        [sys.executable, "-m", "boomi_soap", "run", PROCESS, "--atom", "Production Atom", "--poll", "0.05",
         "--run-timeout", "600", "--cache-dir", str(tmp_path / "cli-cache")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        lines = [process.stderr.readline() for _ in range(3)]  # where it talks, its snapshot, the request
        assert lines[2].startswith("run: submitted request executionrecord-"), lines
        request_id = lines[2].split()[-1]
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert out == ""  # no half a result on stdout
    assert (
        f"interrupted: request {request_id} may still run; follow it with: boomi-soap run --follow {request_id}" in err
    )
    assert "Traceback" not in err
    followed = invoke("run", "--follow", request_id, "--run-timeout", "0.2", "--format", "json")  # the hint works
    assert json.loads(followed.stdout)["request_id"] == request_id
    assert "still INPROCESS" in followed.stderr
