"""Fixtures of the client tests: a local service with a chosen execution timeline, and a client of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.platform.polling import Backoff
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, Snapshot, pinned_store, refresh
from boomi_soap.snapshot.schema import CompiledCache, SchemaBundle
from tests.conftest import CONTRACTS, Lease

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
FAST = Backoff(0.01, 2.0, 0.05)
"""Tiny poll intervals: the tests check what happens, not how long it takes."""
# A run that never ends while a test looks at it (the service's simulated day).
ENDLESS = (0.0, 0.0, 86_400.0)
QUICK = (0.02, 0.05, 0.1)

Connect = Callable[..., tuple[LocalService, Client]]
REFERENCE_IMPORTS = (("http://soap.api.platform.boomi.com/", "service.xsd2.xsd"),)
"""What the reference snapshot's schema is built from (its WSDL's one import)."""


def reference_bundle(directory: Path | None) -> SchemaBundle:
    """The schema of the pinned reference snapshot, its compiled forms kept in ``directory``."""
    snapshot = pinned_store().current(DEFAULT_ACCOUNT)
    compiled = CompiledCache(directory) if directory is not None else None
    return SchemaBundle(snapshot.sha256, snapshot.directory, REFERENCE_IMPORTS, compiled)


@pytest.fixture(scope="session")
def compiled_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference schema's compiled form, made once (compiling it is the slow part): copy it to damage it."""
    directory = tmp_path_factory.mktemp("compiled-once") / "compiled"
    _ = reference_bundle(directory).explainer
    return directory


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
def connect(contract: str, lease: Lease, compiled_dir: Path, transport: str) -> Connect:
    """Return a service on the test's contract layout with a client of it (SOAP or REST).

    The service is the session's for that configuration, reset to the state a new one
    starts with (a second call alike in one test starts one of its own); its snapshot is
    fetched once, so the client's schemas compile once per session.
    """

    def start(timeline: tuple[float, float, float] = QUICK, **config: object) -> tuple[LocalService, Client]:
        config.setdefault("rate_limit", None)
        service = lease.service(ServiceConfig(contract=contract, execution_timeline=timeline, **config))  # type: ignore[arg-type]
        client = Client(
            lease.snapshot(service, CREDENTIALS),
            CREDENTIALS,
            settings=ClientSettings(rate_limit=None),
            compiled_dir=compiled_dir,
            transport=transport,  # type: ignore[arg-type]
        )
        return service, client

    return start


@pytest.fixture
def snapshot(service: LocalService, lease: Lease) -> Snapshot:
    """The snapshot the test's service publishes, fetched once per service: read it, do not change its files."""
    return lease.snapshot(service, CREDENTIALS)


@pytest.fixture
def own_snapshot(service: LocalService, tmp_path: Path) -> Snapshot:
    """A snapshot fetched for this test alone, under ``tmp_path``: for a test that changes its files."""
    endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
    return refresh(CacheStore(tmp_path / "own-cache"), endpoint, CREDENTIALS).snapshot
