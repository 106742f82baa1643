"""Rollouts: schedules (and listeners) paused around a deploy, back as they were after success and failure."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import requests

from boomi_soap.client import Client
from boomi_soap.exceptions import ConfigurationError
from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.localservice.injection import Injection
from boomi_soap.platform import deploy as d
from boomi_soap.platform import rollout as r
from boomi_soap.platform.runs import resolve_id
from boomi_soap.platform.runtime import change_listener_status
from boomi_soap.wire.restmap import rest_root
from tests.boomi_soap.conftest import Connect

PROCESS = "Orders - Shopify to SAP"
OTHER = "Invoices - NetSuite to Coupa"
AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)
JSON = {"Accept": "application/json", "Content-Type": "application/json"}


def _statuses(client: Client) -> dict[tuple[str, str], bool]:
    """Every schedule switch of the account: (process id, Atom id) -> enabled."""
    return {(str(s.processId), str(s.atomId)): bool(s.enabled) for s in client.query("ProcessScheduleStatus")}


def _no_listeners(client: object, atom_id: str) -> dict[str, str]:
    return {}


def _reader(service: LocalService) -> r.ListenerReader:
    """ListenerStatus read over the service's REST root (the async query, then its token's answer)."""

    def read(client: object, atom_id: str) -> dict[str, str]:
        root = rest_root(service.endpoint())
        where = {"operator": "EQUALS", "property": "containerId", "argument": [atom_id]}
        queued = requests.post(f"{root}/async/ListenerStatus/query", json={"QueryFilter": {"expression": where}},
                               headers=JSON, auth=AUTH, timeout=10)  # fmt: skip
        assert queued.status_code == 200, queued.text
        url = f"{root}/async/ListenerStatus/response/{queued.json()['asyncToken']['token']}"
        answer = requests.get(url, headers=JSON, auth=AUTH, timeout=10).json()
        return {x["listenerId"]: x["status"] for x in answer.get("result", [])}

    return read


def _listeners(service: LocalService, client: Client) -> dict[str, dict[str, str]]:
    """Every Atom's listeners: Atom id -> listener id -> status."""
    read = _reader(service)
    return {str(a.id): dict(read(client, str(a.id))) for a in client.query("Atom")}


def test_a_deploy_disables_the_enabled_schedules_and_enables_them_after(connect: Connect, tmp_path: Path) -> None:
    _, client = connect()
    d.set_schedule_status(client, OTHER, "Production Atom", enabled=False)  # already off: not ours to turn on
    before = _statuses(client)
    planned = r.plan(client, "deploy", PROCESS, "Production", disable_schedules=True, listeners=_no_listeners)
    assert [c.kind for c in planned.changes] == ["schedule"]
    assert planned.steps()[0].startswith("disable schedules of process ")
    assert _statuses(client) == before  # planning writes nothing

    seen: list[tuple[str, bool]] = []

    def watch(step: str) -> None:
        seen.append((step, d.get_schedule_status(client, PROCESS, "Production Atom").enabled))

    record = tmp_path / "rollout.json"
    done = r.run(client, planned, record=record, on_step=watch)
    assert done.phase == "done"
    assert [step for step, _ in seen] == planned.steps()
    assert seen[1][1] is False  # disabled while the deploy runs
    assert _statuses(client) == before  # back as it was; OTHER stays off
    active = d.deployed_package(client, PROCESS, "Production")
    assert active is not None
    assert active.deploymentId == done.deployed["deploymentId"]
    saved = json.loads(record.read_text())
    assert saved["phase"] == "done"
    assert [c["state"] for c in saved["changes"]] == ["restored"]
    assert stat.S_IMODE(record.stat().st_mode) == 0o600


def test_a_failure_injected_half_way_restores_and_names_the_step_and_record(connect: Connect, tmp_path: Path) -> None:
    service, client = connect()
    before = _statuses(client)
    deployments = len(list(client.query("DeployedPackage")))
    planned = r.plan(client, "deploy", PROCESS, "Production", disable_schedules=True, listeners=_no_listeners)

    def fail_the_deploy(step: str) -> None:
        if step.startswith("package "):
            assert _statuses(client) != before  # half-way: the schedules are off
            service.inject(Injection.SOAP_FAULT)

    record = tmp_path / "rollout.json"
    with pytest.raises(r.RolloutError) as caught:
        r.run(client, planned, record=record, on_step=fail_the_deploy)
    message = str(caught.value)
    assert "\n" not in message
    assert f"step '{planned.deploy_step}' failed" in message
    assert "restored 1 change(s)" in message
    assert str(record) in message
    assert _statuses(client) == before
    assert len(list(client.query("DeployedPackage"))) == deployments  # nothing half-made
    assert json.loads(record.read_text())["phase"] == "rolled-back"


