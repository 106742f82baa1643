"""pytest fixtures for testing your own code against the local AtomSphere service.

Installed with ``boomi-soap`` (a ``pytest11`` entry point named ``boomi_soap``): a project
that runs ``pip install boomi-soap`` has them, with nothing in its ``conftest.py``.  The
plugin starts nothing until a test asks for one of its fixtures, and imports nothing of
the service until then.

Fixtures:

``boomi_service``
    A started :class:`~boomi_soap.localservice.LocalService` (demo account, no rate
    limit), fresh for each test; one for the whole session with ``--boomi-scope session``
    (or ``boomi_scope = session`` in the ini file), its objects then shared by the tests.
``boomi_client``
    A :class:`boomi_soap.Client` on ``boomi_service``.  The service's snapshot (WSDL and
    schemas) is fetched once per session into a temporary directory, and its schemas
    compiled once.
``boomi_partner``
    The Partner API layout: a :class:`BoomiPartner` holding its own started service
    (``contract="partner"``), a client on it and the parent's sub-accounts
    (``boomi_partner.client.for_account(boomi_partner.sub_accounts[0])`` acts on one).
``boomi_clock``
    A :class:`~boomi_soap.localservice.executions.ManualClock` driving the execution
    timelines of the services the test uses: a run started by the test appears, starts
    and ends only as ``boomi_clock.advance(seconds)`` moves time (the timeline is
    ``ServiceConfig.execution_timeline``: seconds 0, 0.2 and 1.0 by default).

Marker ``@pytest.mark.boomi_inject(kind, times=1)`` queues injected faults on the test's
services before it runs (see :mod:`boomi_soap.localservice.injection`: ``HTTP_503``,
``DROP_BEFORE``, ``DROP_AFTER``, ``TRUNCATED``, ``NOT_XML``, ``HTML_ERROR``,
``SOAP_FAULT``); the next ``times`` calls (SOAP or REST) fail so.  Several markers queue
in the order pytest lists them (the nearest first); what a test leaves queued is dropped.

Options (command line, or the ini key in brackets):

``--boomi-seed PATH`` (``boomi_seed``)
    A seed file (see :mod:`boomi_soap.localservice.seed`): objects of any type in Boomi's
    JSON form, added to each service's demo data.  A relative ini path is read from the
    ini file's folder.  One that does not fit the schema fails the test in one line.
``--boomi-scope function|session`` (``boomi_scope``)
    One service per test (default) or per session.
``--boomi-contract split|single|partner`` (``boomi_contract``)
    The contract layout ``boomi_service`` serves (default ``split``).
``--boomi-transport soap|rest`` (``boomi_transport``)
    How ``boomi_client`` and ``boomi_partner.client`` call (default ``soap``).

Example (a test file; nothing else needed)::

    import pytest

    def test_lists_processes(boomi_client):
        assert len(list(boomi_client.query("Process"))) == 24  # the demo account's

    @pytest.mark.boomi_inject("HTTP_503", times=2)
    def test_retries(boomi_service, boomi_client):
        account = boomi_service.config.accounts[0]
        assert boomi_client.get("Account", account).accountId == account  # past both 503s

    def test_sub_account(boomi_partner):
        sub = boomi_partner.client.for_account(boomi_partner.sub_accounts[0])
        assert sub.get("Account", boomi_partner.sub_accounts[0])
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import pytest

if TYPE_CHECKING:
    from boomi_soap.client import Client
    from boomi_soap.localservice.executions import ManualClock
    from boomi_soap.localservice.server import LocalService
    from boomi_soap.snapshot.cache import Snapshot

__all__ = ["BoomiPartner"]

_SCOPES: Final = ("function", "session")
_CONTRACTS: Final = ("split", "single", "partner")
_TRANSPORTS: Final = ("soap", "rest")
_MARKER: Final = "boomi_inject"


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's options and ini keys (see the module docstring)."""
    group = parser.getgroup("boomi-soap", "boomi-soap local AtomSphere service")
    group.addoption("--boomi-seed", dest="boomi_seed", metavar="PATH", help="seed file of the local service")
    group.addoption("--boomi-scope", dest="boomi_scope", choices=_SCOPES, help="one service per test or per session")
    group.addoption("--boomi-contract", dest="boomi_contract", choices=_CONTRACTS, help="layout boomi_service serves")
    group.addoption("--boomi-transport", dest="boomi_transport", choices=_TRANSPORTS, help="how boomi_client calls")
    parser.addini("boomi_seed", "seed file of the local service (relative to the ini file)", default="")
    parser.addini("boomi_scope", "one local service per test (function) or per session", default="")
    parser.addini("boomi_contract", "contract layout boomi_service serves (split, single, partner)", default="")
    parser.addini("boomi_transport", "how boomi_client calls (soap, rest)", default="")


