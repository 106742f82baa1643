"""AsyncClient against the local service: the sync client's guarantees on httpx, and the fan-out."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from boomi_soap.async_client import AsyncClient, fan_out
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import (
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RequestValidationError,
    ResponseError,
    TransportError,
)
from boomi_soap.limits.limiter import MemoryBackend
from boomi_soap.localservice import (
    DEFAULT_ACCOUNT,
    DEFAULT_API_TOKEN,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    Injection,
    LocalService,
    ServiceConfig,
    User,
)
from boomi_soap.localservice.seed import EXECUTION_RECORDS, PROCESS_NAMES
from boomi_soap.query import F
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.snapshot.cache import CacheStore, Snapshot, refresh

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
FAST = ClientSettings(rate_limit=None, retry=RetryPolicy(max_retries=3, backoff=0.01, max_backoff=0.05))


def make(snapshot: Snapshot, compiled_dir: Path, settings: ClientSettings = FAST, **kwargs: object) -> AsyncClient:
    return AsyncClient.build(snapshot, CREDENTIALS, settings=settings, compiled_dir=compiled_dir, **kwargs)  # type: ignore[arg-type]


def test_operations_typed_results_and_paging(snapshot: Snapshot, compiled_dir: Path, service: LocalService) -> None:
    async def main() -> None:
        async with make(snapshot, compiled_dir) as client:
            account = await client.get("Account", DEFAULT_ACCOUNT)
            assert type(account).__name__ == "Account"
            pages: list[tuple[int, int]] = []
            results = client.query("ExecutionRecord", on_page=lambda p, n: pages.append((p, n)))
            ids = [record.executionId async for record in results]
            assert len(ids) == len(set(ids)) == EXECUTION_RECORDS
            assert results.pages == 3
            assert pages[-1] == (3, EXECUTION_RECORDS)
            assert await client.query("Process", F("name").like("Orders%")).count() == 2
            env = await client.create("Environment", name="QA-async", classification="TEST")
            assert type(env).__name__ == "Environment"
            assert await client.delete("Environment", env.id) is True
            atom = next(a.key for a in service.store().all("Atom") if a.element.get("status") == "ONLINE")
            await client.execute_process(atom, process_name=PROCESS_NAMES[0])
            assert await client.call("getAssignableRoles") is not None

    asyncio.run(main())


def test_invalid_requests_are_refused_before_sending(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService
) -> None:
    async def main() -> None:
        async with make(snapshot, compiled_dir) as client:
            with pytest.raises(RequestValidationError) as refused:
                await client.create("Environment", name="x", classification="NOPE")
            assert "classification" in str(refused.value)
            with pytest.raises(InvalidRequestError, match="bad arguments"):
                await client.call("get", objectType="Account", nonsense=1)

    asyncio.run(main())
    assert service.limit_stats().accepted == 0


def test_faults_retries_and_at_most_once(snapshot: Snapshot, compiled_dir: Path, service: LocalService) -> None:
    async def main() -> None:
        async with make(snapshot, compiled_dir) as client:
            with pytest.raises(NotFoundError):
                await client.get("Process", "no-such-process")
            service.inject(Injection.HTTP_503, times=2)
            assert await client.get("Account", DEFAULT_ACCOUNT) is not None  # retried
            service.inject(Injection.HTTP_503, times=10)
            with pytest.raises(RateLimitedError):
                await client.get("Account", DEFAULT_ACCOUNT)
            service.injections.reset()
            service.inject(Injection.TRUNCATED)
            assert await client.get("Account", DEFAULT_ACCOUNT) is not None  # a read is retried
            service.inject(Injection.DROP_BEFORE)
            assert await client.get("Account", DEFAULT_ACCOUNT) is not None
            service.inject(Injection.NOT_XML)
            with pytest.raises(ResponseError):
                await client.get("Account", DEFAULT_ACCOUNT)
            service.inject(Injection.HTML_ERROR)
            with pytest.raises(ResponseError):
                await client.get("Account", DEFAULT_ACCOUNT)
            service.inject(Injection.DROP_AFTER)
            with pytest.raises(TransportError) as dropped:
                await client.create("Environment", name="once", classification="TEST")
            assert dropped.value.sent is None
            assert dropped.value.attempts == 1  # not sent again
            service.inject(Injection.TRUNCATED)
            with pytest.raises(ResponseError) as truncated:
                await client.create("Environment", name="twice?", classification="TEST")
            assert truncated.value.attempts == 1

    asyncio.run(main())
    names = [e.element.get("name") for e in service.store().all("Environment")]
    assert names.count("once") == 1
    assert names.count("twice?") == 1


def test_debug_logs_are_redacted(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> None:
        async with make(snapshot, compiled_dir) as client:
            await client.get("Account", DEFAULT_ACCOUNT)

    with caplog.at_level(logging.DEBUG, logger="boomi_soap.client"):
        asyncio.run(main())
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "getRequest" in text or "get request" in text
    assert DEFAULT_PASSWORD not in text
    assert "***" in text


def test_tasks_share_the_rate_limit(tmp_path: Path, compiled_dir: Path) -> None:
    rate = 50
    with LocalService(ServiceConfig(rate_limit=rate)) as service:
        snapshot = refresh(
            CacheStore(tmp_path / "cache"), Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour), CREDENTIALS
        ).snapshot
        settings = ClientSettings(rate_limit=rate, retry=RetryPolicy(max_retries=8, backoff=0.05))

        async def main() -> list[BaseException | object]:
            async with make(snapshot, compiled_dir, settings) as client:
                return await asyncio.gather(
                    *(client.get("Account", DEFAULT_ACCOUNT) for _ in range(120)), return_exceptions=True
                )

        results = asyncio.run(main())
        stats = service.limit_stats()
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert stats.accepted == 120
    assert stats.max_in_window <= rate
    assert stats.rate_limited <= 12


ACCOUNTS = tuple(f"fleet-{n:02d}" for n in range(6))


@pytest.fixture
def fleet() -> Iterator[LocalService]:
    user = User(DEFAULT_USER, password=DEFAULT_PASSWORD, api_token=DEFAULT_API_TOKEN, accounts=frozenset(ACCOUNTS))
    with LocalService(ServiceConfig(accounts=(*ACCOUNTS, "not-yours"), users=(user,), rate_limit=20)) as running:
        yield running


def test_fan_out_holds_each_account_to_its_limit(fleet: LocalService, tmp_path: Path, compiled_dir: Path) -> None:
    snapshot = refresh(CacheStore(tmp_path / "cache"), Endpoint(ACCOUNTS[0], fleet.base_url), CREDENTIALS).snapshot
    settings = ClientSettings(rate_limit=20, limiter=MemoryBackend(), retry=RetryPolicy(max_retries=8, backoff=0.05))

    async def task(client: AsyncClient) -> int:
        account = client.address.rsplit("/", 1)[1]
        # return_exceptions: no call may still be running when fan_out closes the client
        done = await asyncio.gather(*(client.get("Account", account) for _ in range(30)), return_exceptions=True)
        errors = [d for d in done if isinstance(d, Exception)]
        if errors:
            raise errors[0]
        return len(done)

    async def main() -> dict[str, object]:
        async with make(snapshot, compiled_dir, settings) as client:
            return await fan_out(client, [*ACCOUNTS, "not-yours"], task, concurrency=8)  # type: ignore[return-value]

    stderr = io.StringIO()  # not a terminal: no progress
    import sys

    real, sys.stderr = sys.stderr, stderr
    try:
        outcomes = asyncio.run(main())
    finally:
        sys.stderr = real
    assert list(outcomes) == [*ACCOUNTS, "not-yours"]
    for account in ACCOUNTS:
        outcome = outcomes[account]
        assert outcome.ok, outcome.error  # type: ignore[attr-defined]
        assert outcome.result == 30  # type: ignore[attr-defined]
        stats = fleet.limit_stats(account)
        assert stats.accepted == 30
        assert stats.max_in_window <= 20
    assert isinstance(outcomes["not-yours"].error, PermissionDeniedError)  # type: ignore[attr-defined]
    assert stderr.getvalue() == ""


@pytest.mark.contracts("partner", why="the account override exists on the Partner API only")
def test_fan_out_over_sub_accounts_carries_the_override(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService
) -> None:
    from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS

    allowed, forbidden = DEFAULT_SUB_ACCOUNTS

    async def task(client: AsyncClient) -> str:
        assert client.address == service.endpoint()  # the parent's endpoint, the parent's limit
        account = await client.get("Account", client.sync.sub_account)  # type: ignore[attr-defined]
        return str(account.accountId)

    async def main() -> tuple[dict[str, object], int]:
        async with make(snapshot, compiled_dir) as client:
            outcomes = await fan_out(client, [allowed, forbidden], task, progress=False)
            view = client.for_account(allowed)
            async with view:
                environments = [e async for e in view.query("Environment")]
                before = service.limit_stats().accepted
                with pytest.raises(InvalidRequestError, match="Account delete"):
                    await view.delete("Account", allowed)
                with pytest.raises(InvalidRequestError, match="cancel from"):
                    await view.call("cancelExecution", executionId="execution-x")
                assert service.limit_stats().accepted == before  # refused before sending
            assert len(environments) == len(service.store(allowed).all("Environment"))
            return outcomes, len(environments)  # type: ignore[return-value]

    outcomes, _ = asyncio.run(main())
    assert outcomes[allowed].result == allowed  # type: ignore[attr-defined]
    assert isinstance(outcomes[forbidden].error, PermissionDeniedError)  # type: ignore[attr-defined]


@pytest.mark.contracts("split", why="the platform API has no override to carry")
def test_for_account_needs_the_partner_contract(snapshot: Snapshot, compiled_dir: Path) -> None:
    from boomi_soap.exceptions import ConfigurationError

    client = make(snapshot, compiled_dir)
    with pytest.raises(ConfigurationError, match="not the Partner API"):
        client.for_account("localsub1-D4E5F6")
    asyncio.run(client.aclose())


# -- the httpx client built from the settings: proxies, CA bundle, client certificate ----------


def test_routes_choose_a_proxy_as_requests_does(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from boomi_soap._transports.asyncio import ProxyRoutes

    for name in ("http_proxy", "https_proxy", "no_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.9:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.9:3129")
    monkeypatch.setenv("NO_PROXY", "internal.example,.corp.example")
    routes = ProxyRoutes(ClientSettings())

    def via(url: str, table: ProxyRoutes = routes) -> str | None:
        return table.proxy_for(httpx.URL(url))

    assert via("http://127.0.0.1:8080/x") is None  # plain-http loopback: never the environment's proxy
    assert via("http://[::1]/x") is None
    assert via("http://localhost/x") is None
    assert via("https://127.0.0.1/x") == "http://127.0.0.9:3129"  # tunnelled: the proxy sees no secret
    assert via("https://api.boomi.com/x") == "http://127.0.0.9:3129"
    assert via("http://api.boomi.com/x") == "http://127.0.0.9:3128"
    assert via("https://internal.example/x") is None
    assert via("https://a.corp.example/x") is None
    explicit = ProxyRoutes(
        ClientSettings(proxies={"http": "http://127.0.0.8:1", "https://api.boomi.com": "http://h:2"})
    )
    assert via("http://127.0.0.1/x", explicit) == "http://127.0.0.8:1"  # configured: it applies
    assert via("https://api.boomi.com/x", explicit) == "http://h:2"
    assert via("https://other.example/x", explicit) == "http://127.0.0.9:3129"  # the rest from the environment
    asyncio.run(routes.aclose())
    asyncio.run(explicit.aclose())


def test_an_unreadable_ca_bundle_or_certificate_is_a_configuration_error(tmp_path: Path) -> None:
    from boomi_soap.async_client import AsyncSafeTransport
    from boomi_soap.exceptions import ConfigurationError
    from boomi_soap.limits.quota import Gates, Outage

    for settings, field in [
        (ClientSettings(ca_bundle=str(tmp_path / "missing.pem")), "ca_bundle"),
        (ClientSettings(client_cert=str(tmp_path / "missing.pem")), "client_cert"),
    ]:
        with pytest.raises(ConfigurationError, match=f"ClientSettings.{field} cannot be loaded"):
            AsyncSafeTransport(settings, Gates(settings), Outage(settings))
