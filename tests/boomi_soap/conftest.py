"""Fixtures of the client tests: a local service with a chosen execution timeline, and a client of it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.platform.polling import Backoff
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, Snapshot, refresh
from tests.conftest import CONTRACTS

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
FAST = Backoff(0.01, 2.0, 0.05)
"""Tiny poll intervals: the tests check what happens, not how long it takes."""
# A run that never ends while a test looks at it (the service's simulated day).
ENDLESS = (0.0, 0.0, 86_400.0)
QUICK = (0.02, 0.05, 0.1)

Connect = Callable[..., tuple[LocalService, Client]]


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Snapshot]:
    """One snapshot per contract layout, fetched from the local service publishing it."""
    root = tmp_path_factory.mktemp("layouts")
    found = {}
    for layout in CONTRACTS:
        with LocalService(ServiceConfig(rate_limit=None, contract=layout)) as service:
            endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
            found[layout] = refresh(CacheStore(root / "cache"), endpoint, CREDENTIALS).snapshot
    return found


@pytest.fixture
def connect(contract: str, tmp_path: Path, transport: str) -> Iterator[Connect]:
    """Start a service on the test's contract layout and return it with a client of it (SOAP or REST)."""
    with ExitStack() as stack:
        made = 0

        def start(timeline: tuple[float, float, float] = QUICK, **config: object) -> tuple[LocalService, Client]:
            nonlocal made
            made += 1
            config.setdefault("rate_limit", None)
            service = stack.enter_context(
                LocalService(ServiceConfig(contract=contract, execution_timeline=timeline, **config))  # type: ignore[arg-type]
            )
            endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
            snapshot = refresh(CacheStore(tmp_path / f"cache{made}"), endpoint, CREDENTIALS).snapshot
            settings = ClientSettings(rate_limit=None)
            client = Client(
                snapshot,
                CREDENTIALS,
                settings=settings,
                compiled_dir=tmp_path / "compiled",
                transport=transport,  # type: ignore[arg-type]
            )
            return service, client

        yield start
