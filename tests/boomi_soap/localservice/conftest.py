"""A raw-SOAP client for the local service tests (the service fixture is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from boomi_soap.localservice import LocalService
from tests.boomi_soap.localservice.helpers import RawSoap


@pytest.fixture
def soap(service: LocalService) -> RawSoap:
    return RawSoap(service)
