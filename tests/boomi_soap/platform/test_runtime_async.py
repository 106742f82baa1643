"""The runtime helpers awaited on AsyncClient (and through the Features mixin): the sync answers, on the same store."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from boomi_soap.async_client import AsyncClient
from boomi_soap.exceptions import AsyncTimeoutError, BoomiSoapError, InvalidRequestError, NotFoundError
from boomi_soap.localservice import LocalService, actions, executions
from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS
from boomi_soap.localservice.model import Record, build_object
from boomi_soap.platform import runtime
from boomi_soap.platform.polling import Backoff
from tests.boomi_soap.conftest import CREDENTIALS, FAST, Connect
from tests.boomi_soap.platform.test_reads import FeaturedClient

T = TypeVar("T")
TWO_LAYOUTS = pytest.mark.contracts(
    "split", "partner", why="the helpers are the same steps on every layout; the sync tests cover all three"
)


def run(coroutine: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(coroutine())  # type: ignore[arg-type]


def failure(call: Callable[[], object]) -> tuple[type[BaseException], str]:
    """The error ``call`` raises, as its class and message."""
    try:
        call()
    except BoomiSoapError as exc:
        return type(exc), str(exc)
    raise AssertionError("no error")


def atom_named(service: LocalService, name: str, account: str | None = None) -> str:
    store = service.store(account) if account else service.store()
    return next(a.key for a in store.all("Atom") if a.element.get("name") == name)


def queue_counts(answer: runtime.RuntimeAnswer) -> dict[str, tuple[int, int]]:
    (listed,) = answer.results
    return {q.queueName: (q.messagesCount, q.deadLettersCount) for q in listed.QueueRecord}


@TWO_LAYOUTS
def test_async_reads_answer_as_the_sync_ones(connect: Connect) -> None:
    service, client = connect()
    atom = atom_named(service, "Production Atom")
    seeded = build_object(service.release.index, "AtomDiskSpace", {"totalSize": "21 KB", "rawTotalSize": 21931})
    service.store().put(Record("AtomDiskSpace", atom, seeded))
    disk = runtime.async_get(client, "AtomDiskSpace", atom, timeout=30, backoff=FAST)
    queues = runtime.async_get(client, "ListQueues", atom, timeout=30, backoff=FAST)
    listeners = runtime.listener_status(client, atom, timeout=30, backoff=FAST)

    async def main() -> tuple[runtime.RuntimeAnswer, runtime.RuntimeAnswer, dict[str, str], list[int]]:
        async with AsyncClient(client) as aclient:
            polled: list[int] = []
            got = await aclient.async_get("AtomDiskSpace", atom, timeout=30, backoff=FAST, on_poll=polled.append)
            listed = await aclient.async_get("ListQueues", atom, timeout=30, backoff=FAST)
            return got, listed, await aclient.listener_status(atom, timeout=30, backoff=FAST), polled

    adisk, aqueues, alisteners, polled = run(main)
    assert (adisk.status, adisk.runtime_id, adisk.polls, polled) == (200, atom, 1, [1])
    assert [(r.totalSize, r.rawTotalSize) for r in adisk.results] == [
        (r.totalSize, r.rawTotalSize) for r in disk.results
    ]
    assert queue_counts(aqueues) == queue_counts(queues)
    assert alisteners == listeners
    assert set(alisteners.values()) == {"listening"}


@TWO_LAYOUTS
def test_async_changes_do_what_the_sync_ones_do(connect: Connect) -> None:
    service, client = connect()
    atom, other = atom_named(service, "Test Molecule"), atom_named(service, "Production Atom")
    before = runtime.listener_status(client, atom, timeout=30, backoff=FAST)
    one = sorted(before)[0]
    service.seed([{"@type": "MergeRequest", "id": "TVI6NTQ5", "stage": "REVIEWING", "MergeRequestDetails": {}}])

    async def main() -> list[Any]:
        async with AsyncClient(client) as aclient:
            await aclient.change_listener_status(atom, "pause_all")
            paused = await aclient.listener_status(atom, timeout=30, backoff=FAST)
            await aclient.change_listener_status(atom, "resume", one)
            with pytest.raises(InvalidRequestError, match="needs the listener's id"):
                await aclient.change_listener_status(atom, "pause")
            moved = await aclient.move_queue(other, "orders-inbound", "invoices-retry")
            cleared = await aclient.clear_queue(other, "invoices-retry", dead_letters=True)
            restarted = await aclient.restart_runtime(other)
            with pytest.raises(NotFoundError, match="Atom with id nope does not exist"):
                await aclient.restart_runtime("nope")
            rolled = await aclient.java_rollback(other)
            merged = await aclient.merge("TVI6NTQ5")
            with pytest.raises(InvalidRequestError, match="action must be one of"):
                await aclient.merge("TVI6NTQ5", "UPDATE")
            return [paused, moved, cleared, restarted, rolled.atomId, (merged.stage, merged.previousStage)]

    paused, moved, cleared, restarted, rolled, merged = run(main)
    assert set(paused.values()) == {"paused"}
    # What the async client changed is what the sync one reads back.
    after = runtime.listener_status(client, atom, timeout=30, backoff=FAST)
    assert after[one] == "listening"
    assert {k for k, v in after.items() if v == "paused"} == set(before) - {one}
    assert (
        moved == f"Request submitted to atom id: {other} to move queue messages from orders-inbound to invoices-retry"
    )
    assert cleared == f"Request submitted to atom id: {other} to clear atom queue: invoices-retry"
    counts = queue_counts(runtime.async_get(client, "ListQueues", other, timeout=30, backoff=FAST))
    assert (counts["orders-inbound"], counts["invoices-retry"]) == ((0, 2), (12, 0))
    assert restarted.startswith(f"Restart request submitted for runtimeId `{other}`")
    assert restarted == runtime.restart_runtime(client, other)
    assert rolled == other
    assert merged == ("MERGED", "REVIEWING")


@TWO_LAYOUTS
def test_async_polls_sleep_with_the_drivers_sleep_and_time_out_alike(connect: Connect) -> None:
    service, client = connect()
    atom = atom_named(service, "Production Atom")
    actions.hold_tokens(service.store(), 2)  # the Runtime reports on the third poll

    async def main() -> runtime.RuntimeAnswer:
        async with AsyncClient(client) as aclient:
            answer = await aclient.async_get("AtomSecurityPolicies", atom, timeout=30, backoff=FAST)
            with pytest.raises(AsyncTimeoutError, match="not ready after 1 polls"):
                await aclient.async_get("AtomSecurityPolicies", atom, timeout=0.5, backoff=Backoff(1, 1, 1))
            with pytest.raises(InvalidRequestError, match="Atom is not read asynchronously"):
                await aclient.async_get("Atom", atom)
            return answer

    answer = run(main)
    assert (answer.status, answer.polls) == (200, 3)
    with pytest.raises(AsyncTimeoutError, match="not ready after 1 polls"):
        runtime.async_get(client, "AtomSecurityPolicies", atom, timeout=0.5, backoff=Backoff(1, 1, 1))


@TWO_LAYOUTS
def test_async_downloads_of_a_worker_log_and_a_connector_document(connect: Connect) -> None:
    service, client = connect()
    executions.hold_downloads(service.store(), 2)  # not ready twice: 202, 202, then the bytes
    record = {"id": "gcr-1", "executionId": "e-1", "connectorFields": {}, "trackedFields": {}, "errorMessage": ""}
    service.seed([{"@type": "GenericConnectorRecord", **record}])

    async def main() -> tuple[bytes, bytes, Any]:
        async with AsyncClient(client) as aclient:
            log = await aclient.download_worker_log("worker-1", timeout=30, backoff=FAST)
            with pytest.raises(BoomiSoapError, match="over the cap of 100"):
                await aclient.download_worker_log("worker-1", max_bytes=100, timeout=30, backoff=FAST)
            document = await aclient.download_connector_document("gcr-1", timeout=30, backoff=FAST)
            try:
                await aclient.download_connector_document("gcr-2", timeout=30, backoff=FAST)
            except BoomiSoapError as exc:
                return log, document, (type(exc), str(exc))
            raise AssertionError("an unknown record was downloaded")

    log, document, missing = run(main)
    assert log == runtime.download_worker_log(client, "worker-1", timeout=30, backoff=FAST)
    assert len(log) == 4096
    assert document == runtime.download_connector_document(client, "gcr-1", timeout=30, backoff=FAST)
    assert missing == failure(lambda: runtime.download_connector_document(client, "gcr-2", timeout=30, backoff=FAST))
    assert missing[0] is NotFoundError


@pytest.mark.contracts("partner", why="the account override exists on the Partner API only")
def test_an_async_sub_account_view_operates_the_sub_accounts_runtime(connect: Connect) -> None:
    service, client = connect()
    sub = DEFAULT_SUB_ACCOUNTS[0]
    atom = atom_named(service, "Test Molecule", sub)
    assert service.store().get("Atom", atom) is None  # the sub-account's own Atom, not the parent's

    async def main() -> tuple[int, set[str], tuple[type[BaseException], str]]:
        async with AsyncClient(client) as aclient, aclient.for_account(sub) as view:
            count = len(await view.listener_status(atom, timeout=30, backoff=FAST))
            await view.change_listener_status(atom, "pause_all")
            after = set((await view.listener_status(atom, timeout=30, backoff=FAST)).values())
            try:
                await aclient.async_get("ListQueues", atom, timeout=30, backoff=FAST)  # the parent has no such Atom
            except BoomiSoapError as exc:
                return count, after, (type(exc), str(exc))
            raise AssertionError("the parent read the sub-account's Atom")

    count, after, refused = run(main)
    assert (count, after) == (3, {"paused"})
    assert set(runtime.listener_status(client.for_account(sub), atom, timeout=30, backoff=FAST).values()) == {"paused"}
    assert refused == failure(lambda: runtime.async_get(client, "ListQueues", atom, timeout=30, backoff=FAST))
    assert f"Atom with id {atom} does not exist" in refused[1]


@pytest.mark.contracts("split", why="the mixin forwards the same on every layout")
def test_the_features_mixin_runs_the_runtime_helpers(connect: Connect) -> None:
    service, plain = connect()
    atom = atom_named(service, "Production Atom")
    with FeaturedClient(plain.snapshot, CREDENTIALS, settings=plain.settings, transport=plain.transport) as client:
        listeners = client.listener_status(atom, timeout=30, backoff=FAST)
        assert listeners == runtime.listener_status(plain, atom, timeout=30, backoff=FAST)
        client.change_listener_status(atom, "pause_all")
        assert set(client.listener_status(atom, timeout=30, backoff=FAST).values()) == {"paused"}
        assert client.async_get("ListQueues", atom, timeout=30, backoff=FAST).results
        assert client.clear_queue(atom, "orders").endswith("clear atom queue: orders")
        assert client.move_queue(atom, "orders-inbound", "invoices-retry").endswith("to invoices-retry")
        assert client.restart_runtime(atom).startswith("Restart request submitted")
        assert client.java_rollback(atom).atomId == atom
        executions.hold_downloads(service.store(), 0)
        assert len(client.download_worker_log("worker-1", timeout=30, backoff=FAST)) == 4096