def pytest_configure(config: pytest.Config) -> None:
    """Register the fault-injection marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers", f"{_MARKER}(kind, times=1): queue injected faults on the boomi-soap local service of the test"
    )


def _setting(config: pytest.Config, name: str, choices: tuple[str, ...]) -> str:
    value = config.getoption(name) or str(config.getini(name) or "").strip() or choices[0]
    if value not in choices:
        raise pytest.UsageError(f"{name} = {value!r} in the ini file: use one of {', '.join(choices)}")
    return str(value)


def _scope(fixture_name: str, config: pytest.Config) -> Literal["function", "session"]:  # pytest passes the name too
    return "session" if _setting(config, "boomi_scope", _SCOPES) == "session" else "function"


def _seed(config: pytest.Config) -> str | None:
    given = config.getoption("boomi_seed")
    if given:
        return os.fspath(Path(given))
    listed = str(config.getini("boomi_seed") or "").strip()
    if not listed:
        return None
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    return os.fspath(base / listed)


def _start(config: pytest.Config, contract: str) -> LocalService:
    from boomi_soap.exceptions import ServiceConfigError
    from boomi_soap.localservice import LocalService, ServiceConfig

    try:
        return LocalService(ServiceConfig(rate_limit=None, contract=contract, seed=_seed(config))).start()
    except ServiceConfigError as exc:
        refused = str(exc)
    pytest.fail(f"boomi-soap local service: {refused}", pytrace=False)  # one line, no traceback


@dataclass
class _Session:
    """What the session's fixtures share: one snapshot per contract layout, one compiled-schema folder."""

    root: Path
    snapshots: dict[str, Snapshot] = field(default_factory=dict)

    def client(self, config: pytest.Config, service: LocalService) -> Client:
        from boomi_soap.client import Client
        from boomi_soap.credentials import Credentials, Endpoint
        from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER
        from boomi_soap.settings import ClientSettings
        from boomi_soap.snapshot.cache import CacheStore, refresh

        credentials = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
        layout = service.config.contract
        snapshot = self.snapshots.get(layout)
        if snapshot is None:  # fetched from the first service of this layout; the rest serve the same
            endpoint = Endpoint(service.config.accounts[0], service.base_url, service.flavour)
            snapshot = refresh(CacheStore(self.root / "cache" / layout), endpoint, credentials).snapshot
            self.snapshots[layout] = snapshot
        transport: Any = _setting(config, "boomi_transport", _TRANSPORTS)
        return Client(
            snapshot,
            credentials,
            endpoint=service.endpoint(),
            settings=ClientSettings(rate_limit=None),
            compiled_dir=self.root / "compiled",
            transport=transport,
        )


def _arm(service: LocalService, request: pytest.FixtureRequest) -> None:
    from boomi_soap.localservice.injection import Injection

    for marker in request.node.iter_markers(_MARKER):
        if len(marker.args) != 1 or set(marker.kwargs) - {"times"}:
            raise pytest.UsageError(f"{request.node.nodeid}: use @pytest.mark.{_MARKER}(kind, times=1)")
        kind = str(marker.args[0])
        try:
            injection = Injection[kind.upper()] if kind.upper() in Injection.__members__ else Injection(kind)
        except ValueError:
            names = ", ".join(Injection.__members__)
            raise pytest.UsageError(f"{request.node.nodeid}: unknown fault {kind!r} (use one of {names})") from None
        service.inject(injection, int(marker.kwargs.get("times", 1)))


@pytest.fixture(scope=_scope)
def _boomi_running_service(pytestconfig: pytest.Config) -> Iterator[LocalService]:
    service = _start(pytestconfig, _setting(pytestconfig, "boomi_contract", _CONTRACTS))
    yield service
    service.stop()


@pytest.fixture(scope=_scope)
def _boomi_running_partner(pytestconfig: pytest.Config) -> Iterator[LocalService]:
    service = _start(pytestconfig, "partner")
    yield service
    service.stop()


@pytest.fixture(scope="session")
def _boomi_session(tmp_path_factory: pytest.TempPathFactory) -> _Session:
    return _Session(tmp_path_factory.mktemp("boomi-soap"))


@pytest.fixture
def boomi_service(request: pytest.FixtureRequest, _boomi_running_service: LocalService) -> Iterator[LocalService]:
    """A started local AtomSphere service (per test; per session with ``--boomi-scope session``)."""
    _arm(_boomi_running_service, request)
    yield _boomi_running_service
    _boomi_running_service.injections.reset()


@pytest.fixture
def boomi_client(
    pytestconfig: pytest.Config, boomi_service: LocalService, _boomi_session: _Session
) -> Iterator[Client]:
    """A ``boomi_soap.Client`` on ``boomi_service`` (the snapshot fetched once per session)."""
    client = _boomi_session.client(pytestconfig, boomi_service)
    yield client
    client.close()


@dataclass(frozen=True)
class BoomiPartner:
    """The Partner API layout, as the ``boomi_partner`` fixture gives it.

    Attributes:
        service: A started local service on the ``partner`` contract.
        client: A client of its parent account (``client.for_account(sub)`` acts on a sub-account).
        sub_accounts: The parent's sub-accounts.
    """

    service: LocalService
    client: Client
    sub_accounts: tuple[str, ...]


@pytest.fixture
def boomi_partner(
    request: pytest.FixtureRequest,
    pytestconfig: pytest.Config,
    _boomi_running_partner: LocalService,
    _boomi_session: _Session,
) -> Iterator[BoomiPartner]:
    """The Partner API layout: its own service, a client of the parent account, the sub-accounts."""
    service = _boomi_running_partner
    _arm(service, request)
    client = _boomi_session.client(pytestconfig, service)
    yield BoomiPartner(service, client, service.sub_accounts(service.config.accounts[0]))
    client.close()
    service.injections.reset()


@pytest.fixture
def boomi_clock(request: pytest.FixtureRequest) -> Iterator[ManualClock]:
    """A clock only ``advance()`` moves, driving the execution timelines of the test's services."""
    from boomi_soap.localservice.executions import ManualClock

    services: list[LocalService] = []
    if "boomi_partner" in request.fixturenames:
        services.append(request.getfixturevalue("boomi_partner").service)
    if "boomi_service" in request.fixturenames or not services:
        services.append(request.getfixturevalue("boomi_service"))
    clock = ManualClock()
    held = []
    for service in services:
        parent = service.config.accounts[0]
        accounts = (*service.config.accounts, *(service.sub_accounts(parent) if service.flavour == "partner" else ()))
        for account in accounts:
            store = service.store(account)
            held.append((store, store.clock))
            store.clock = clock
    yield clock
    for store, previous in held:
        store.clock = previous
