"""Every injection knob of the local service, and what the client does about it.

The table below is the one in README.rst ("Faults and what the client does").
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from boomi_soap.async_client import AsyncClient
from boomi_soap.exceptions import (
    BoomiSoapError,
    QuotaExceededError,
    RateLimitedError,
    ResponseError,
    ServerError,
    ServiceTimeoutError,
    TransportError,
)
from boomi_soap.localservice import DEFAULT_ACCOUNT, Injection, LocalService
from tests.reliability.conftest import Evidence, client_for, sentinel_config

# fault, operation, outcome: None = recovered (the call returns), else the error raised
TABLE: list[tuple[str, str, type[BoomiSoapError] | None]] = [
    ("503 burst (3)", "get", None),
    ("503 burst (3)", "create", None),
    ("503 beyond the retries", "get", RateLimitedError),
    ("drop before reading", "get", None),
    ("drop before reading", "create", TransportError),
    ("drop after processing", "get", None),
    ("drop after processing", "create", TransportError),
    ("truncated body", "get", None),
    ("truncated body", "create", ResponseError),
    ("non-XML body", "get", ResponseError),
    ("non-XML body", "create", ResponseError),
    ("HTML error page", "get", ResponseError),
    ("SOAP Fault", "get", ServerError),
    ("latency past the timeout", "get", ServiceTimeoutError),
    ("latency past the timeout", "create", ServiceTimeoutError),
]
KNOBS = {
    "503 burst (3)": (Injection.HTTP_503, 3),
    "503 beyond the retries": (Injection.HTTP_503, 10),
    "drop before reading": (Injection.DROP_BEFORE, 1),
    "drop after processing": (Injection.DROP_AFTER, 1),
    "truncated body": (Injection.TRUNCATED, 1),
    "non-XML body": (Injection.NOT_XML, 1),
    "HTML error page": (Injection.HTML_ERROR, 1),
    "SOAP Fault": (Injection.SOAP_FAULT, 1),
}


@pytest.mark.parametrize("driver", ["sync", "async"])
@pytest.mark.parametrize(("fault", "operation", "outcome"), TABLE, ids=lambda v: getattr(v, "__name__", str(v)))
def test_fault_outcome(
    service: LocalService,
    workdir: Path,
    evidence: Evidence,
    fault: str,
    operation: str,
    outcome: type[BoomiSoapError] | None,
    driver: str,
) -> None:
    """The same outcome on both drivers: the async client is held to the sync one's table."""
    if fault == "latency past the timeout":
        client = client_for(service, workdir, read_timeout=0.3)
        service.injections.latency = 0.6
    else:
        client = client_for(service, workdir)
        kind, times = KNOBS[fault]
        service.inject(kind, times)
    environments = service.store().count("Environment")

    def call() -> object:
        if driver == "async":
            return asyncio.run(call_async())
        if operation == "get":
            return client.get("Account", DEFAULT_ACCOUNT)
        return client.create("Environment", name=f"fault {fault}", classification="TEST")

    async def call_async() -> object:
        async with AsyncClient(client) as twin:
            if operation == "get":
                return await twin.get("Account", DEFAULT_ACCOUNT)
            return await twin.create("Environment", name=f"fault {fault}", classification="TEST")

    if outcome is None:
        result = call()
        assert result is not None
        if operation == "create":
            assert service.store().count("Environment") == environments + 1
        return
    with pytest.raises(outcome) as caught:
        call()
    evidence.error(caught.value)
    assert type(caught.value) is outcome or (outcome is TransportError and isinstance(caught.value, TransportError))
    if operation == "create" and fault in ("drop before reading", "503 beyond the retries", "SOAP Fault"):
        assert service.store().count("Environment") == environments
    if operation == "create" and isinstance(caught.value, TransportError) and fault != "drop before reading":
        assert caught.value.sent is None  # it may have run: reported as unknown, never retried


def test_quota_exhausted_is_not_retried(workdir: Path, evidence: Evidence, contract: str) -> None:
    with LocalService(sentinel_config(daily_quota=2, contract=contract)) as service:
        client = client_for(service, workdir)
        client.get("Account", DEFAULT_ACCOUNT)
        client.get("Account", DEFAULT_ACCOUNT)
        with pytest.raises(QuotaExceededError) as caught:
            client.get("Account", DEFAULT_ACCOUNT)
        evidence.error(caught.value)
        assert caught.value.attempts == 1
        assert service.limit_stats().quota_exceeded == 1
