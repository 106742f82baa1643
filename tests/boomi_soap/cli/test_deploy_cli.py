"""``deploy``/``promote --disable-schedules --pause-listeners``, ``deploy --resume`` and ``rollback``, end to end."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from boomi_soap.client import Client
from boomi_soap.localservice import DEFAULT_ACCOUNT, LocalService
from boomi_soap.localservice.injection import Injection, InjectionPlan
from boomi_soap.platform import deploy as d
from boomi_soap.platform import rollout as r
from boomi_soap.platform.runs import resolve_id
from boomi_soap.platform.runtime import change_listener_status
from tests.boomi_soap.cli.test_runs import _error_line, _invoker
from tests.boomi_soap.conftest import Connect

PROCESS = "Orders - Shopify to SAP"
DEPLOY = ("deploy", PROCESS, "--environment", "Production", "--disable-schedules")
ONE_LAYOUT = pytest.mark.contracts("split", why="the CLI adds nothing per layout; the library's tests cover every one")


def _statuses(client: Client) -> dict[tuple[str, str], bool]:
    return {(str(s.processId), str(s.atomId)): bool(s.enabled) for s in client.query("ProcessScheduleStatus")}


class _WhenDisabled(InjectionPlan):
    """Fails the first call the service takes once any schedule is disabled: half-way through a rollout."""

    def __init__(self, service: LocalService) -> None:
        super().__init__()
        self.store = service.store(DEFAULT_ACCOUNT)
        self.armed = True

    def take(self) -> Injection | None:
        found = super().take()
        statuses = self.store.all("ProcessScheduleStatus")
        if found is None and self.armed and any(s.element.get("enabled") == "false" for s in statuses):
            self.armed = False
            return Injection.SOAP_FAULT
        return found


def test_deploy_disable_schedules_dry_run_then_for_real(connect: Connect, tmp_path: Path, transport: str) -> None:
    service, client = connect()
    invoke = _invoker(service, tmp_path)
    before = _statuses(client)

    planned = invoke(*DEPLOY, "--dry-run", "--transport", transport)
    assert planned.exit_code == 0, planned.output
    lines = planned.stdout.splitlines()
    assert lines[0].startswith("would disable schedules of process ")
    assert lines[1].startswith("would package process ")
    assert lines[2].startswith("would enable schedules of process ")
    assert planned.stderr.startswith("deploy: endpoint ")  # where it talks
    assert _statuses(client) == before

    record = tmp_path / "rollout.json"
    done = invoke(*DEPLOY, "--record", str(record), "--format", "json", "--transport", transport)
    assert done.exit_code == 0, done.output
    assert f"rollback record: {record}\n" in done.stderr
    assert "disable schedules of process " in done.stderr  # a progress line per step
    fields = json.loads(done.stdout)
    assert fields["phase"] == "done"
    assert [c["state"] for c in fields["changes"]] == ["restored"]
    assert fields["deployed"]["deploymentId"]
    assert _statuses(client) == before
    assert stat.S_IMODE(record.stat().st_mode) == 0o600


@ONE_LAYOUT
def test_a_failure_injected_half_way_restores_and_exits_1_naming_the_step_and_record(
    connect: Connect, tmp_path: Path, transport: str
) -> None:
    service, client = connect()
    invoke = _invoker(service, tmp_path)
    before = _statuses(client)
    deployments = len(list(client.query("DeployedPackage")))
    service.injections = _WhenDisabled(service)
    record = tmp_path / "rollout.json"

    failed = invoke(*DEPLOY, "--record", str(record), "--transport", transport)
    assert failed.exit_code == 1, failed.output
    line = _error_line(failed)
    assert line.startswith("Error: deploy: step 'package process ")
    assert f"restored 1 change(s); record: {record}" in line
    assert _statuses(client) == before
    assert len(list(client.query("DeployedPackage"))) == deployments
    assert json.loads(record.read_text())["phase"] == "rolled-back"


@ONE_LAYOUT
def test_rollback_and_resume_finish_a_record_a_crash_left(connect: Connect, tmp_path: Path) -> None:
    service, client = connect()
    invoke = _invoker(service, tmp_path)
    before = _statuses(client)
    record = tmp_path / "rollout.json"

    def crash() -> None:  # the record as a rollout killed while deploying left it
        crashed = r.plan(client, "promote", PROCESS, ["Production"], source="Test", disable_schedules=True)
        crashed.path = record
        for change in crashed.changes:
            d.set_schedule_status(client, change.target, change.atom_id, enabled=False)
            change.state = "changed"
        crashed.phase = "deploying"
        crashed.save()

    crash()
    planned = invoke("rollback", str(record), "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.startswith("would enable schedules of process ")
    assert _statuses(client) != before
    rolled = invoke("rollback", str(record))
    assert rolled.exit_code == 0, rolled.output
    assert _statuses(client) == before
    assert invoke("rollback", str(record), "--dry-run").stdout == "nothing to do: the record is finished\n"

    crash()
    resumed = invoke("deploy", "--resume", str(record), "--format", "json")
    assert resumed.exit_code == 0, resumed.output
    fields = json.loads(resumed.stdout)
    assert fields["phase"] == "done"
    assert fields["deployed"]["steps"][0]["message"].startswith("deployed package")
    assert _statuses(client) == before


@ONE_LAYOUT
def test_mistakes_are_one_line_with_exit_2_or_1(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)
    assert invoke("deploy", "--environment", "Production").exit_code == 2
    assert invoke("deploy", "--resume", str(tmp_path / "r.json"), PROCESS).exit_code == 2
    assert invoke("deploy", PROCESS, "--environment", "Production", "--record", "r.json").exit_code == 2
    missing = invoke("rollback", str(tmp_path / "missing.json"))
    assert missing.exit_code == 2
    assert "'RECORD': File " in missing.stderr
    assert "does not exist" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    for args in (("rollback", str(broken)), ("deploy", "--resume", str(broken))):
        not_a_record = invoke(*args)
        assert not_a_record.exit_code == 2
        assert _error_line(not_a_record).startswith(f"Error: rollback record {broken} is not JSON")
    no_file = invoke("extensions", "set", "Production", "--file", str(tmp_path / "none.json"))
    assert no_file.exit_code == 2
    assert "'--file': File " in no_file.stderr
    other = tmp_path / "other.json"
    r.Rollout("deploy", "p", ["e"], address="https://elsewhere.example/api/soap/v1/x", path=other).save()
    refused = invoke("rollback", str(other))
    assert refused.exit_code == 2
    assert "was made against https://elsewhere.example/" in refused.stderr
    help_text = invoke("deploy", "--help").stdout
    for words in ("--pause-listeners", "--disable-schedules", "--resume", "BOOMI_ACCOUNT_ID"):
        assert words in help_text


def test_extensions_set_from_a_file_never_shows_the_secret(
    connect: Connect, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, transport: str
) -> None:
    service, client = connect()
    invoke = _invoker(service, tmp_path)
    secret = "pa55-from-env"
    monkeypatch.setenv("ORDERS_DB_PASSWORD", secret)
    path = tmp_path / "ext.json"
    path.write_text(json.dumps({
        "connections": {"connection": [{"id": "c1", "name": "Orders DB", "field": [
            {"id": "password", "value": {"env": "ORDERS_DB_PASSWORD"}, "usesEncryption": True}]}]},
        "properties": {"property": [{"name": "region", "value": "us-east-1"}]},
    }))  # fmt: skip
    where = ("extensions", "set", "Production", "--file", str(path), "--transport", transport)

    planned = invoke(*where, "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert "would set connections.connection[0].field[0].value = ***\n" in planned.stdout
    assert "would set properties.property[0].value = us-east-1\n" in planned.stdout
    assert secret not in planned.output

    done = invoke(*where, "--format", "text")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("set 7 value(s) of connections, properties in environment Production (")
    assert secret not in done.output
    after = d.get_extensions(client, "Production")
    assert after.connections.connection[0].field[0].value == secret

    path.write_text(json.dumps({"properties": {"property": [{"nme": "x"}]}}))
    wrong = invoke(*where)
    assert wrong.exit_code == 2
    assert f"{path}: $.properties.property[0].nme: Property has no 'nme'" in wrong.stderr
    assert invoke("extensions", "set", "Production").exit_code == 2
    assert invoke("extensions", "get", "Production").exit_code == 2


def test_release_dry_run_then_in_order_and_a_cycle_exits_1(connect: Connect, tmp_path: Path, transport: str) -> None:
    service, client = connect()
    invoke = _invoker(service, tmp_path)
    a, b = sorted(str(p.id) for p in client.query("Process"))[:2]
    service.seed([{"@type": "ComponentReference", "references": [
        {"parentComponentId": a, "parentVersion": 1, "componentId": b, "type": "DEPENDENT"}]}])  # fmt: skip
    where = ("release", a, b, "--environment", "Production", "--transport", transport)

    planned = invoke(*where, "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout == f"1. would package and deploy {b}\n2. would package and deploy {a} (after {b})\n"
    assert planned.stderr.startswith("release: endpoint ")

    done = invoke(*where, "--format", "json")
    assert done.exit_code == 0, done.output
    steps = json.loads(done.stdout)["steps"]
    assert [s["componentId"] for s in steps] == [b, a]
    assert all(s["deploymentId"] for s in steps)

    service.seed([{"@type": "ComponentReference", "references": [
        {"parentComponentId": b, "parentVersion": 1, "componentId": a, "type": "DEPENDENT"}]}])  # fmt: skip
    cycle = invoke(*where)
    assert cycle.exit_code == 1
    assert f"references form a cycle: {a} -> {b} -> {a}" in _error_line(cycle)
    assert invoke("release", "--environment", "Production").exit_code == 2
    assert "BOOMI_ACCOUNT_ID" in invoke("release", "--help").stdout


def test_pause_listeners_and_disable_schedules_around_a_deploy_and_a_failure(
    connect: Connect, tmp_path: Path, transport: str
) -> None:
    service, client = connect()
    invoke = _invoker(service, tmp_path)
    atom = resolve_id(client, "Atom", "Production Atom")
    listening = r.read_listeners(client, atom)
    assert sorted(set(listening.values())) == ["listening"]
    kept = sorted(listening)[0]
    change_listener_status(client, atom, "pause", kept)  # paused before the deploy: stays paused
    before = (r.read_listeners(client, atom), _statuses(client))
    both = (*DEPLOY, "--pause-listeners", "--transport", transport)

    planned = invoke(*both, "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert [line.split()[2] for line in planned.stdout.splitlines()] == [
        "listener", "schedules", "process", "schedules", "listener"
    ]  # fmt: skip
    assert (r.read_listeners(client, atom), _statuses(client)) == before

    done = invoke(*both, "--record", str(tmp_path / "ok.json"))
    assert done.exit_code == 0, done.output
    assert (r.read_listeners(client, atom), _statuses(client)) == before

    service.injections = _WhenDisabled(service)  # fails the call after the schedules are off: half-way
    record = tmp_path / "failed.json"
    failed = invoke(*both, "--record", str(record))
    assert failed.exit_code == 1, failed.output
    assert f"restored 2 change(s); record: {record}" in _error_line(failed)
    assert (r.read_listeners(client, atom), _statuses(client)) == before


@ONE_LAYOUT
def test_promote_disable_schedules_and_a_record_is_never_overwritten(connect: Connect, tmp_path: Path) -> None:
    service, client = connect()
    invoke = _invoker(service, tmp_path)
    before = _statuses(client)
    record = tmp_path / "promote.json"
    promote = ("promote", PROCESS, "--from", "Test", "--to", "Production", "--disable-schedules")
    done = invoke(*promote, "--record", str(record))
    assert done.exit_code == 0, done.output
    assert "deployed package" in done.stdout
    assert done.stdout.endswith(f"1 change(s) around it restored (record: {record})\n")
    assert _statuses(client) == before
    again = invoke(*promote, "--record", str(record))
    assert again.exit_code == 2
    assert f"rollback record {record} exists" in again.stderr
