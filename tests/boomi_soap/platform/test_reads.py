"""The REST-only reads as platform steps: bulk GET, ExecutionRecord/async, openapi.json, sync and async alike.

The answers and errors are those of the old REST-transport functions (their tests in
``tests/boomi_soap/_transports/test_rest.py`` ask the same questions of ``Client``); here
they are asked of the platform functions, of the ``Features`` mixin on a real client, and
of :class:`AsyncClient`, against the local service, and the sync and async answers are
compared on the same store.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, TypeVar

import pytest

from boomi_soap._features import Features
from boomi_soap.async_client import AsyncClient
from boomi_soap.client import Client
from boomi_soap.credentials import Endpoint
from boomi_soap.exceptions import BoomiSoapError, InvalidRequestError, NotFoundError
from boomi_soap.localservice import DEFAULT_ACCOUNT, Injection, LocalService
from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS
from boomi_soap.platform import bulk, reads
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.snapshot.cache import Snapshot
from boomi_soap.wire.bulk import BulkResults
from tests.boomi_soap.conftest import CREDENTIALS, Connect
from tests.scripted import Scripted, scripted

T = TypeVar("T")
ALLOWED = DEFAULT_SUB_ACCOUNTS[0]
TWO_LAYOUTS = pytest.mark.contracts(
    "split", "partner", why="the reads are the same steps on every layout; partner adds the sub-account override"
)
PARTNER = pytest.mark.contracts("partner", why="the account override exists on the Partner API only")
RETRYING = ClientSettings(rate_limit=None, retry=RetryPolicy(max_retries=3, backoff=0.01, max_backoff=0.05))


def _featured_class() -> type[Client]:
    """Client itself once it inherits Features; until then, a client whose platform methods are the mixin's."""
    if issubclass(Client, Features):
        return Client

    class FeaturedClient(Features, Client):  # type: ignore[misc]
        pass

    return FeaturedClient


FeaturedClient = _featured_class()


def featured(client: Client, *, settings: ClientSettings | None = None, **options: Any) -> Client:
    return FeaturedClient(
        client.snapshot, CREDENTIALS, settings=settings or client.settings, transport=client.transport, **options
    )


