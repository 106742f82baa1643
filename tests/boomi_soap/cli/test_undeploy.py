"""``boomi-soap undeploy``: the active deployment of a process in an environment, checked, then removed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from boomi_soap.platform import deploy as d
from tests.boomi_soap.cli.test_runs import _invoker
from tests.boomi_soap.conftest import Connect

PROCESS = "Orders - Shopify to SAP"


@pytest.mark.contracts(
    "split", "partner", why="the CLI adds nothing per layout; the library's tests cover every layout"
)
def test_undeploy_by_name_then_by_id(connect: Connect, tmp_path: Path, transport: str) -> None:
    service, client = connect()
    over = _invoker(service, tmp_path)

    def invoke(*args: str) -> Result:
        return over(*args, "--transport", transport)

    envs = {str(e.name): str(e.id) for e in client.query("Environment")}
    env_name = next(n for n in envs if d.deployed_package(client, PROCESS, n) is not None)
    before = d.deployed_package(client, PROCESS, env_name)
    assert before is not None

    planned = invoke("undeploy", PROCESS, "--environment", env_name, "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.startswith(f"would undeploy deployment {before.deploymentId} (package ")
    assert planned.stderr.startswith("undeploy: endpoint ")  # where it talks
    assert d.deployed_package(client, PROCESS, env_name) is not None  # a dry run removes nothing

    done = invoke("undeploy", PROCESS, "--environment", envs[env_name], "--format", "json")
    assert done.exit_code == 0, done.output
    fields = json.loads(done.stdout)
    assert fields["deploymentId"] == before.deploymentId
    assert fields["environmentId"] == envs[env_name]
    assert fields["dry_run"] is False
    assert d.deployed_package(client, PROCESS, env_name) is None

    again = invoke("undeploy", PROCESS, "--environment", env_name)
    assert again.exit_code == 1
    assert "nothing to undeploy" in again.stderr
    assert len(again.stderr.strip().splitlines()[-1].split("\n")) == 1


@pytest.mark.contracts("split", why="lookups are the CLI's own")
def test_unknown_names_are_refused_before_any_write(connect: Connect, tmp_path: Path) -> None:
    service, client = connect()
    invoke = _invoker(service, tmp_path)
    deployed = sorted(str(p.deploymentId) for p in client.query("DeployedPackage"))
    bad = invoke("undeploy", "No Such Process", "--environment", "Production")
    assert bad.exit_code != 0
    assert "PROCESS 'No Such Process'" in bad.output
    bad_env = invoke("undeploy", PROCESS, "--environment", "No Such Environment")
    assert "--environment 'No Such Environment'" in bad_env.output
    assert sorted(str(p.deploymentId) for p in client.query("DeployedPackage")) == deployed
