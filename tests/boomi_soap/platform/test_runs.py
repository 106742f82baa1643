"""Process runs against the local service, on every contract layout."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from boomi_soap.localservice.executions import MESSAGE_PROPERTY, OUTCOME_PROPERTY
from boomi_soap.platform.polling import Backoff
from boomi_soap.platform.runs import (
    Execution,
    ExecutionId,
    ExecutionTimeoutError,
    IdMixupError,
    RequestId,
    attach,
    resolve_id,
    run_process,
)
from tests.boomi_soap.conftest import ENDLESS, FAST, Connect

PROCESS = "Orders - Shopify to SAP"
ATOM = "Production Atom"


def test_a_run_that_completes(connect: Connect) -> None:
    service, client = connect()
    execution = client.run_process(PROCESS, ATOM, properties={"priority": "high"}, poll=FAST, timeout=30)
    assert execution.status == "COMPLETE"
    assert execution.done
    assert isinstance(execution.request_id, RequestId)
    assert isinstance(execution.execution_id, ExecutionId)
    assert execution.error is None
    assert execution.started is not None
    assert execution.ended is not None
    assert execution.ended >= execution.started
    assert execution.record.processName == PROCESS
    stored = service.store().get("ExecutionRecord", execution.execution_id)
    assert stored is not None


def test_a_run_that_errors_surfaces_its_error_text(connect: Connect) -> None:
    _, client = connect()
    failing = {MESSAGE_PROPERTY: "Connector: 401 Unauthorized from NetSuite"}
    execution = client.run_process(PROCESS, ATOM, properties=failing, poll=FAST, timeout=30)
    assert execution.status == "ERROR"
    assert execution.error == "Connector: 401 Unauthorized from NetSuite"


def test_a_cancelled_run_ends_aborted(connect: Connect) -> None:
    _, client = connect(ENDLESS)
    execution = client.run_process(PROCESS, ATOM, wait=False, poll=FAST)
    assert execution.status == "SUBMITTED"
    execution.cancel()
    assert execution.status == "ABORTED"
    assert execution.error == "Execution cancelled by request"
    assert execution.wait(5).status == "ABORTED"  # finished: no more progress after a cancel


def test_a_run_that_times_out_keeps_its_ids(connect: Connect) -> None:
    _, client = connect(ENDLESS)
    with pytest.raises(ExecutionTimeoutError) as caught:
        client.run_process(PROCESS, ATOM, poll=FAST, timeout=0.2)
    error = caught.value
    assert error.request_id.startswith("executionrecord-")
    assert error.execution_id is not None
    assert error.execution_id.startswith("execution-")
    assert error.status in ("ENQUEUED", "INPROCESS")
    assert error.request_id in str(error)
    # The run goes on: it can be followed again by its request id.
    again = client.execution(error.request_id).refresh()
    assert again.execution_id == error.execution_id


def test_not_recorded_yet_is_not_a_failure(connect: Connect) -> None:
    _, client = connect((30.0, 30.0, 60.0))
    execution = client.run_process(PROCESS, ATOM, wait=False, poll=FAST)
    assert execution.refresh().status == "SUBMITTED"
    assert execution.execution_id is None
    with pytest.raises(ExecutionTimeoutError) as caught:
        execution.wait(0.1)
    assert caught.value.execution_id is None
    assert caught.value.request_id == execution.request_id


def test_eight_concurrent_runs_each_match_their_own_record(connect: Connect) -> None:
    service, client = connect()

    def one(n: int) -> Execution:
        marker = {OUTCOME_PROPERTY: "ERROR", MESSAGE_PROPERTY: f"run {n}"}
        return run_process(client, PROCESS, ATOM, properties=marker, poll=FAST, timeout=60)

    with ThreadPoolExecutor(8) as pool:
        executions = list(pool.map(one, range(8)))
    assert len({e.execution_id for e in executions}) == 8
    for n, execution in enumerate(executions):
        assert execution.error == f"run {n}"
        assert execution.execution_id is not None
        stored = service.store().get("ExecutionRecord", execution.execution_id)
        assert stored is not None
        assert stored.element.findtext("{http://api.platform.boomi.com/}message") == f"run {n}"


def test_names_are_looked_up_once(connect: Connect) -> None:
    service, client = connect()
    atom = resolve_id(client, "Atom", ATOM)
    before = service.limit_stats().accepted
    assert resolve_id(client, "Atom", ATOM) == atom
    assert resolve_id(client, "Atom", atom) == atom  # an id needs no lookup
    assert service.limit_stats().accepted == before


def test_every_poll_is_a_real_call(connect: Connect) -> None:
    service, client = connect((0.0, 0.0, 0.3))
    execution = client.run_process(PROCESS, ATOM, wait=False, poll=FAST)
    before = service.limit_stats().accepted
    polls: list[str] = []
    execution.wait(30, on_progress=lambda e: polls.append(e.status))
    assert polls[-1] == "COMPLETE"
    assert service.limit_stats().accepted - before == len(polls)


def test_polls_back_off_to_a_cap() -> None:
    pauses = Backoff().intervals()
    assert [next(pauses) for _ in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    with pytest.raises(ValueError, match="factor"):
        Backoff(factor=0.5)


def test_an_execution_id_is_refused_where_a_request_id_belongs(connect: Connect) -> None:
    _, client = connect()
    execution_id = ExecutionId("execution-01234567-89ab-cdef-0123-456789abcdef-2013.05.21")
    with pytest.raises(IdMixupError, match=r"is an execution id; a request id \(executionrecord-…\) is expected"):
        client.execution(execution_id)  # type: ignore[arg-type]
    with pytest.raises(IdMixupError, match="is an execution id"):
        attach(client, "execution-01234567-89ab-cdef-0123-456789abcdef-2013.05.21")  # type: ignore[arg-type]
    with pytest.raises(IdMixupError, match="is a request id"):
        ExecutionId("executionrecord-01234567-89ab-cdef-0123-456789abcdef")
    with pytest.raises(IdMixupError, match="is not a request id"):
        RequestId("42")


def test_mypy_refuses_an_execution_id_where_a_request_id_belongs(tmp_path: Path, mypy_cache: Path) -> None:
    snippet = tmp_path / "mixup.py"
    snippet.write_text(
        textwrap.dedent(
            """
            from boomi_soap.client import Client
            from boomi_soap.platform.runs import ExecutionId


            def follow(client: Client, execution_id: ExecutionId) -> None:
                client.execution(execution_id)
            """
        )
    )
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(mypy_cache), str(snippet)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[3],
    )
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert 'incompatible type "ExecutionId"; expected "RequestId"' in checked.stdout


@pytest.mark.contracts("split", why="the record URL's poll does not depend on the layout")
@pytest.mark.parametrize("follow", ["attach", "poll_async", "async attach", "async poll_async"])
def test_a_503_on_the_record_url_is_polled_again(connect: Connect, tmp_path: Path, follow: str) -> None:
    """A 503 on a poll is a read to repeat, not "no such run" (it hit 2 of 8 parallel runs), on both drivers."""
    import asyncio

    from boomi_soap.async_client import AsyncClient
    from boomi_soap.client import Client
    from boomi_soap.platform.polling import poll_async
    from tests.boomi_soap.conftest import CREDENTIALS
    from tests.scripted import gateway, scripted

    service, client = connect()
    run = client.run_process("Orders - Shopify to SAP", "Production Atom", wait=False)
    polls = lambda r, n: "/ExecutionRecord/async/" in r.path and n < 2  # noqa: E731 - the first two polls fail
    with scripted(gateway(service.base_url, polls)) as front:
        through = Client(
            client.snapshot, CREDENTIALS, endpoint=front.base_url + client.address.removeprefix(service.base_url),
            settings=client.settings, compiled_dir=tmp_path / "front", transport=client.transport,
        )  # fmt: skip
        url = front.base_url + run.record_url.removeprefix(service.base_url)
        if follow == "attach":
            done = attach(through, run.request_id, record_url=url)
            done.poll = FAST
            assert done.wait(30).execution_id is not None
        elif follow == "poll_async":
            assert poll_async(through, url, timeout=30, backoff=FAST).status == 200
        else:

            async def main() -> bool:
                async with AsyncClient(through) as aclient:
                    if follow == "async attach":
                        followed = aclient.execution(run.request_id, record_url=url)
                        followed.poll = FAST
                        return (await followed.wait(30)).execution_id is not None
                    return (await aclient.poll_async(url, timeout=30, backoff=FAST)).status == 200

            assert asyncio.run(main())
    assert len([r for r in front.received if "/ExecutionRecord/async/" in r.path]) >= 3
