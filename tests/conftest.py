"""Fixtures shared by every test: nothing leaves the loopback interface."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from boomi_soap.localservice import LocalService, ServiceConfig

FIXTURES = Path(__file__).parent / "fixtures"


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


@pytest.fixture
def service() -> Iterator[LocalService]:
    """A fresh local service without a rate limit (limits have their own tests)."""
    with LocalService(ServiceConfig(rate_limit=None)) as running:
        yield running
