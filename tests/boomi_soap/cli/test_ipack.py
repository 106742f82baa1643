"""``boomi-soap ipack ...`` end to end against the local Partner API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import Result

from boomi_soap.localservice import LocalService
from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS
from tests.boomi_soap.cli.conftest import compiled
from tests.boomi_soap.cli.test_runs import _invoker
from tests.boomi_soap.conftest import Connect

SUB = DEFAULT_SUB_ACCOUNTS[0]


@pytest.mark.contracts("partner", why="integration packs in sub-accounts are a Partner API feature")
@pytest.mark.timeout(120)
def test_ipack_commands_walk_the_lifecycle(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    invoke = _invoker(service, tmp_path)

    def run(*args: str) -> object:
        result = invoke("ipack", *args, "--sub-account", SUB, "--format", "json")
        assert result.exit_code == 0, result.output
        assert f"sub-account {SUB}" in result.stderr  # says where it talks
        assert f"endpoint {service.base_url}" in result.stderr
        return json.loads(result.stdout)

    packs = run("available", "--type", "MULTI")
    pack = next(p for p in packs if p["name"] == "Salesforce to NetSuite Orders")  # type: ignore[attr-defined]
    environment = next(e for e in run("environments") if e["name"] == "Production")  # type: ignore[attr-defined]
    instance = run("install", pack["id"], "--environment", environment["id"], "--name", "CLI Orders")
    instance_id = instance["id"]  # type: ignore[index]
    assert [i["id"] for i in run("installed")] == [instance_id]  # type: ignore[attr-defined]
    processes = run("processes", instance_id)
    shown = run("extensions", instance_id, "--set", "Salesforce Connection.url=https://cli.example.com",
                "--set", "Salesforce Connection.password=cli-secret")  # fmt: skip
    assert shown["values"]["Salesforce Connection"]["url"] == "https://cli.example.com"  # type: ignore[index]
    assert shown["encryptedValueSet"]["Salesforce Connection/password"] is True  # type: ignore[index]
    assert "cli-secret" not in json.dumps(shown)
    listed = invoke("ipack", "extensions", instance_id, "--sub-account", SUB).stdout.splitlines()
    assert "Salesforce Connection.password=(encrypted, set)" in listed  # issue 26: "(encrypted)" for unset too
    assert not [line for line in listed if line.endswith("=(encrypted)")]
    started = invoke("ipack", "execute", processes[0]["wrapperProcessId"], "--sub-account", SUB, "--format", "json")  # type: ignore[index]
    assert started.exit_code == 0, started.output
    executed = json.loads(started.stdout)
    assert executed["status"] == "COMPLETE"
    assert f"ipack execute: submitted request {executed['request_id']}" in started.stderr  # as soon as it exists
    assert len(run("schedules", instance_id)) == 2  # type: ignore[arg-type]
    assert run("profile")["accountId"] == SUB  # type: ignore[index]
    assert run("uninstall", instance_id) == {"id": instance_id, "deleted": True}
    gone = invoke("ipack", "uninstall", instance_id, "--sub-account", SUB)  # issue 26: this exited 0
    assert gone.exit_code == 1
    assert f"INSTANCE '{instance_id}': no such installed pack in {SUB}" in _error_line(gone)
    assert run("installed") == []


@pytest.mark.contracts("partner", why="integration packs in sub-accounts are a Partner API feature")
def test_a_forbidden_sub_account_fails_with_one_line(connect: Connect, tmp_path: Path) -> None:
    service, _ = connect()
    result = _invoker(service, tmp_path)("ipack", "installed", "--sub-account", DEFAULT_SUB_ACCOUNTS[1])
    assert result.exit_code == 1
    assert "insufficient permissions" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.timeout(120)
def test_serve_partner_lets_the_demo_login_act_on_its_sub_account(tmp_path: Path) -> None:
    # `boomi-soap serve --contract partner`, then the ipack commands, as a user would try them.
    import os
    import subprocess
    import sys

    from click.testing import CliRunner

    from boomi_soap.cli import main
    from boomi_soap.localservice.config import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER

    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOMI_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "boomi_soap", "serve", "--port", "0", "--contract", "partner"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        base = process.stdout.readline().split()[4]
        banner = [process.stdout.readline() for _ in range(3)]
        assert any(f"{SUB} (this login may act on it)" in line for line in banner), banner
        client_env = {"BOOMI_BASE_URL": base, "BOOMI_ACCOUNT_ID": DEFAULT_ACCOUNT, "BOOMI_USERNAME": DEFAULT_USER,
                      "BOOMI_PASSWORD": DEFAULT_PASSWORD, "BOOMI_API_TOKEN": "",
                      "BOOMI_SOAP_CACHE_DIR": str(tmp_path / "cache"),
                      "BOOMI_SOAP_COMPILED_DIR": compiled()}  # fmt: skip
        runner = CliRunner()
        assert runner.invoke(main, ["fetch", "--flavour", "partner"], env=client_env).exit_code == 0
        allowed = runner.invoke(
            main, ["ipack", "environments", "--sub-account", SUB, "--format", "json"], env=client_env
        )
        assert allowed.exit_code == 0, allowed.output
        assert json.loads(allowed.stdout)
        forbidden = runner.invoke(
            main, ["ipack", "environments", "--sub-account", DEFAULT_SUB_ACCOUNTS[1]], env=client_env
        )
        assert forbidden.exit_code == 1
        assert "insufficient permissions" in forbidden.stderr
    finally:
        process.terminate()
        process.communicate(timeout=10)


@pytest.mark.contracts("partner", why="integration packs in sub-accounts are a Partner API feature")
@pytest.mark.timeout(120)
def test_records_since_takes_zoned_iso_and_plain_dates(connect: Connect, tmp_path: Path) -> None:
    # Issue 26: --since accepted only naive values, which the service refuses, and refused `Z` (exit 2).
    service, _ = connect()
    invoke = _invoker(service, tmp_path)

    def run(*args: str) -> object:
        result = invoke("ipack", *args, "--sub-account", SUB, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    pack = next(p for p in run("available", "--type", "SINGLE"))  # type: ignore[attr-defined]
    environment = next(e for e in run("environments") if e["name"] == "Production")  # type: ignore[attr-defined]
    instance = run("install", pack["id"], "--environment", environment["id"])["id"]  # type: ignore[index]
    executed = run("execute", run("processes", instance)[0]["wrapperProcessId"])  # type: ignore[index]
    everything = run("records", "--since", "2000-01-02", "--limit", "100000")  # a plain date: 00:00 UTC
    assert run("records", "--since", "2000-01-02T03:04:05Z", "--limit", "100000") == everything
    mine = next(r for r in everything if r["executionId"] == executed["execution_id"])  # type: ignore[index,union-attr]
    started = datetime.fromisoformat(mine["executionTime"])
    # The same instant written in other zones is converted, not read as UTC.
    at = started.astimezone(timezone(timedelta(hours=1))).isoformat()
    after = (started + timedelta(seconds=1)).astimezone(timezone(timedelta(hours=-5, minutes=-30))).isoformat()
    assert executed["execution_id"] in [r["executionId"] for r in run("records", "--since", at)]  # type: ignore[index,union-attr]
    assert executed["execution_id"] not in [r["executionId"] for r in run("records", "--since", after)]  # type: ignore[index,union-attr]
    assert run("records", "--since", "2999-01-01") == []
    for bad, why in (("2000-01-02T03:04:05", "has no time zone"), ("yesterday", "is not an ISO 8601 date")):
        refused = invoke("ipack", "records", "--since", bad, "--sub-account", SUB)
        assert refused.exit_code == 2
        error = [line for line in refused.stderr.splitlines() if line.startswith("Error")]
        assert len(error) == 1, refused.stderr
        assert "'--since'" in error[0]
        assert why in error[0]


def test_zoned_date_time_sends_utc_with_z() -> None:
    from boomi_soap.cli._input import ZonedDateTime
    from boomi_soap.query import F

    for given, sent in (
        ("2026-01-02T03:04:05+01:00", "2026-01-02T02:04:05Z"),
        ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05Z"),
        ("2026-01-02", "2026-01-02T00:00:00Z"),  # a plain date is its UTC midnight
    ):
        assert (F("executionTime") >= ZonedDateTime().convert(given, None, None)).arguments == (sent,)


def _objects(service: LocalService, account: str) -> dict[str, list[str]]:
    """Every object the service holds for an account, by type: what a mistake must leave as it was."""
    store = service.store(account)
    found = {kind: sorted(r.key for r in store.all(kind)) for kind in store.types()}
    return {kind: keys for kind, keys in found.items() if keys}  # a type emptied again is as before


def _error_line(result: Result) -> str:
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.output
    return errors[0]


@pytest.mark.contracts("partner", why="integration packs in sub-accounts are a Partner API feature")
@pytest.mark.timeout(120)
def test_install_is_whole_or_nothing(service: LocalService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 26: `--environment Production` (a name) created the instance, failed on the attachment
    # and undid nothing, so the retry of a single-install pack was refused as "already installed".
    from boomi_soap.localservice import ipacks as service_ipacks

    invoke = _invoker(service, tmp_path)

    def install(*args: str) -> Result:
        return invoke("ipack", "install", *args, "--sub-account", SUB, "--format", "json")

    invoke("ipack", "installed", "--sub-account", SUB)  # the service seeds the packs on first use
    before = _objects(service, SUB)

    typo = install("Shopify Storefront", "--environment", "Prodution")
    assert typo.exit_code == 1
    line = _error_line(typo)
    assert "--environment 'Prodution'" in line
    assert "no environment 'Prodution' (by id or name)" in line
    assert "Production (" in line  # what there is
    unknown = install("Shopify Storfront", "--environment", "Production")
    assert unknown.exit_code == 1
    assert "PACK 'Shopify Storfront'" in _error_line(unknown)
    named = install("Shopify Storefront", "--environment", "Production", "--name", "Mine")
    assert named.exit_code == 1
    assert "single-install pack: no --name" in _error_line(named)
    assert _objects(service, SUB) == before  # nothing half-made

    done = install("Shopify Storefront", "--environment", "Production")  # both by name
    assert done.exit_code == 0, done.output
    instance = json.loads(done.stdout)["id"]
    again = install("Shopify Storefront", "--environment", "Production")
    assert again.exit_code == 1
    assert f"already installed as instance {instance}" in _error_line(again)
    assert invoke("ipack", "uninstall", instance, "--sub-account", SUB).exit_code == 0
    assert _objects(service, SUB) == before

    # The attachment fails after the instance exists: the instance is uninstalled again.
    real_install = service_ipacks.install

    def install_then_fail(*args: object, **kwargs: object) -> object:
        record = real_install(*args, **kwargs)  # type: ignore[arg-type]
        service.inject("soap_fault", failures)  # the next calls: the attachment (and the undo)
        return record

    monkeypatch.setattr(service_ipacks, "install", install_then_fail)
    failures = 1
    undone = install("Salesforce to NetSuite Orders", "--environment", "Production", "--name", "Half")
    assert undone.exit_code == 1
    line = _error_line(undone)
    assert "attaching Salesforce to NetSuite Orders (instance " in line
    assert "the instance was uninstalled again, nothing is left" in line
    assert _objects(service, SUB) == before

    # The undo fails too: the message says what exists and the one command that removes it.
    failures = 2
    left = install("Salesforce to NetSuite Orders", "--environment", "Production", "--name", "Half")
    assert left.exit_code == 1
    line = _error_line(left)
    assert "is installed and attached nowhere; remove it with: boomi-soap ipack uninstall " in line
    assert _objects(service, SUB) != before
    command = line.split("remove it with: boomi-soap ")[1].split()
    assert invoke(*command).exit_code == 0
    assert _objects(service, SUB) == before


@pytest.mark.contracts("partner", why="integration packs in sub-accounts are a Partner API feature")
def test_list_commands_are_tables_on_a_terminal_and_lines_when_piped(service: LocalService, tmp_path: Path) -> None:
    # Issue 26: `ipack installed` and the other lists were JSON or bare lines only, never a table.
    from tests.boomi_soap.cli.test_commands import _on_a_terminal, fetch_env

    invoke = _invoker(service, tmp_path)  # fetches the Partner contract into tmp_path / "cli-cache"
    env = {**fetch_env(service), "BOOMI_SOAP_COMPILED_DIR": compiled()}
    where = ["--sub-account", SUB, "--cache-dir", str(tmp_path / "cli-cache")]
    piped = invoke("ipack", "available", "--sub-account", SUB)
    assert piped.exit_code == 0, piped.output
    names = {line.split("  ")[1] for line in piped.stdout.splitlines()}  # id  name  type, as before
    assert "Shopify Storefront" in names
    _, shown = _on_a_terminal(["-q", "ipack", "available", *where], env)  # stdout on the terminal too
    lines = [line.strip() for line in shown.splitlines() if line.strip()]
    assert lines[0] == f"{SUB}: IntegrationPack", lines
    assert lines[-1].startswith(f"{len(names)} results"), lines
    assert all(any(name in line for line in lines) for name in names), shown
    assert any("installationType" in line for line in lines), shown  # the header row
    _, shown = _on_a_terminal(["-q", "ipack", "environments", *where], env)
    assert "Production" in shown
    assert shown.strip().splitlines()[-1].strip().startswith("3 results"), shown
