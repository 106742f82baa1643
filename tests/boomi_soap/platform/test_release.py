"""Releasing several components in the order their references require, cycles reported, all or nothing."""

from __future__ import annotations

import pytest

from boomi_soap.client import Client
from boomi_soap.exceptions import RolloutError
from boomi_soap.localservice import LocalService
from boomi_soap.localservice.injection import Injection
from boomi_soap.platform import deploy as d
from boomi_soap.platform import release as rel
from tests.boomi_soap.conftest import Connect


def _processes(client: Client) -> list[str]:
    return sorted(str(p.id) for p in client.query("Process"))[:4]


def _refer(service: LocalService, *pairs: tuple[str, str]) -> None:
    """Seed ComponentReference: each (parent, child) says the parent references the child."""
    children: dict[str, list[str]] = {}
    for parent, child in pairs:
        children.setdefault(child, []).append(parent)
    service.seed([
        {"@type": "ComponentReference", "references": [
            {"parentComponentId": p, "parentVersion": 1, "componentId": child, "type": "DEPENDENT"} for p in parents]}
        for child, parents in children.items()
    ])  # fmt: skip


def test_the_referenced_go_first_also_through_components_not_released(connect: Connect) -> None:
    service, client = connect()
    a, x, b, c = _processes(client)
    _refer(service, (a, x), (x, b))  # a references x, x references b: b before a, though x stays out
    assert rel.parents(client, b) == (x,)
    assert rel.parents(client, c) == ()  # no references at all

    before = len(list(client.query("PackagedComponent")))
    plan = rel.plan_release(client, [a, c, b], "Production")
    assert plan.order == (c, b, a)  # c and b have no order between them: as given, after a is moved
    assert dict((s.component_id, s.after) for s in plan.steps)[a] == (b,)
    assert len(list(client.query("PackagedComponent"))) == before  # planning writes nothing

    seen: list[str] = []
    done = rel.release(client, plan, notes="release 7", on_step=seen.append)
    assert [s.split()[4] for s in seen] == [c, b, a]
    assert done.order == (c, b, a)
    for step in done.steps:
        active = d.deployed_package(client, step.component_id, "Production")
        assert active is not None
        assert str(active.deploymentId) == step.deployment_id


@pytest.mark.contracts("split", why="the order is computed from answers every layout gives alike")
def test_a_cycle_is_reported_with_its_path_before_anything_is_written(connect: Connect) -> None:
    service, client = connect()
    a, x, b, _ = _processes(client)
    _refer(service, (a, x), (x, b), (b, a))
    before = len(list(client.query("PackagedComponent")))
    with pytest.raises(RolloutError, match=rf"references form a cycle: {a} -> {x} -> {b} -> {a} .*nothing written"):
        rel.plan_release(client, [a, b], "Production")
    assert len(list(client.query("PackagedComponent"))) == before


def test_a_failure_half_way_removes_what_the_release_made(connect: Connect) -> None:
    service, client = connect()
    a, b, c, _ = _processes(client)
    _refer(service, (b, a), (c, b))
    plan = rel.plan_release(client, [c, b, a], "Production")
    assert plan.order == (a, b, c)
    deployments = {str(p.deploymentId) for p in client.query("DeployedPackage")}
    packages = {str(p.packageId) for p in client.query("PackagedComponent")}

    def fail_the_third(step: str) -> None:
        if c in step:
            service.inject(Injection.SOAP_FAULT)

    with pytest.raises(RolloutError, match=rf"step 'package and deploy component {c} .*removed the 2 deployment"):
        rel.release(client, plan, on_step=fail_the_third)
    assert {str(p.deploymentId) for p in client.query("DeployedPackage")} == deployments
    assert {str(p.packageId) for p in client.query("PackagedComponent")} == packages
