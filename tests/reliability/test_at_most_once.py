"""create and execute_process never run twice, whatever the network does, or a gateway in front of the service."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from boomi_soap.async_client import AsyncClient
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import BoomiSoapError, TransportError
from boomi_soap.localservice import DEFAULT_ACCOUNT, Injection, LocalService
from boomi_soap.settings import ClientSettings
from tests.reliability.conftest import FAST_RETRY, PASSWORD, USER, Evidence, client_for, snapshot_of
from tests.scripted import gateway, scripted

HAZARDS = (
    None,
    Injection.HTTP_503,
    Injection.DROP_BEFORE,
    Injection.DROP_AFTER,
    Injection.TRUNCATED,
    Injection.NOT_XML,
)


@pytest.mark.timeout(900)  # the --soak run lasts about 4 minutes
def test_create_and_execute_process_run_at_most_once(
    service: LocalService, workdir: Path, evidence: Evidence, scale: int
) -> None:
    client = client_for(service, workdir)
    store = service.store()
    atom = next(a.key for a in store.all("Atom") if a.element.get("status") == "ONLINE")
    processes = [p.key for p in store.all("Process")]
    draw = random.Random(7)
    tally = {"ok": 0, "failed-before-sending": 0, "unknown": 0}
    for round_ in range(40 * scale):
        hazard = draw.choice(HAZARDS)
        if hazard is not None:
            service.inject(hazard)
        name = f"once-{round_}"
        before = store.count("ExecutionRecord")
        try:
            if round_ % 2:
                client.create("Environment", name=name, classification="TEST")
                made = sum(1 for e in store.all("Environment") if e.element.get("name") == name)
            else:
                client.execute_process(atom, process_id=processes[round_ % len(processes)])
                made = store.count("ExecutionRecord") - before
            tally["ok"] += 1
            assert made == 1, (round_, hazard)
        except TransportError as exc:
            evidence.error(exc)
            made = (
                sum(1 for e in store.all("Environment") if e.element.get("name") == name)
                if round_ % 2
                else store.count("ExecutionRecord") - before
            )
            if exc.sent is False:
                tally["failed-before-sending"] += 1
                assert made == 0, (round_, hazard)
            else:
                tally["unknown"] += 1
                assert made in (0, 1), (round_, hazard)
        except BoomiSoapError as exc:  # a typed fault: the service refused, nothing was made twice
            evidence.error(exc)
            assert store.count("ExecutionRecord") - before in (0, 1)
        service.injections.reset()
    assert tally["ok"] >= 10 * scale
    duplicates = [
        n
        for n in {e.element.get("name") for e in store.all("Environment")}
        if sum(1 for e in store.all("Environment") if e.element.get("name") == n) > 1
    ]
    assert duplicates == []


# -- behind a gateway: a real loopback proxy that forwards the call, then answers a bare 503 --

PATHS = ("soap", "rest", "async")


def through(url: str, service: LocalService, workdir: Path, path: str) -> Client:
    return Client(
        snapshot_of(service, workdir),
        Credentials.from_password(USER, PASSWORD),
        endpoint=Endpoint(DEFAULT_ACCOUNT, url, service.flavour),
        settings=ClientSettings(rate_limit=None, retry=FAST_RETRY),
        compiled_dir=workdir / "compiled",
        transport="rest" if path == "rest" else "soap",
    )


def run(client: Client, path: str, call: Callable[[Any], Any]) -> Any:
    """``call(client)`` on the sync client, or awaited on an AsyncClient wrapping it."""
    if path != "async":
        return call(client)

    async def main() -> Any:
        async with AsyncClient(client) as wrapped:
            return await call(wrapped)

    return asyncio.run(main())


@pytest.mark.contracts("split", why="what sits in front of the service is the subject, not the WSDL layout")
@pytest.mark.parametrize("path", PATHS)
def test_a_gateway_503_after_forwarding_runs_each_call_once(
    path: str, service: LocalService, workdir: Path, evidence: Evidence
) -> None:
    store = service.store()
    atom = next(a.key for a in store.all("Atom") if a.element.get("status") == "ONLINE")
    process = next(p.key for p in store.all("Process"))
    with scripted(gateway(service.base_url, lambda request, before: True)) as front:
        client = through(front.base_url, service, workdir, path)
        with pytest.raises(TransportError) as caught:
            run(client, path, lambda c: c.create("Environment", name=f"gateway-{path}", classification="TEST"))
        evidence.error(caught.value)
        assert caught.value.sent is True
        assert "the call may have run" in str(caught.value)
        assert caught.value.attempts == 1
        assert sum(1 for e in store.all("Environment") if e.element.get("name") == f"gateway-{path}") == 1
        before = store.count("ExecutionRecord")
        with pytest.raises(TransportError) as caught:
            run(client, path, lambda c: c.execute_process(atom, process_id=process))
        evidence.error(caught.value)
        assert caught.value.sent is True
        assert store.count("ExecutionRecord") == before + 1
    assert len(front.received) == 2  # one create, one executeProcess: neither sent again


@pytest.mark.contracts("split", why="what sits in front of the service is the subject, not the WSDL layout")
@pytest.mark.parametrize("path", PATHS)
def test_reads_through_a_failing_gateway_are_retried(
    path: str, service: LocalService, workdir: Path, evidence: Evidence
) -> None:
    with scripted(gateway(service.base_url, lambda request, before: before < 2)) as front:
        client = through(front.base_url, service, workdir, path)
        account = run(client, path, lambda c: c.get("Account", DEFAULT_ACCOUNT))
    assert account.accountId == DEFAULT_ACCOUNT
    assert len(front.received) == 3  # two bare 503s, then the answer


@pytest.mark.contracts("split", why="what sits in front of the service is the subject, not the WSDL layout")
@pytest.mark.parametrize("path", PATHS)
def test_the_service_own_503_is_still_retried_after_a_create(
    path: str, service: LocalService, workdir: Path, evidence: Evidence
) -> None:
    service.inject(Injection.HTTP_503, times=2)  # the service's own fault: refused before running
    client = through(service.base_url, service, workdir, path)
    run(client, path, lambda c: c.create("Environment", name=f"busy-{path}", classification="TEST"))
    names = [e.element.get("name") for e in service.store().all("Environment")]
    assert names.count(f"busy-{path}") == 1
    assert service.injections.fired() == {Injection.HTTP_503: 2}
