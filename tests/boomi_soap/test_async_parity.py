"""AsyncClient at parity with Client: the same public surface, the same features against the local service."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from boomi_soap._features import Features
from boomi_soap.async_client import AsyncClient
from boomi_soap.client import Client
from boomi_soap.exceptions import ExecutionTimeoutError, NotFoundError, PromotionError
from boomi_soap.localservice import executions
from boomi_soap.localservice.executions import MESSAGE_PROPERTY, OUTCOME_PROPERTY
from boomi_soap.platform import deploy as d
from boomi_soap.platform.runs import AsyncExecution, Execution, submit_steps
from boomi_soap.platform.steps import adrive, drive
from tests.boomi_soap.conftest import ENDLESS, FAST, Connect
from tests.boomi_soap.platform.test_components import PROCESS_XML

T = TypeVar("T")
PROCESS = "Orders - Shopify to SAP"
ATOM = "Production Atom"
ONE_LAYOUT = pytest.mark.contracts(
    "split", why="the features are the same steps on every layout; the sync tests cover the layouts"
)

# What Client has and AsyncClient does not, each with why: nothing that calls the service.
NOT_ASYNC = {
    "zeep_client": "the zeep client of the sync path; the async client's zeep proxy is its own",
    "close": "the async client closes with aclose() (and async with)",
}
# The platform forwarders client.py holds today; Features holds each with the same signature.
CLIENT_FORWARDERS = (
    "run_process", "execution", "package", "deploy", "undeploy", "promote", "bulk_get", "execution_record", "openapi",
)  # fmt: skip


def public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def test_async_client_has_every_public_method_and_property_of_client() -> None:
    # The class's methods and properties; the instance attributes (address) are read by every live test below.
    wanted = public(Client)
    missing = wanted - public(AsyncClient) - set(NOT_ASYNC)
    assert not missing, f"AsyncClient lacks {sorted(missing)}"
    assert set(NOT_ASYNC) <= public(Client), "an exception names something Client no longer has"
    for name in sorted(wanted - set(NOT_ASYNC)):
        sync, run = getattr(Client, name), getattr(AsyncClient, name)
        if inspect.iscoroutinefunction(run):  # what calls the service is awaited, with the same parameters
            same = set(inspect.signature(sync).parameters) <= set(inspect.signature(run).parameters)
            assert same, f"AsyncClient.{name}{inspect.signature(run)} lacks parameters of Client.{name}"


def test_the_features_mixin_holds_every_platform_forwarder_of_client() -> None:
    for name in CLIENT_FORWARDERS:
        assert name in public(Features), f"Features lacks {name}"
        if name in vars(Client):  # until Client inherits Features, its own copy must match the mixin's
            assert inspect.signature(getattr(Features, name)) == inspect.signature(getattr(Client, name)), name


def test_every_feature_of_client_is_awaited_on_async_client_with_its_parameters() -> None:
    for name in sorted(public(Features)):
        sync, run = getattr(Features, name), getattr(AsyncClient, name, None)
        assert run is not None, f"AsyncClient lacks {name}"
        if name == "execution":  # the follower is made at once; its wait(), cancel() ... are awaited
            assert not inspect.iscoroutinefunction(run)
        else:
            assert inspect.iscoroutinefunction(run), f"AsyncClient.{name} is not awaited"
        missing = set(inspect.signature(sync).parameters) - set(inspect.signature(run).parameters)
        assert not missing, f"AsyncClient.{name} lacks the parameters {sorted(missing)} of Client.{name}"


def run(coroutine: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(coroutine())  # type: ignore[arg-type]


@ONE_LAYOUT
def test_a_feature_on_the_wrong_driver_is_a_type_error(connect: Connect) -> None:
    _, client = connect()
    aclient = AsyncClient(client)
    with pytest.raises(TypeError, match=r"AsyncClient is an async caller; run the feature with adrive\(\)"):
        drive(aclient, submit_steps(aclient, PROCESS, ATOM))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Client is a sync caller; run the feature with drive\(\)"):
        run(lambda: adrive(client, submit_steps(client, PROCESS, ATOM)))  # type: ignore[arg-type]


@ONE_LAYOUT
def test_async_runs_complete_error_time_out_and_cancel(connect: Connect) -> None:
    service, client = connect()

    async def main() -> None:
        async with AsyncClient(client) as aclient:
            done = await aclient.run_process(PROCESS, ATOM, properties={"priority": "high"}, poll=FAST, timeout=30)
            assert isinstance(done, AsyncExecution)
            assert (done.status, done.error, done.done) == ("COMPLETE", None, True)
            assert done.record.processName == PROCESS
            assert service.store().get("ExecutionRecord", done.execution_id) is not None
            failing = {MESSAGE_PROPERTY: "Connector: 401 Unauthorized from NetSuite"}
            failed = await aclient.run_process(PROCESS, ATOM, properties=failing, poll=FAST, timeout=30)
            assert (failed.status, failed.error) == ("ERROR", "Connector: 401 Unauthorized from NetSuite")
            followed = aclient.execution(done.request_id)
            assert (await followed.wait(5)).execution_id == done.execution_id
            assert len(await done.log()) > 0

    run(main)
    _, slow = connect(ENDLESS)

    async def endless() -> None:
        async with AsyncClient(slow) as aclient:
            waiting = await aclient.run_process(PROCESS, ATOM, wait=False, poll=FAST)
            assert waiting.status == "SUBMITTED"
            slept: list[float] = []

            async def pause(seconds: float) -> None:
                slept.append(seconds)

            with pytest.raises(ExecutionTimeoutError) as caught:
                await waiting.wait(0.2, sleep=pause)
            assert caught.value.request_id == waiting.request_id
            assert slept
            assert all(s <= FAST.cap for s in slept)
            assert (await waiting.cancel()).status == "ABORTED"

    run(endless)


@ONE_LAYOUT
def test_eight_concurrent_async_runs_each_match_their_own_record(connect: Connect) -> None:
    service, client = connect()

    async def main() -> list[AsyncExecution]:
        async with AsyncClient(client) as aclient:

            async def one(n: int) -> AsyncExecution:
                marker = {OUTCOME_PROPERTY: "ERROR", MESSAGE_PROPERTY: f"run {n}"}
                return await aclient.run_process(PROCESS, ATOM, properties=marker, poll=FAST, timeout=60)

            return list(await asyncio.gather(*(one(n) for n in range(8))))

    found = run(main)
    assert len({e.execution_id for e in found}) == 8
    for n, execution in enumerate(found):
        assert execution.error == f"run {n}"
        assert execution.execution_id is not None
        assert service.store().get("ExecutionRecord", execution.execution_id) is not None


@ONE_LAYOUT
def test_async_package_deploy_promote_undeploy_extensions_and_schedules(connect: Connect) -> None:
    _, client = connect()
    process = "Invoices - NetSuite to Coupa"

    async def main() -> None:
        async with AsyncClient(client) as aclient:
            packaged = await aclient.package(process, notes="release 7")
            await aclient.deploy(str(packaged.packageId), "Development")
            promotion = await aclient.promote(process, "Development", ["Test", "Production"])
            assert promotion.changed
            assert [s.message for s in promotion.steps] == [f"deployed package {packaged.packageVersion}"] * 2
            assert not (await aclient.promote(process, "Test", "Production")).changed
            active = await aclient.deployed_package(process, "Production")
            assert active is not None
            assert await aclient.undeploy(str(active.deploymentId))
            after = await aclient.deployed_package(process, "Production")  # the previous deployment, active again
            assert after is None or after.packageId != packaged.packageId
            await aclient.update_extension_properties("Test", {"region": "eu-central-1"})
            found = {p.name: p.value for p in (await aclient.get_extensions("Test")).properties.property}
            assert found["region"] == "eu-central-1"
            await aclient.set_schedules(process, ATOM, [d.Schedule(minutes="*/5")], max_retry=3)
            assert [s.minutes for s in (await aclient.get_schedules(process, ATOM)).Schedule] == ["*/5"]
            assert (await aclient.get_schedule_status(process, ATOM)).enabled is True
            assert (await aclient.set_schedule_status(process, ATOM, enabled=False)).enabled is False
            assert (
                client.get("ProcessScheduleStatus", (await aclient.get_schedule_status(process, ATOM)).id).enabled
                is False
            )
            await aclient.clear_schedules(process, ATOM)
            assert (await aclient.get_schedules(process, ATOM)).Schedule == []
            with pytest.raises(NotFoundError, match="no schedules"):
                await aclient.get_schedules(process, "Dev Atom")

    run(main)
    # What the async client did is what the sync one reads.
    assert d.deployed_package(client, process, "Test") is not None


@ONE_LAYOUT
def test_an_async_promotion_that_fails_half_way_undoes_its_deployments(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    from boomi_soap.localservice import deployments as service_deployments

    _, client = connect()
    process = "Invoices - NetSuite to Coupa"
    packaged = client.package(process)
    client.deploy(str(packaged.packageId), "Development")
    before = sorted((str(p.environmentId), str(p.packageId), str(p.active)) for p in client.query("DeployedPackage"))
    real = service_deployments.create_deployed_package
    made: list[object] = []

    def second_refused(*args: object, **kwargs: object) -> object:
        if made:
            raise service_deployments.ApiFault(service_deployments.FaultCode.INVALID_REQUEST, "frozen")
        made.append(real(*args, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(service_deployments, "create_deployed_package", second_refused)

    async def main() -> None:
        async with AsyncClient(client) as aclient:
            with pytest.raises(PromotionError, match="to Production failed") as caught:
                await aclient.promote(process, "Development", ["Test", "Production"])
            assert len(caught.value.rolled_back) == 1

    run(main)
    after = sorted((str(p.environmentId), str(p.packageId), str(p.active)) for p in client.query("DeployedPackage"))
    assert after == before  # the deployment to Test was undone: nothing half-deployed


@ONE_LAYOUT
def test_async_downloads_poll_with_asyncio_sleep(connect: Connect) -> None:
    service, client = connect(log_bytes=300)
    execution = client.run_process(PROCESS, ATOM, poll=FAST, timeout=30)
    assert isinstance(execution, Execution)
    assert execution.execution_id is not None
    executions.hold_downloads(service.store(), 2)

    async def main() -> tuple[bytes, bytes]:
        async with AsyncClient(client) as aclient:
            log = await aclient.download_log(execution_id=execution.execution_id, backoff=FAST)
            artifacts = await aclient.download_artifacts(str(execution.execution_id), backoff=FAST)
            return log, artifacts

    log, artifacts = run(main)
    assert len(log) == 300
    assert artifacts.startswith(b"PK")


@ONE_LAYOUT
def test_async_component_xml_round_trips_byte_for_byte(connect: Connect) -> None:
    _, client = connect()

    async def main() -> None:
        async with AsyncClient(client) as aclient:
            component_id, stored = await aclient.create_component_xml(
                name="Orders flow", component_type="process", xml=PROCESS_XML
            )
            assert stored == PROCESS_XML
            assert await aclient.get_component_xml(component_id) == PROCESS_XML
            changed = PROCESS_XML.replace(b"kept: a comment", b"changed: still a comment")
            assert await aclient.update_component_xml(component_id, changed) == changed

    run(main)