def run(coroutine: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(coroutine())  # type: ignore[arg-type]


def summary(results: BulkResults) -> list[tuple[str, int, int, str | None, str | None]]:
    """What a bulk answer says, item by item: id, index, status, the object's name, the error."""
    return [(i.id, i.index, i.status, getattr(i.value, "name", None), i.error) for i in results.items]


def outcome(call: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        return ("ok", call())
    except BoomiSoapError as exc:
        return ("error", type(exc).__name__, str(exc))


async def aoutcome(call: Callable[[], Awaitable[Any]]) -> tuple[Any, ...]:
    try:
        return ("ok", await call())
    except BoomiSoapError as exc:
        return ("error", type(exc).__name__, str(exc))


def online_atom(service: LocalService) -> str:
    return next(a.key for a in service.store().all("Atom") if a.element.get("status") == "ONLINE")


# -- bulk GET ---------------------------------------------------------------------------------


@TWO_LAYOUTS
def test_bulk_get_answers_alike_sync_async_soap_and_rest(connect: Connect) -> None:
    service, client = connect()
    known = [r.key for r in service.store().all("Environment")]
    wanted = [known[0], "environment-unknown-1", *known[1:], "environment-unknown-2"]
    before = service.limit_stats().accepted
    over_function = bulk.bulk_get(client, "Environment", wanted)
    sent = service.limit_stats().accepted - before
    assert sent == (1 if client.transport == "rest" else len(wanted))  # one bulk call, or one get per id
    with featured(client) as mixin:
        over_mixin = mixin.bulk_get("Environment", wanted)

    async def main() -> BulkResults:
        async with AsyncClient(client) as aclient:
            return await aclient.bulk_get("Environment", wanted)

    over_async = run(main)
    assert summary(over_function) == summary(over_mixin) == summary(over_async)
    assert [i.id for i in over_async.items] == wanted
    assert set(over_async.errors) == {"environment-unknown-1", "environment-unknown-2"}
    assert [i.status for i in over_async.items if i.error] == [400, 400]
    assert {type(v).__name__ for v in over_async.found.values()} == {"Environment"}


@TWO_LAYOUTS
def test_bulk_get_refuses_the_same_before_sending_sync_and_async(connect: Connect) -> None:
    service, client = connect()
    asked = (([f"e-{n}" for n in range(101)], "at most 100"), ([], "at least one id"), ("e-1", "list"))
    before = service.limit_stats().accepted
    for ids, reason in asked:
        with pytest.raises(InvalidRequestError, match=reason):
            bulk.bulk_get(client, "Environment", ids)

    async def main() -> None:
        async with AsyncClient(client) as aclient:
            for ids, reason in asked:
                with pytest.raises(InvalidRequestError, match=reason):
                    await aclient.bulk_get("Environment", ids)

    run(main)
    assert service.limit_stats().accepted == before


@pytest.mark.contracts("split", why="the service's refusal is the same on every layout")
@pytest.mark.parametrize("transport", ["rest"])
def test_a_type_without_bulk_is_the_services_refusal_sync_and_async(connect: Connect) -> None:
    _, client = connect()
    expected = outcome(lambda: bulk.bulk_get(client, "ExecutionRecord", ["x"]))
    assert expected[:2] == ("error", "InvalidRequestError")
    assert "does not support the BULK operation" in expected[2]

    async def main() -> tuple[Any, ...]:
        async with AsyncClient(client) as aclient:
            return await aoutcome(lambda: aclient.bulk_get("ExecutionRecord", ["x"]))

    assert run(main) == expected


@pytest.mark.contracts("split", why="the JSON bodies are the same on every layout")
@pytest.mark.parametrize("transport", ["rest"])
def test_a_json_client_answers_as_the_xml_one_and_is_refused_component_bulk(connect: Connect) -> None:
    service, client = connect()
    ids = [e.key for e in service.store().all("Environment")]
    with featured(client, format="json") as json_client:
        assert json_client.format == "json"
        as_json = json_client.bulk_get("Environment", [*ids, "nope"])
        with pytest.raises(InvalidRequestError, match="Component bulk takes XML only"):
            json_client.bulk_get("Component", ["x"])

        async def main() -> BulkResults:
            async with AsyncClient(json_client) as aclient:
                with pytest.raises(InvalidRequestError, match="Component bulk takes XML only"):
                    await aclient.bulk_get("Component", ["x"])
                return await aclient.bulk_get("Environment", [*ids, "nope"])

        assert summary(run(main)) == summary(as_json) == summary(bulk.bulk_get(client, "Environment", [*ids, "nope"]))
    assert list(as_json.errors) == ["nope"]


@pytest.mark.contracts("split", why="retries are the same on every layout")
@pytest.mark.parametrize("transport", ["rest"])
@pytest.mark.timeout(60)
def test_rest_reads_are_asked_again_after_a_dropped_answer(connect: Connect, caplog: pytest.LogCaptureFixture) -> None:
    service, client = connect()
    ids = [e.key for e in service.store().all("Environment")]
    with featured(client, settings=RETRYING) as retrying:
        service.inject(Injection.DROP_AFTER)
        with caplog.at_level(logging.INFO, logger="boomi_soap.client"):
            assert len(retrying.bulk_get("Environment", ids).found) == len(ids)
        assert service.injections.fired() == {Injection.DROP_AFTER: 1}
        assert re.search(r"bulk ok in \d+ ms \(2 attempts, HTTP 200\)", caplog.text)  # logged as every call is

        async def main() -> int:
            async with AsyncClient(retrying) as aclient:
                service.inject(Injection.DROP_AFTER)
                return len((await aclient.bulk_get("Environment", ids)).found)

        assert run(main) == len(ids)
        assert service.injections.fired() == {Injection.DROP_AFTER: 2}
        service.inject(Injection.DROP_AFTER)
        assert retrying.openapi()["openapi"] == "3.0.3"
    assert service.injections.fired() == {Injection.DROP_AFTER: 3}


@PARTNER
@pytest.mark.parametrize("transport", ["rest"])
def test_a_sub_account_view_bulk_reads_the_sub_account_sync_and_async(connect: Connect) -> None:
    service, client = connect()
    ids = [r.key for r in service.store(ALLOWED).all("Environment")]
    assert ids
    found = bulk.bulk_get(client.for_account(ALLOWED), "Environment", ids)
    assert list(found.found) == ids  # the sub-account's objects
    assert not found.errors
    assert set(bulk.bulk_get(client, "Environment", ids).errors) == set(ids)  # not the parent's

    async def main() -> tuple[BulkResults, BulkResults]:
        async with AsyncClient(client) as aclient, aclient.for_account(ALLOWED) as view:
            assert view.sub_account == ALLOWED
            assert aclient.sub_account is None
            return await view.bulk_get("Environment", ids), await aclient.bulk_get("Environment", ids)

    in_sub, in_parent = run(main)
    assert summary(in_sub) == summary(found)
    assert set(in_parent.errors) == set(ids)


# -- ExecutionRecord/async and openapi.json -----------------------------------------------------


@pytest.mark.contracts("split", why="the refusal is the client's, the same on every layout")
@pytest.mark.parametrize("transport", ["soap"])
def test_the_rest_only_reads_say_so_over_soap_sync_and_async(connect: Connect) -> None:
    service, client = connect()
    before = service.limit_stats().accepted
    for call in (lambda: reads.execution_record(client, "r"), lambda: reads.openapi(client)):
        with pytest.raises(InvalidRequestError, match="REST-only: build the client with transport='rest'") as refused:
            call()
        assert "\n" not in str(refused.value)

    async def main() -> None:
        async with AsyncClient(client) as aclient:
            with pytest.raises(InvalidRequestError, match="REST-only"):
                await aclient.execution_record("r")
            with pytest.raises(InvalidRequestError, match="REST-only"):
                await aclient.openapi()

    run(main)
    assert service.limit_stats().accepted == before


@TWO_LAYOUTS
@pytest.mark.parametrize("transport", ["rest"])
def test_the_openapi_description_sync_and_async(connect: Connect) -> None:
    _, client = connect()
    document = reads.openapi(client)
    assert document["openapi"] == "3.0.3"
    assert len(document["paths"]) == 334

    async def main() -> dict[str, Any]:
        async with AsyncClient(client) as aclient:
            return await aclient.openapi()

    assert json.dumps(run(main), sort_keys=True) == json.dumps(document, sort_keys=True)
    with featured(client) as mixin:
        assert mixin.openapi() == document


@TWO_LAYOUTS
@pytest.mark.parametrize("transport", ["rest"])
@pytest.mark.timeout(60)
def test_an_execution_record_is_none_until_it_exists_then_the_same_sync_and_async(connect: Connect) -> None:
    service, client = connect()
    request = client.create(
        "ExecutionRequest",
        atomId=online_atom(service),
        processId=service.store().all("Process")[0].key,
        DynamicProcessProperties={"DynamicProcessProperty": []},
        ProcessProperties={},
    )
    records = reads.execution_record(client, request.requestId)
    deadline = time.monotonic() + 30
    while records is None and time.monotonic() < deadline:  # the service's timeline makes it appear
        time.sleep(0.05)
        records = reads.execution_record(client, request.requestId)
    assert records is not None
    assert [type(r).__name__ for r in records] == ["ExecutionRecord"]

    async def main() -> tuple[tuple[Any, ...] | None, tuple[Any, ...]]:
        async with AsyncClient(client) as aclient:
            again = await aclient.execution_record(request.requestId)
            missing = await aoutcome(lambda: aclient.execution_record("executionrecord-nope"))
            return again, missing

    again, missing = run(main)
    assert again is not None
    assert [r.executionId for r in again] == [r.executionId for r in records]
    expected = outcome(lambda: reads.execution_record(client, "executionrecord-nope"))
    assert missing == expected
    assert expected[1] == NotFoundError.__name__
    assert "does not exist" in expected[2]
    with featured(client) as mixin:
        found = mixin.execution_record(request.requestId)
        assert found is not None
        assert [r.executionId for r in found] == [r.executionId for r in records]
        with pytest.raises(InvalidRequestError, match="give the request id"):
            mixin.execution_record("")


# -- how a read is asked again: a scripted REST root ------------------------------------------

OPENAPI = b'{"openapi": "3.0.3", "paths": {}}'
BUSY = b"<error><message>The Boomi server is currently unavailable or your account's rate limits have been exceeded</message></error>"
SPENT = b"<error><message>The daily quota of calls for this account has been exceeded</message></error>"


def _busy_then(answer: bytes, *, every: int) -> Callable[[BaseHTTPRequestHandler, Scripted], None]:
    """Answer 503 (the service's rate-limit body) but every ``every``-th request, which gets ``answer``."""

    def serve(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
        status, body = (200, answer) if every and len(state.received) % every == 0 else (503, BUSY)
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return serve


def _fixed(status: int, body: bytes, **headers: str) -> Callable[[BaseHTTPRequestHandler, Scripted], None]:
    def serve(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
        handler.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    return serve


def _both(client: Client, call: Callable[[Any], Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """What ``call`` gives on the sync client and on an AsyncClient around it (awaited)."""
    expected = outcome(lambda: call(client))

    async def main() -> tuple[Any, ...]:
        async with AsyncClient(client) as aclient:
            return await aoutcome(lambda: call(aclient))

    return expected, run(main)


def _scripted_client(snapshot: Snapshot, compiled_dir: Path, server: Scripted, settings: ClientSettings) -> Client:
    endpoint = Endpoint(DEFAULT_ACCOUNT, server.base_url, "platform")
    return FeaturedClient(
        snapshot, CREDENTIALS, endpoint=endpoint, settings=settings, compiled_dir=compiled_dir, transport="rest"
    )


@pytest.mark.contracts("split", why="the retry decision does not depend on the layout")
def test_a_busy_503_is_asked_again_and_a_quota_503_or_a_redirect_is_final(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService
) -> None:
    with scripted(_busy_then(OPENAPI, every=2)) as server:
        client = _scripted_client(snapshot, compiled_dir, server, RETRYING)
        sync, got = _both(client, lambda c: c.openapi())
        assert sync == got == ("ok", json.loads(OPENAPI))
        assert len(server.received) == 4  # a 503 then the answer, on each driver
        assert all(r.path == f"/api/rest/v1/{DEFAULT_ACCOUNT}/openapi.json" for r in server.received)
    with scripted(_busy_then(OPENAPI, every=0)) as server:  # busy every time: three retries, then the 503's error
        client = _scripted_client(snapshot, compiled_dir, server, RETRYING)
        sync, got = _both(client, lambda c: c.openapi())
        assert sync == got
        assert sync[0] == "error"
        assert len(server.received) == 2 * (1 + RETRYING.retry.max_retries)
    for answer in (_fixed(503, SPENT), _fixed(302, b"", Location="http://127.0.0.2/elsewhere")):
        with scripted(answer) as server:
            client = _scripted_client(snapshot, compiled_dir, server, RETRYING)
            sync, got = _both(client, lambda c: c.bulk_get("Environment", ["e-1"]))
            assert sync == got
            assert sync[0] == "error"
            assert len(server.received) == 2  # once per driver: never asked again


@pytest.mark.contracts("split", why="the retry decision does not depend on the layout")
def test_no_retry_is_made_that_the_total_timeout_leaves_no_time_for(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService
) -> None:
    settings = ClientSettings(
        rate_limit=None, total_timeout=0.3, retry=RetryPolicy(max_retries=5, backoff=0.25, max_backoff=5)
    )
    with scripted(_busy_then(OPENAPI, every=0)) as server:
        client = _scripted_client(snapshot, compiled_dir, server, settings)
        assert outcome(client.openapi)[0] == "error"
        # 0.125-0.25 s before the second attempt, 0.25-0.5 s before a third: past 0.3 s, so not made.
        assert 1 <= len(server.received) <= 2
