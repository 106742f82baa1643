"""AsyncClient over the RESTish API (XML and JSON): the sync REST client's requests, answers and errors."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from zeep.helpers import serialize_object

from boomi_soap.async_client import AsyncClient, fan_out
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import (
    BoomiSoapError,
    NotFoundError,
    RedirectRefusedError,
    ResponseError,
    ServiceTimeoutError,
)
from boomi_soap.localservice import (
    DEFAULT_ACCOUNT,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    LocalService,
    ServiceConfig,
    User,
)
from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS
from boomi_soap.localservice.seed import EXECUTION_RECORDS
from boomi_soap.query import F
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, Snapshot, refresh
from boomi_soap.wire.restmap import rest_root
from tests.docserver import serving
from tests.drifting import drifting_proxy

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
SETTINGS = ClientSettings(rate_limit=None)
FORMATS = ("xml", "json")
# The service's request log line: "GET /api/rest/v1/{account}/Account/... -> 200".
REQUEST_LINE = re.compile(r"^(GET|POST|PUT|DELETE) (/\S*) -> \d{3}$")

pytestmark = pytest.mark.contracts(
    "split", "partner", why="the driver does not depend on the layout; the partner WSDL adds the override"
)


def rest_client(
    snapshot: Snapshot, compiled_dir: Path, body_format: str, settings: ClientSettings = SETTINGS, **kwargs: Any
) -> Client:
    return Client(
        snapshot,
        CREDENTIALS,
        settings=settings,
        compiled_dir=compiled_dir,
        transport="rest",
        format=body_format,  # type: ignore[arg-type]
        **kwargs,
    )


def plain(value: Any) -> Any:
    """A zeep result as plain data, to compare what the two drivers read."""
    return serialize_object(value, dict)  # type: ignore[no-untyped-call]


def outcome(call: Any) -> tuple[type[BaseException], str]:
    try:
        call()
    except BoomiSoapError as exc:
        return type(exc), str(exc)
    raise AssertionError("no error raised")


async def async_outcome(call: Any) -> tuple[type[BaseException], str]:
    try:
        await call()
    except BoomiSoapError as exc:
        return type(exc), str(exc)
    raise AssertionError("no error raised")


@pytest.mark.parametrize("body_format", FORMATS)
def test_get_query_paging_and_writes_read_as_the_sync_rest_client_reads_them(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, body_format: str
) -> None:
    sync = rest_client(snapshot, compiled_dir, body_format)
    wrapped = rest_client(snapshot, compiled_dir, body_format)

    async def main() -> None:
        async with AsyncClient(wrapped) as client:
            assert plain(await client.get("Account", DEFAULT_ACCOUNT)) == plain(sync.get("Account", DEFAULT_ACCOUNT))

            results = client.query("ExecutionRecord")
            records = [plain(r) async for r in results]
            assert results.pages == 3  # queryMore followed twice, with the tokens the REST answers carried
            assert len(records) == EXECUTION_RECORDS
            assert records == [plain(r) for r in sync.query("ExecutionRecord")]
            where = F("name").like("Orders%")
            names = sorted([p.name async for p in client.query("Process", where)])
            assert len(names) == 2
            assert names == sorted(p.name for p in sync.query("Process", where))

            made = await client.create("Environment", name="QA-async-rest", classification="TEST")
            assert type(made).__name__ == "Environment"
            assert plain(sync.get("Environment", made.id)) == plain(made)
            made.name = "QA-async-rest-2"
            changed = await client.update(made)
            assert changed.name == "QA-async-rest-2"
            assert plain(sync.get("Environment", made.id)) == plain(changed)
            assert await client.delete("Environment", made.id) is True
            assert await client.delete("Environment", made.id) is sync.delete("Environment", made.id) is False

    asyncio.run(main())


@pytest.mark.parametrize("body_format", FORMATS)
def test_a_rest_error_is_the_sync_clients_exception(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, body_format: str
) -> None:
    sync = rest_client(snapshot, compiled_dir, body_format)
    unknown = "00000000-0000-0000-0000-000000000000"

    async def main() -> tuple[type[BaseException], str]:
        async with AsyncClient(rest_client(snapshot, compiled_dir, body_format)) as client:
            return await async_outcome(lambda: client.get("Environment", unknown))

    kind, message = asyncio.run(main())
    assert kind is NotFoundError
    assert (kind, message) == outcome(lambda: sync.get("Environment", unknown))


@pytest.mark.parametrize("body_format", FORMATS)
def test_only_rest_paths_reach_the_service(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, body_format: str, caplog: pytest.LogCaptureFixture
) -> None:
    wrapped = rest_client(snapshot, compiled_dir, body_format)
    root = urlsplit(rest_root(wrapped.address)).path

    async def main() -> None:
        async with AsyncClient(wrapped) as client:
            await client.get("Account", DEFAULT_ACCOUNT)
            assert len([r async for r in client.query("ExecutionRecord")]) == EXECUTION_RECORDS
            made = await client.create("Environment", name="QA-paths", classification="TEST")
            await client.update(made)
            await client.delete("Environment", made.id)
            with pytest.raises(NotFoundError):
                await client.get("Environment", made.id)

    with caplog.at_level(logging.DEBUG, logger="boomi_soap.localservice"):
        asyncio.run(main())
    lines = [r.getMessage() for r in caplog.records if r.name == "boomi_soap.localservice"]
    paths = [m.group(2) for m in map(REQUEST_LINE.match, lines) if m]
    assert len(paths) >= 8, lines  # get, 3 pages, create, update, delete, get
    assert root.endswith(f"/api/rest/v1/{DEFAULT_ACCOUNT}")
    assert all(p.startswith(root + "/") for p in paths), paths
    assert not [p for p in paths if "/api/soap/" in p]
    methods = {m.group(1) for m in map(REQUEST_LINE.match, lines) if m}
    assert {"GET", "POST", "DELETE"} <= methods


def _drift(body: bytes, kind: str) -> bytes:
    for online, restarting in (
        (b'status="ONLINE"', b'status="RESTARTING"'),
        (b'"status": "ONLINE"', b'"status": "RESTARTING"'),
        (b'"status":"ONLINE"', b'"status":"RESTARTING"'),
    ):
        body = body.replace(online, restarting)
    return body


@pytest.mark.parametrize("body_format", FORMATS)
def test_a_drifted_answer_is_read_with_the_same_deviations_on_both_drivers(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, body_format: str
) -> None:
    with drifting_proxy(service.base_url, _drift) as proxy:
        endpoint = Endpoint(DEFAULT_ACCOUNT, proxy, service.flavour)
        sync = rest_client(snapshot, compiled_dir, body_format, endpoint=endpoint)
        wrapped = rest_client(snapshot, compiled_dir, body_format, endpoint=endpoint)
        expected = [plain(a) for a in sync.query("Atom")]

        async def main() -> list[Any]:
            async with AsyncClient(wrapped) as client:
                return [plain(a) async for a in client.query("Atom")]

        read = asyncio.run(main())
    assert read == expected
    assert "RESTARTING" in {a["status"] for a in read}  # the drift reached the reader
    assert "ONLINE" not in {a["status"] for a in read}
    assert wrapped.deviations.total > 0
    assert wrapped.deviations.counts() == sync.deviations.counts()
    assert AsyncClient(wrapped).deviations is wrapped.deviations


@pytest.mark.parametrize("body_format", FORMATS)
def test_the_size_cap_holds_on_rest_as_on_the_sync_client(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, body_format: str
) -> None:
    capped = ClientSettings(rate_limit=None, max_response_bytes=2048)
    sync = rest_client(snapshot, compiled_dir, body_format, settings=capped)

    async def main() -> tuple[type[BaseException], str]:
        async with AsyncClient(rest_client(snapshot, compiled_dir, body_format, settings=capped)) as client:
            return await async_outcome(lambda: client.query("ExecutionRecord").count())

    kind, message = asyncio.run(main())
    assert kind is ResponseError
    expected_kind, expected_message = outcome(lambda: list(sync.query("ExecutionRecord")))
    assert kind is expected_kind
    assert message == expected_message


class _Redirecting(BaseHTTPRequestHandler):
    """Answers every request with a 302 to another path of the same server."""

    protocol_version = "HTTP/1.1"

    def _redirect(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(302)
        self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_DELETE = _redirect  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.mark.parametrize("body_format", FORMATS)
def test_a_redirect_is_refused_as_on_the_sync_client(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, body_format: str
) -> None:
    with serving(_Redirecting) as base_url:
        endpoint = Endpoint(DEFAULT_ACCOUNT, base_url, service.flavour)
        sync = rest_client(snapshot, compiled_dir, body_format, endpoint=endpoint)
        expected = outcome(lambda: sync.get("Account", DEFAULT_ACCOUNT))

        async def main() -> tuple[type[BaseException], str]:
            async with AsyncClient(rest_client(snapshot, compiled_dir, body_format, endpoint=endpoint)) as client:
                return await async_outcome(lambda: client.get("Account", DEFAULT_ACCOUNT))

        refused = asyncio.run(main())
    assert refused[0] is RedirectRefusedError
    assert refused == expected
    assert "/api/rest/v1/" in refused[1]


@pytest.mark.contracts("partner", why="the account override exists on the Partner API only")
@pytest.mark.parametrize("body_format", FORMATS)
def test_fan_out_over_sub_accounts_carries_the_override_over_rest(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, body_format: str, caplog: pytest.LogCaptureFixture
) -> None:
    allowed, forbidden = DEFAULT_SUB_ACCOUNTS
    sync = rest_client(snapshot, compiled_dir, body_format)
    expected_error = outcome(lambda: sync.for_account(forbidden).get("Account", forbidden))

    async def task(client: AsyncClient) -> Any:
        return plain(await client.get("Account", client.sync.sub_account))  # type: ignore[attr-defined]

    async def main() -> dict[str, Any]:
        async with AsyncClient(rest_client(snapshot, compiled_dir, body_format)) as client:
            return await fan_out(client, [allowed, forbidden], task, progress=False)

    with caplog.at_level(logging.DEBUG, logger="boomi_soap.localservice"):
        outcomes = asyncio.run(main())
    assert outcomes[allowed].result == plain(sync.for_account(allowed).get("Account", allowed))
    error = outcomes[forbidden].error
    assert (type(error), str(error)) == expected_error
    paths = [m.group(2) for m in (REQUEST_LINE.match(r.getMessage()) for r in caplog.records) if m]
    root = urlsplit(rest_root(sync.address)).path  # the parent's REST root: the override is a query parameter
    assert sorted(paths) == sorted([f"{root}/Account/{allowed}", f"{root}/Account/{forbidden}"])


ACCOUNTS = tuple(f"fleet-{n:02d}" for n in range(3))


@pytest.mark.contracts("split", why="one account per endpoint is the platform API's fan-out")
@pytest.mark.parametrize("body_format", FORMATS)
def test_fan_out_over_accounts_calls_each_accounts_rest_root(
    tmp_path: Path, compiled_dir: Path, body_format: str, caplog: pytest.LogCaptureFixture
) -> None:
    user = User(DEFAULT_USER, password=DEFAULT_PASSWORD, accounts=frozenset(ACCOUNTS))
    with LocalService(ServiceConfig(accounts=ACCOUNTS, users=(user,), rate_limit=None)) as fleet:
        endpoint = Endpoint(ACCOUNTS[0], fleet.base_url)
        snapshot = refresh(CacheStore(tmp_path / "cache"), endpoint, CREDENTIALS).snapshot

        async def task(client: AsyncClient) -> str:
            return str((await client.get("Account", client.address.rsplit("/", 1)[1])).accountId)

        async def main() -> dict[str, Any]:
            async with AsyncClient(rest_client(snapshot, compiled_dir, body_format)) as client:
                return await fan_out(client, ACCOUNTS, task, progress=False)

        with caplog.at_level(logging.DEBUG, logger="boomi_soap.localservice"):
            outcomes = asyncio.run(main())
    assert {a: o.result for a, o in outcomes.items()} == {a: a for a in ACCOUNTS}
    paths = [m.group(2) for m in (REQUEST_LINE.match(r.getMessage()) for r in caplog.records) if m]
    assert sorted(paths) == sorted(f"/api/rest/v1/{a}/Account/{a}" for a in ACCOUNTS)


class _Dripping(BaseHTTPRequestHandler):
    """Answers 200 and then a byte at a time, slower than any total deadline a test sets."""

    protocol_version = "HTTP/1.1"

    def _drip(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(100):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)

    do_GET = do_POST = do_PUT = do_DELETE = _drip  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.mark.parametrize("body_format", FORMATS)
def test_the_total_deadline_holds_on_rest_as_on_the_sync_client(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, body_format: str
) -> None:
    bounded = ClientSettings(rate_limit=None, total_timeout=0.5, read_timeout=30)
    with serving(_Dripping) as base_url:
        endpoint = Endpoint(DEFAULT_ACCOUNT, base_url, service.flavour)
        sync = rest_client(snapshot, compiled_dir, body_format, settings=bounded, endpoint=endpoint)
        expected = outcome(lambda: sync.get("Account", DEFAULT_ACCOUNT))

        async def main() -> tuple[type[BaseException], str]:
            wrapped = rest_client(snapshot, compiled_dir, body_format, settings=bounded, endpoint=endpoint)
            async with AsyncClient(wrapped) as client:
                return await async_outcome(lambda: client.get("Account", DEFAULT_ACCOUNT))

        cut = asyncio.run(main())
    assert cut[0] is ServiceTimeoutError
    assert cut == expected
    assert "/api/rest/v1/" in cut[1]


@pytest.mark.parametrize("body_format", FORMATS)
def test_a_drifted_answer_is_refused_alike_with_strict_responses(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, body_format: str
) -> None:
    strict = ClientSettings(rate_limit=None, responses="strict")
    with drifting_proxy(service.base_url, _drift) as proxy:
        endpoint = Endpoint(DEFAULT_ACCOUNT, proxy, service.flavour)
        sync = rest_client(snapshot, compiled_dir, body_format, settings=strict, endpoint=endpoint)
        expected = outcome(lambda: list(sync.query("Atom")))

        async def main() -> tuple[type[BaseException], str]:
            wrapped = rest_client(snapshot, compiled_dir, body_format, settings=strict, endpoint=endpoint)
            async with AsyncClient(wrapped) as client:
                return await async_outcome(lambda: client.query("Atom").count())

        refused = asyncio.run(main())
    assert refused == expected
    assert issubclass(refused[0], ResponseError)
    assert "status" in refused[1]


@pytest.mark.contracts("partner", why="the account override exists on the Partner API only")
def test_a_sub_account_view_with_its_own_limit_is_gated_as_the_sub_account(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService
) -> None:
    allowed = DEFAULT_SUB_ACCOUNTS[0]
    parent = rest_client(snapshot, compiled_dir, "xml")
    gates = parent.driver.gates
    own = parent.for_account(allowed, per_sub_account_limit=True)

    async def main() -> str:
        async with AsyncClient(own) as client:
            return str((await client.get("Account", allowed)).accountId)

    before = service.limit_stats().accepted
    assert asyncio.run(main()) == allowed
    assert allowed in gates._gates  # its own window and budget, as on the sync client
    assert service.limit_stats().accepted == before + 1  # sent to the parent's REST root
