"""``boomi-soap logs``, ``artifacts``, ``troubleshoot`` and ``runtime`` end to end against the local service."""

from __future__ import annotations

import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from boomi_soap.localservice import executions
from boomi_soap.localservice.executions import MESSAGE_PROPERTY
from boomi_soap.localservice.model import Record, build_object
from tests.boomi_soap.cli.test_runs import PROCESS, _error_line, _invoker
from tests.boomi_soap.conftest import Connect

ONE_LAYOUT = pytest.mark.contracts(
    "split", why="the CLI adds nothing per layout; the library's tests cover every layout"
)


def _failed_run(invoke: Callable[..., Result]) -> str:
    done = invoke(
        "run", PROCESS, "--atom", "Production Atom", "-p", f"{MESSAGE_PROPERTY}=bad mapping", "--format", "json"
    )  # type: ignore[operator]
    assert done.exit_code == 1, done.output
    return str(json.loads(done.stdout)["execution_id"])


@ONE_LAYOUT
def test_troubleshoot_gathers_a_failed_run_even_when_the_log_is_late(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect(log_bytes=200)
    invoke = _invoker(service, tmp_path)
    execution_id = _failed_run(invoke)
    executions.hold_downloads(service.store(), 2)  # the log (and the artifacts) answer 202 twice first
    folder = tmp_path / "gathered"
    done = invoke("troubleshoot", execution_id, "--out", str(folder))
    assert done.exit_code == 0, done.output
    assert done.stdout == f"{folder}\n"
    assert sorted(p.name for p in folder.iterdir()) == [
        "ExecutionConnector.jsonl", "ExecutionRecord.jsonl", "ExecutionSummaryRecord.jsonl",
        "artifacts.zip", "process_log.txt",
    ]  # fmt: skip
    record = json.loads((folder / "ExecutionRecord.jsonl").read_text().splitlines()[0])
    assert (record["executionId"], record["status"]) == (execution_id, "ERROR")
    assert len((folder / "process_log.txt").read_bytes()) == 200
    assert f"{execution_id}/process_log.txt" in zipfile.ZipFile(folder / "artifacts.zip").namelist()
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    steps = [line for line in done.stderr.splitlines() if line.startswith("troubleshoot: [")]
    assert [line.split("]")[0] for line in steps] == [f"troubleshoot: [{n}/5" for n in range(1, 6)]
    assert done.stderr.startswith(f"troubleshoot: endpoint {service.endpoint()} (BOOMI_BASE_URL)")


@ONE_LAYOUT
def test_logs_and_artifacts(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect(log_bytes=120)
    invoke = _invoker(service, tmp_path)
    execution_id = _failed_run(invoke)
    shown = invoke("logs", execution_id)
    assert shown.exit_code == 0, shown.output
    assert len(shown.stdout.encode()) == 120
    out = tmp_path / "run.log"
    executions.hold_downloads(service.store(), 1)
    kept = invoke("logs", execution_id, "--out", str(out))
    assert kept.exit_code == 0, kept.output
    assert (len(out.read_bytes()), stat.S_IMODE(out.stat().st_mode)) == (120, 0o600)
    executions.hold_downloads(service.store(), 0)
    too_big = invoke("logs", execution_id, "--max-bytes", "10")
    assert too_big.exit_code == 1
    assert "over the cap of 10" in _error_line(too_big)
    zipped = invoke("artifacts", execution_id, "--out", str(tmp_path / "a"))
    assert zipped.exit_code == 0, zipped.output
    assert zipfile.is_zipfile(zipped.stdout.strip())
    missing = invoke("artifacts", "execution-none", "--out", str(tmp_path / "a"))
    assert missing.exit_code == 1
    assert "Traceback" not in missing.output


def test_runtime_reads(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    atom = next(a for a in service.store().all("Atom") if a.element.get("name") == "Production Atom")
    seeded = build_object(service.release.index, "AtomDiskSpace", {"totalSize": "21 KB", "rawTotalSize": 21931})
    service.store().put(Record("AtomDiskSpace", atom.key, seeded))
    shown = invoke("runtime", "disk-space", "--atom", "Production Atom", "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert [(r["@type"], r["totalSize"]) for r in json.loads(shown.stdout)] == [("AtomDiskSpace", "21 KB")]
    assert shown.stderr.startswith(f"runtime disk-space: endpoint {service.endpoint()}")
    listed = invoke("runtime", "queues", "list", "--atom", atom.key, "--format", "json")
    assert listed.exit_code == 0, listed.output
    (queues,) = json.loads(listed.stdout)
    assert [q["queueName"] for q in queues["QueueRecord"]] == ["orders-inbound", "invoices-retry", "order-events"]
    policies = invoke("runtime", "read", "AtomSecurityPolicies", "--atom", atom.key)
    assert policies.exit_code == 0, policies.output
    bad = invoke("runtime", "read", "Atom", "--atom", atom.key)
    assert bad.exit_code == 2
    unknown = invoke("runtime", "disk-space", "--atom", "No Such Atom")
    assert unknown.exit_code == 1


def test_runtime_listeners_and_queue_clear(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    paused = invoke("runtime", "listeners", "pause", "--atom", "Production Atom")
    assert paused.exit_code == 0, paused.output
    assert paused.stdout.startswith("pause: accepted for every listener on Atom ")
    assert paused.stderr.startswith(f"runtime listeners pause: endpoint {service.endpoint()}")
    resumed = invoke("runtime", "listeners", "resume", "--atom", "Production Atom", "--listener", "listener-1")
    assert resumed.stdout.startswith("resume: accepted for listener listener-1 on Atom ")
    planned = invoke("runtime", "listeners", "restart", "--atom", "Production Atom", "--dry-run")
    assert planned.stdout.startswith("would restart every listener on Atom Production Atom (")
    cleared = invoke("runtime", "queues", "clear", "--atom", "Production Atom", "--queue", "orders")
    assert cleared.exit_code == 0, cleared.output
    assert cleared.stdout.startswith("Request submitted to atom id: ")
    missing = invoke("runtime", "queues", "clear", "--atom", "Production Atom")
    assert missing.exit_code == 2
    over_rest = invoke("runtime", "listeners", "pause", "--atom", "Production Atom", "--transport", "rest")
    assert over_rest.exit_code == 0, over_rest.output


@ONE_LAYOUT
def test_an_output_place_that_cannot_be_written_is_one_line_and_leaves_nothing(
    connect: Connect, tmp_path: Path
) -> None:
    service, _ = connect(log_bytes=50)
    invoke = _invoker(service, tmp_path)
    execution_id = _failed_run(invoke)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # a folder under a file cannot be made
    for args, where in (
        (("logs", execution_id, "--out", str(blocker / "run.log")), blocker / "run.log"),
        (("artifacts", execution_id, "--out", str(blocker / "zips")), blocker / "zips"),
        (("troubleshoot", execution_id, "--out", str(blocker / "case")), blocker / "case"),
    ):
        done = invoke(*args)
        assert done.exit_code == 1, done.output
        assert "Traceback" not in done.output
        assert _error_line(done).startswith(f"Error: cannot write {where}")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []
    assert blocker.read_text() == "not a folder"


def test_runtime_listeners_list_queues_move_and_restart(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    listed = invoke("runtime", "listeners", "list", "--atom", "Test Molecule", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert listed.stderr.startswith(f"runtime listeners list: endpoint {service.endpoint()}")
    found = json.loads(listed.stdout)
    assert [(r["@type"], r["status"]) for r in found] == [("ListenerStatus", "listening")] * 3
    one = found[0]["listenerId"]
    table = invoke("runtime", "listeners", "list", "--atom", "Test Molecule", "--format", "table")
    assert table.exit_code == 0, table.output
    assert "ListenerStatus of " in table.stdout
    assert all(r["listenerId"] in table.stdout for r in found)
    assert table.stdout.count("listening") == 3
    assert invoke("runtime", "listeners", "pause", "--atom", "Test Molecule", "--listener", one).exit_code == 0
    only = invoke("runtime", "listeners", "list", "--atom", "Test Molecule", "--listener", one, "--format", "json")
    assert [r["status"] for r in json.loads(only.stdout)] == ["paused"]
    planned = invoke("runtime", "queues", "move", "--atom", "Production Atom", "--from", "orders-inbound", "--to",
                     "invoices-retry", "--dry-run")  # fmt: skip
    assert planned.stdout.startswith("would move the messages of queue orders-inbound to queue invoices-retry on Atom")
    moved = invoke("runtime", "queues", "move", "--atom", "Production Atom", "--from", "orders-inbound", "--to",
                   "invoices-retry", "--to-dead-letters")  # fmt: skip
    assert moved.exit_code == 0, moved.output
    assert "to move queue messages from orders-inbound to invoices-retry" in moved.stdout
    counts = invoke("runtime", "queues", "list", "--atom", "Production Atom", "--format", "json")
    queues = {q["queueName"]: q for q in json.loads(counts.stdout)[0]["QueueRecord"]}
    assert (queues["orders-inbound"]["messagesCount"], queues["invoices-retry"]["deadLettersCount"]) == (0, 13)
    assert invoke("runtime", "queues", "move", "--atom", "Production Atom", "--from", "q").exit_code == 2
    restarted = invoke("runtime", "restart", "--atom", "Test Molecule", "--transport", "rest")
    assert restarted.exit_code == 0, restarted.output
    assert restarted.stdout.startswith("Restart request submitted for runtimeId `")
    planned_restart = invoke("runtime", "restart", "--atom", "Test Molecule", "--dry-run")
    assert planned_restart.stdout.startswith("would restart the Runtime on Atom Test Molecule (")
    unknown = invoke("runtime", "restart", "--atom", "No Such Atom")
    assert unknown.exit_code == 1
    assert "Traceback" not in unknown.output


def test_runtime_worker_log_and_connector_document(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    executions.hold_downloads(service.store(), 1)
    out = tmp_path / "worker.log"
    kept = invoke("runtime", "worker-log", "worker-1", "--out", str(out))
    assert kept.exit_code == 0, kept.output
    assert (len(out.read_bytes()), stat.S_IMODE(out.stat().st_mode)) == (4096, 0o600)
    assert kept.stderr.startswith(f"runtime worker-log: endpoint {service.endpoint()}")
    executions.hold_downloads(service.store(), 0)
    too_big = invoke("runtime", "worker-log", "worker-1", "--max-bytes", "10")
    assert too_big.exit_code == 1
    assert "over the cap of 10" in _error_line(too_big)
    record = {"id": "gcr-1", "executionId": "e-1", "connectorFields": {}, "trackedFields": {}, "errorMessage": ""}
    service.seed([{"@type": "GenericConnectorRecord", **record}])
    shown = invoke("runtime", "connector-document", "gcr-1", "--transport", "rest")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["genericConnectorRecordId"] == "gcr-1"
    missing = invoke("runtime", "connector-document", "gcr-2")
    assert missing.exit_code == 1
    assert "GenericConnectorRecord with id gcr-2 does not exist" in _error_line(missing)
    planned = invoke("runtime", "connector-document", "gcr-1", "--out", str(tmp_path / "d.json"), "--dry-run")
    assert planned.stdout == f"would download the document of connector record gcr-1 to {tmp_path / 'd.json'}\n"
    assert not (tmp_path / "d.json").exists()


def test_runtime_help_names_the_environment_and_every_command(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from boomi_soap.cli.runtime import runtime

    shown = CliRunner().invoke(runtime, ["--help"])
    for name in ("connector-document", "disk-space", "listeners", "queues", "read", "restart", "worker-log"):
        assert name in shown.output
    for args in (["restart"], ["queues", "move"], ["listeners", "list"], ["worker-log"]):
        helped = CliRunner().invoke(runtime, [*args, "--help"])
        assert helped.exit_code == 0, helped.output
        assert "BOOMI_USERNAME" in helped.output
        assert "BOOMI_PASSWORD" in helped.output