@pytest.mark.contracts("split", why="the record and the promote path are layout-independent")
def test_a_crash_leaves_a_record_that_rollback_and_resume_finish(connect: Connect, tmp_path: Path) -> None:
    _, client = connect()
    before = _statuses(client)
    planned = r.plan(
        client, "promote", PROCESS, "Production", source="Test", disable_schedules=True, listeners=_no_listeners
    )

    class Crash(BaseException):
        pass

    def crash(step: str) -> None:
        if step.startswith("promote "):
            raise Crash

    record = tmp_path / "rollout.json"
    with pytest.raises(Crash):
        r.run(client, planned, record=record, on_step=crash)
    assert _statuses(client) == before  # an interrupt still restores

    # A kill leaves no chance to restore: the record as it stood when the deploy began.

    crashed = r.plan(
        client, "promote", PROCESS, "Production", source="Test", disable_schedules=True, listeners=_no_listeners
    )
    crashed.path = record
    for change in crashed.changes:
        d.set_schedule_status(client, change.target, change.atom_id, enabled=False)
        change.state = "changed"
    crashed.phase = "deploying"
    crashed.save()
    assert _statuses(client) != before

    rolled = r.rollback(client, record)
    assert rolled.phase == "rolled-back"
    assert _statuses(client) == before

    for change in crashed.changes:  # the same crash again, this time finished with resume
        d.set_schedule_status(client, change.target, change.atom_id, enabled=False)
        change.state = "changed"
    crashed.save()
    finished = r.resume(client, record)
    assert finished.phase == "done"
    assert finished.deployed["steps"][0]["message"].startswith("deployed package")
    assert _statuses(client) == before


@pytest.mark.contracts("split", why="reading a record is local")
def test_a_record_that_is_not_one_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"record": "other"}')
    with pytest.raises(ConfigurationError, match=r"is not a boomi-soap rollback record$"):
        r.load(bad)
    with pytest.raises(ConfigurationError, match=r"^cannot read rollback record "):
        r.load(tmp_path / "missing.json")


def test_listeners_and_schedules_are_back_as_they_were_after_a_deploy(connect: Connect, tmp_path: Path) -> None:
    service, client = connect()
    atom = resolve_id(client, "Atom", "Production Atom")
    running = _listeners(service, client)[atom]
    assert len(running) == 2
    kept_paused = sorted(running)[0]
    change_listener_status(client, atom, "pause", kept_paused)  # paused before: stays paused
    before = (_listeners(service, client), _statuses(client))
    assert before[0][atom][kept_paused] == "paused"

    planned = r.plan(client, "deploy", PROCESS, "Production", pause_listeners=True, disable_schedules=True,
                     listeners=_reader(service))  # fmt: skip
    assert [(c.kind, c.target) for c in planned.changes if c.kind == "listener"] == [
        ("listener", t) for t in running if t != kept_paused
    ]
    during: list[dict[str, str]] = []

    def watch(step: str) -> None:
        if step.startswith("package "):
            during.append(_listeners(service, client)[atom])

    r.run(client, planned, record=tmp_path / "rollout.json", on_step=watch)
    assert set(during[0].values()) == {"paused"}  # every listener of the Atom paused while deploying
    assert (_listeners(service, client), _statuses(client)) == before


def test_listeners_and_schedules_are_back_after_a_failure_injected_half_way(connect: Connect, tmp_path: Path) -> None:
    service, client = connect()
    before = (_listeners(service, client), _statuses(client))
    planned = r.plan(client, "deploy", PROCESS, "Production", pause_listeners=True, disable_schedules=True,
                     listeners=_reader(service))  # fmt: skip
    assert len(planned.changes) == 3
    half_way = planned.changes[1].change_step  # one listener paused, the second about to be

    def fail_here(step: str) -> None:
        if step == half_way:
            service.inject(Injection.SOAP_FAULT)

    record = tmp_path / "rollout.json"
    with pytest.raises(r.RolloutError, match=rf"step '{half_way}' failed .*; restored 2 change\(s\); record: "):
        r.run(client, planned, record=record, on_step=fail_here)
    assert (_listeners(service, client), _statuses(client)) == before
    assert [c["state"] for c in json.loads(record.read_text())["changes"]] == ["restored", "restored", "planned"]


@pytest.mark.contracts("partner", why="only the Partner API acts on sub-accounts")
def test_a_record_is_finished_only_for_the_account_it_was_made_for(connect: Connect, tmp_path: Path) -> None:
    service, client = connect()
    sub = client.for_account(service.sub_accounts(service.accounts[0])[0])
    planned = r.plan(client, "deploy", PROCESS, "Production", disable_schedules=True, listeners=_no_listeners)
    planned.path = tmp_path / "parent.json"
    planned.save()
    with pytest.raises(ConfigurationError, match=r"was made against .*, not .*\(sub-account "):
        r.rollback(sub, planned.path)
    assert r.rollback(client, planned.path).phase == "rolled-back"  # nothing was changed: nothing to put back
