"""A running local service and a raw-SOAP client for its tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boomi_soap.localservice import LocalService, ServiceConfig
from tests.boomi_soap.localservice.helpers import RawSoap


@pytest.fixture
def service() -> Iterator[LocalService]:
    """A fresh service without a rate limit (limits have their own tests)."""
    with LocalService(ServiceConfig(rate_limit=None)) as running:
        yield running


@pytest.fixture
def soap(service: LocalService) -> RawSoap:
    return RawSoap(service)
