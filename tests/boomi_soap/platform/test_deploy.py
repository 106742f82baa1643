"""Package, deploy, promote; extensions and schedules, against the local service on every layout."""

from __future__ import annotations

import uuid

import pytest

from boomi_soap.client import Client
from boomi_soap.exceptions import InvalidRequestError, NotFoundError
from boomi_soap.platform import deploy as d
from boomi_soap.query import F
from tests.boomi_soap.conftest import Connect

PROCESS = "Invoices - NetSuite to Coupa"


def deployments(client: Client) -> list[tuple[str, str, str]]:
    """Every deployment of the account: (environment, package, active)."""
    return sorted((str(p.environmentId), str(p.packageId), str(p.active)) for p in client.query("DeployedPackage"))


def test_promote_dev_to_test_to_prod_then_again_then_a_failure_half_way(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client = connect()
    packaged = client.package(PROCESS, notes="release 7")
    client.deploy(str(packaged.packageId), "Development")

    to_test = client.promote(PROCESS, "Development", "Test")
    to_prod = client.promote(PROCESS, "Test", "Production")
    for promotion in (to_test, to_prod):
        assert promotion.package_id == packaged.packageId
        assert promotion.changed
        assert promotion.steps[0].deployment_id is not None
    for environment in ("Development", "Test", "Production"):
        assert d.deployed_package(client, PROCESS, environment).packageId == packaged.packageId

    again = client.promote(PROCESS, "Test", "Production")
    assert not again.changed
    assert again.steps[0].message == f"already deployed: package {packaged.packageVersion} is active"

    newer = client.package(PROCESS, version="8.0")
    client.deploy(str(newer.packageId), "Development")
    before = deployments(client)
    missing = str(uuid.uuid4())
    with pytest.raises(NotFoundError, match=missing):  # every target is checked before the first deployment
        d.promote(client, PROCESS, "Development", ["Test", missing])
    assert deployments(client) == before

    # The service refuses the second deployment: the first is undone.
    from boomi_soap.localservice import deployments as service_deployments

    real = service_deployments.create_deployed_package
    made: list[object] = []

    def second_refused(*args: object, **kwargs: object) -> object:
        if made:
            raise service_deployments.ApiFault(service_deployments.FaultCode.INVALID_REQUEST, "frozen")
        made.append(real(*args, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(service_deployments, "create_deployed_package", second_refused)
    with pytest.raises(d.PromotionError, match="to Production failed") as caught:
        d.promote(client, PROCESS, "Development", ["Test", "Production"])
    assert len(caught.value.rolled_back) == 1
    assert deployments(client) == before  # nothing half-deployed: Test runs the old package again
    assert d.deployed_package(client, PROCESS, "Test").packageId == packaged.packageId


def test_a_dry_run_changes_nothing(connect: Connect) -> None:
    _, client = connect()
    packaged = client.package(PROCESS)
    client.deploy(str(packaged.packageId), "Development")
    before = deployments(client)
    plan = client.promote(PROCESS, "Development", "Test", dry_run=True)
    assert [s.message for s in plan.steps] == [f"would deploy package {packaged.packageVersion}"]
    assert deployments(client) == before


def test_boomis_deployment_rules(connect: Connect) -> None:
    _, client = connect()
    with pytest.raises(NotFoundError, match="PackagedComponent with id nope does not exist"):
        client.deploy("nope", "Test")
    packaged = client.package(PROCESS, version="1.5")
    with pytest.raises(InvalidRequestError, match=r"Package version 1\.5 already exists"):
        client.package(PROCESS, version="1.5")
    first = client.deploy(str(packaged.packageId), "Development")
    with pytest.raises(InvalidRequestError, match="already deployed to environment"):
        client.deploy(str(packaged.packageId), "Development")
    with pytest.raises(NotFoundError, match="no active deployment"):
        client.promote("Orders - Salesforce to NetSuite", "Development", "Test")  # deployed in Test only
    assert client.undeploy(str(first.deploymentId))
    assert not client.undeploy(str(first.deploymentId))
    assert list(client.query("PackagedComponent", F("componentId") == str(packaged.componentId)))


def test_extensions_round_trip(connect: Connect) -> None:
    _, client = connect()
    before = d.get_extensions(client, "Test")
    assert {p.name: p.value for p in before.properties.property} == {"region": "eu-west-1"}
    updated = d.update_extension_properties(client, "Test", {"db.url": "jdbc:x", "region": "eu-central-1"})
    expected = {"region": "eu-central-1", "db.url": "jdbc:x"}
    assert {p.name: p.value for p in updated.properties.property} == expected
    again = d.get_extensions(client, "Test")
    assert {p.name: p.value for p in again.properties.property} == expected
    assert again.partial is None  # a partial update is merged, not stored as partial
    client.update(again)  # what a get read goes back unchanged
    assert {p.name: p.value for p in d.get_extensions(client, "Test").properties.property} == expected


def test_schedules_round_trip(connect: Connect) -> None:
    _, client = connect()
    assert d.get_schedules(client, PROCESS, "Production Atom").Schedule == []
    every_five = d.Schedule(minutes="*/5", hours="8-18", days_of_week="2-6")
    d.set_schedules(client, PROCESS, "Production Atom", [every_five, d.Schedule()], max_retry=3)
    got = d.get_schedules(client, PROCESS, "Production Atom")
    assert [(s.minutes, s.hours, s.daysOfWeek) for s in got.Schedule] == [("*/5", "8-18", "2-6"), ("0", "*", "*")]
    assert got.Retry.maxRetry == 3
    d.clear_schedules(client, PROCESS, "Production Atom")
    cleared = d.get_schedules(client, PROCESS, "Production Atom")
    assert cleared.Schedule == []
    assert cleared.Retry.maxRetry == 3  # clearing the schedules keeps the retry policy
    with pytest.raises(NotFoundError, match="no schedules"):
        d.get_schedules(client, PROCESS, "Dev Atom")


# Fields Boomi assigns itself, and sections a partial update leaves alone: a writer that sent
# them would be sending placeholders (contract/ORIGIN.rst, "Corrections from Boomi's own examples").
PLACEHOLDERS = {
    "PackagedComponent": ("branchName", "componentType", "createdBy", "createdDate", "packageId", "packageVersion"),
    "ExecutionRequest": ("ProcessProperties", "DynamicProcessProperties"),
    "EnvironmentExtensions": ("connections", "crossReferences", "operations", "PGPCertificates", "tradingPartners"),
}


def test_helpers_send_no_placeholder_value(connect: Connect) -> None:
    """What package, deploy, run_process and extensions put on the wire: only what the caller decided."""
    _, client = connect()
    sent: list[bytes] = []
    session = client.driver.session
    session.hooks["response"].append(lambda response, *args, **kwargs: sent.append(response.request.body or b""))

    def last(kind: str) -> bytes:
        bodies = [b for b in sent if kind.encode() in b]
        assert bodies, f"no {kind} request was sent"
        return bodies[-1]

    packaged = client.package(PROCESS, notes="wire")
    body = last("PackagedComponent")
    assert [f for f in PLACEHOLDERS["PackagedComponent"] if f.encode() in body] == []
    assert packaged.packageId  # the service filled it in
    assert packaged.createdBy
    client.deploy(str(packaged.packageId), "Development")
    assert b"deployedBy" not in last("DeployedPackage")
    client.run_process(PROCESS, "Production Atom", wait=False)
    assert [f for f in PLACEHOLDERS["ExecutionRequest"] if f.encode() in last("ExecutionRequest")] == []
    d.update_extension_properties(client, "Test", {"region": "eu-central-1"})
    body = last("EnvironmentExtensions")
    assert b"region" in body
    assert [f for f in PLACEHOLDERS["EnvironmentExtensions"] if f.encode() in body] == []


def test_package_and_deploy_checks_before_it_writes(connect: Connect) -> None:
    _, client = connect()

    def packages() -> list[str]:
        return sorted(str(p.packageId) for p in client.query("PackagedComponent"))

    before = packages()
    with pytest.raises(NotFoundError):
        d.package_and_deploy(client, PROCESS, str(uuid.uuid4()), version="9.0")  # a mistyped environment id
    assert packages() == before  # no package 9.0 to refuse the retry
    packaged, deployed = d.package_and_deploy(client, PROCESS, "Development", version="9.0")
    assert str(packaged.packageVersion) == "9.0"
    assert str(deployed.packageId) == str(packaged.packageId)
    with pytest.raises(InvalidRequestError, match=r"already has package version 9\.0"):
        d.package_and_deploy(client, PROCESS, "Test", version="9.0")
    assert len(packages()) == len(before) + 1
