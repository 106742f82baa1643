"""AsyncClient.call_xml and get_linked: the sync client's answers, errors and bounds, on SOAP and REST."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from boomi_soap.async_client import AsyncClient
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import (
    BoomiSoapError,
    DownloadTooLargeError,
    InvalidRequestError,
    NotFoundError,
    RequestRefusedError,
    ResponseError,
    ServiceTimeoutError,
    TransportError,
)
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import Snapshot
from tests.scripted import Scripted, scripted

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
SETTINGS = ClientSettings(rate_limit=None)

pytestmark = pytest.mark.contracts("split", why="the facades' XML path does not depend on the layout")


def client_of(snapshot: Snapshot, compiled_dir: Path, transport: str, **kwargs: Any) -> Client:
    return Client(
        snapshot,
        CREDENTIALS,
        settings=kwargs.pop("settings", SETTINGS),
        compiled_dir=compiled_dir,
        transport=transport,  # type: ignore[arg-type]
        **kwargs,
    )


def wrapper(client: Client, operation: str, **kwargs: Any) -> etree._Element:
    """The request wrapper element zeep builds for ``operation`` (the Body's child)."""
    body = client.envelope(operation, **kwargs).find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
    assert body is not None
    return body[0]


def outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except BoomiSoapError as exc:
        return type(exc), str(exc)


async def async_outcome(call: Callable[[], Awaitable[Any]]) -> Any:
    try:
        return await call()
    except BoomiSoapError as exc:
        return type(exc), str(exc)


def both(client: Client, call: Callable[[Any], Any]) -> tuple[Any, Any]:
    """What ``call`` gives on the sync client and on an AsyncClient around it (awaited)."""
    expected = outcome(lambda: call(client))

    async def main() -> Any:
        async with AsyncClient(client) as async_client:
            return await async_outcome(lambda: call(async_client))

    return expected, asyncio.run(main())


def test_call_xml_answers_as_the_sync_client(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, transport: str
) -> None:
    client = client_of(snapshot, compiled_dir, transport)
    payload = wrapper(client, "get", objectType="Account", objectId=DEFAULT_ACCOUNT)
    expected, got = both(client, lambda c: c.call_xml(payload))
    assert etree.QName(got).localname == "getResponse"
    assert etree.tostring(got) == etree.tostring(expected)
    assert client.from_xml(got[0]).accountId == DEFAULT_ACCOUNT


def test_call_xml_errors_are_the_sync_clients(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, transport: str
) -> None:
    client = client_of(snapshot, compiled_dir, transport)
    missing = wrapper(client, "get", objectType="Process", objectId="no-such-process")
    expected, got = both(client, lambda c: c.call_xml(missing))
    assert got[0] is NotFoundError
    assert got == expected
    stranger = etree.Element("{urn:nowhere}get")
    expected, got = both(client, lambda c: c.call_xml(stranger))
    assert got[0] is RequestRefusedError  # refused before sending, an InvalidRequestError as Boomi's would be
    assert issubclass(got[0], InvalidRequestError)
    assert got == expected


def _linked(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
    """Answers by path: a body, a redirect, a big body, a gzip bomb, a drip."""
    path = handler.path.split("?")[0]
    if path == "/redirect":
        handler.send_response(302)
        handler.send_header("Location", "http://127.0.0.2/elsewhere")
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return
    if path == "/drip":
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        for _ in range(100):
            if state.stop.wait(0.05):
                return
            handler.wfile.write(b"x")
            handler.wfile.flush()
        return
    encoding = None
    if path == "/big":
        body = b"y" * 5000
    elif path == "/bomb":
        body, encoding = gzip.compress(b"\0" * 1_000_000), "gzip"
    else:
        body = b"log line\n" * 10
    handler.send_response(200)
    if encoding:
        handler.send_header("Content-Encoding", encoding)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/log", (200, b"log line\n" * 10)),
        ("/redirect", ResponseError),
        ("/big", DownloadTooLargeError),
        ("/bomb", DownloadTooLargeError),
    ],
)
def test_get_linked_is_bounded_as_on_the_sync_client(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, transport: str, path: str, expected: Any
) -> None:
    with scripted(_linked) as server:
        endpoint = Endpoint(DEFAULT_ACCOUNT, server.base_url, service.flavour)
        client = client_of(snapshot, compiled_dir, transport, endpoint=endpoint)
        sync, got = both(client, lambda c: c.get_linked(f"{server.base_url}{path}", max_bytes=1000, operation="log"))
        assert got == sync
        if isinstance(expected, tuple):
            assert got == expected
        else:
            assert got[0] is expected
        # The credentials went with each GET, as HTTP Basic auth.
        assert all(r.headers.get("Authorization", "").startswith("Basic ") for r in server.received)
        assert len(server.received) == 2  # once per driver: a redirect is never followed


def test_get_linked_stays_on_the_clients_origin(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, transport: str
) -> None:
    with scripted(_linked) as server, scripted(_linked) as other:
        endpoint = Endpoint(DEFAULT_ACCOUNT, server.base_url, service.flavour)
        client = client_of(snapshot, compiled_dir, transport, endpoint=endpoint)
        sync, got = both(client, lambda c: c.get_linked(f"{other.base_url}/log", max_bytes=1000, operation="log"))
        assert got[0] is TransportError
        assert got == sync
        assert other.received == []


def test_get_linked_holds_the_total_deadline(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, transport: str
) -> None:
    settings = ClientSettings(rate_limit=None, total_timeout=0.5)
    with scripted(_linked) as server:
        endpoint = Endpoint(DEFAULT_ACCOUNT, server.base_url, service.flavour)
        client = client_of(snapshot, compiled_dir, transport, endpoint=endpoint, settings=settings)
        sync, got = both(client, lambda c: c.get_linked(f"{server.base_url}/drip", max_bytes=1000, operation="log"))
        assert got[0] is ServiceTimeoutError
        assert sync[0] is ServiceTimeoutError
