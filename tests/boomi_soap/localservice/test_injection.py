"""Each fault-injection knob, observed from a real HTTP client."""

from __future__ import annotations

import contextlib
import http.client
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from boomi_soap.localservice import Injection, LocalService
from tests.boomi_soap.localservice.helpers import RawSoap, envelope


@pytest.fixture
def create(soap: RawSoap) -> bytes:
    """A create envelope in the service's own wrapper namespace."""
    return envelope(
        '<soap:create><object xsi:type="api:Environment" name="Injected" classification="TEST"/></soap:create>',
        wrapper_ns=soap.wrapper_ns,
    )


def environments(service: LocalService) -> int:
    return service.store().count("Environment")


@contextlib.contextmanager
def raw_post(service: LocalService, data: bytes) -> Iterator[http.client.HTTPConnection]:
    """Send a POST; the caller reads the response from the yielded connection."""
    url = urlsplit(service.endpoint())
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    try:
        connection.request("POST", url.path, body=data, headers={"Content-Type": "text/xml"})
        yield connection
    finally:
        connection.close()


def test_http_503_happens_before_processing(service: LocalService, soap: RawSoap, create: bytes) -> None:
    service.inject(Injection.HTTP_503, times=2)
    before = environments(service)
    assert [soap.post(create).status for _ in range(3)] == [503, 503, 200]
    assert environments(service) == before + 1
    assert service.injections.fired() == {Injection.HTTP_503: 2}


def test_drop_before_reading_changes_nothing(service: LocalService, create: bytes) -> None:
    service.inject(Injection.DROP_BEFORE)
    before = environments(service)
    with raw_post(service, create) as connection, pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        connection.getresponse()
    assert environments(service) == before


def test_drop_after_processing_keeps_the_effect(service: LocalService, create: bytes) -> None:
    service.inject(Injection.DROP_AFTER)
    before = environments(service)
    with raw_post(service, create) as connection, pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        connection.getresponse()
    assert environments(service) == before + 1


def test_truncated_body(service: LocalService, create: bytes) -> None:
    service.inject(Injection.TRUNCATED)
    with raw_post(service, create) as connection:
        response = connection.getresponse()
        assert response.status == 200
        with pytest.raises(http.client.IncompleteRead):
            response.read()


def test_not_xml_body(service: LocalService, soap: RawSoap, create: bytes) -> None:
    service.inject(Injection.NOT_XML)
    reply = soap.post(create)
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/xml")
    with pytest.raises(ValueError, match="not well-formed"):
        _ = reply.root


def test_html_error_page(service: LocalService, soap: RawSoap, create: bytes) -> None:
    service.inject(Injection.HTML_ERROR)
    reply = soap.post(create)
    assert reply.status == 502
    assert reply.headers["Content-Type"].startswith("text/html")
    assert reply.body.startswith(b"<html>")


def test_soap_fault(service: LocalService, soap: RawSoap, create: bytes) -> None:
    service.inject(Injection.SOAP_FAULT)
    before = environments(service)
    reply = soap.post(create)
    assert reply.status == 500
    assert reply.fault() == ("S:Server", "Internal server error (injected)", "INJECTED")
    assert environments(service) == before


def test_latency(service: LocalService, soap: RawSoap, create: bytes) -> None:
    service.injections.latency = 0.3
    started = time.monotonic()
    assert soap.post(create).status == 200
    waited = time.monotonic() - started
    assert waited >= 0.3  # a lower bound: a busy machine only adds to it
    service.injections.reset()
    assert service.injections.latency == 0
    assert soap.post(create).status == 200


def test_queue_order_and_server_survives_all(service: LocalService, soap: RawSoap, create: bytes) -> None:
    kinds = list(Injection)
    for kind in kinds:
        service.inject(kind)
    assert service.injections.pending() == len(kinds)
    for _ in kinds:
        with raw_post(service, create) as connection, contextlib.suppress(http.client.HTTPException, ConnectionError):
            connection.getresponse().read()
    assert service.injections.pending() == 0
    assert soap.post(create).status == 200
