"""AsyncClient.post_linked and the wrapped client's read-only state: the sync client's answers, errors and bounds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from boomi_soap.async_client import AsyncClient
from boomi_soap.credentials import Endpoint
from boomi_soap.exceptions import DownloadTooLargeError, ResponseError, ServiceTimeoutError, TransportError
from boomi_soap.localservice import DEFAULT_ACCOUNT, LocalService
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import Snapshot
from tests.boomi_soap.test_async_client_xml import _linked, both, client_of
from tests.scripted import Scripted, scripted

QUERY = b'<QueryConfig xmlns="http://api.platform.boomi.com/"/>'

pytestmark = pytest.mark.contracts("split", why="the drivers' bounds do not depend on the layout")


def post(url: str, max_bytes: int = 1000) -> Callable[[Any], Any]:
    return lambda c: c.post_linked(url, QUERY, content_type="application/xml", max_bytes=max_bytes, operation="query")


def _answer(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
    """``/echo`` answers 202 with what was posted; the rest as for a GET (a redirect, a big body, a bomb, a drip)."""
    if handler.path.split("?")[0] != "/echo":
        _linked(handler, state)
        return
    body = b"<echo>" + state.received[-1].body + b"</echo>"
    handler.send_response(202)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/echo", (202, b"<echo>" + QUERY + b"</echo>")),
        ("/redirect", ResponseError),
        ("/big", DownloadTooLargeError),
        ("/bomb", DownloadTooLargeError),
    ],
)
def test_post_linked_is_bounded_as_on_the_sync_client(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, transport: str, path: str, expected: Any
) -> None:
    with scripted(_answer) as server:
        endpoint = Endpoint(DEFAULT_ACCOUNT, server.base_url, service.flavour)
        client = client_of(snapshot, compiled_dir, transport, endpoint=endpoint)
        sync, got = both(client, post(f"{server.base_url}{path}"))
        assert got == sync
        if isinstance(expected, tuple):
            assert got == expected
        else:
            assert got[0] is expected
        assert len(server.received) == 2  # once per driver: a redirect is never followed, a POST never repeated
        for sent in server.received:
            assert sent.method == "POST"
            assert sent.body == QUERY
            assert sent.headers.get("Content-Type") == "application/xml"
            assert sent.headers.get("Accept") == "application/xml"
            assert sent.headers.get("Authorization", "").startswith("Basic ")  # the credentials, as HTTP Basic


def test_post_linked_stays_on_the_clients_origin(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, transport: str
) -> None:
    with scripted(_answer) as server, scripted(_answer) as other:
        endpoint = Endpoint(DEFAULT_ACCOUNT, server.base_url, service.flavour)
        client = client_of(snapshot, compiled_dir, transport, endpoint=endpoint)
        sync, got = both(client, post(f"{other.base_url}/echo"))
        assert got[0] is TransportError
        assert got == sync
        assert "refusing" in got[1]
        assert other.received == []
        assert server.received == []


def test_post_linked_holds_the_total_deadline(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, transport: str
) -> None:
    settings = ClientSettings(rate_limit=None, total_timeout=0.5)
    with scripted(_answer) as server:
        endpoint = Endpoint(DEFAULT_ACCOUNT, server.base_url, service.flavour)
        client = client_of(snapshot, compiled_dir, transport, endpoint=endpoint, settings=settings)
        sync, got = both(client, post(f"{server.base_url}/drip"))
        assert got[0] is ServiceTimeoutError
        assert sync[0] is ServiceTimeoutError


def test_the_async_client_reports_the_wrapped_clients_state(
    snapshot: Snapshot, compiled_dir: Path, service: LocalService, transport: str
) -> None:
    client = client_of(snapshot, compiled_dir, transport)

    async def main() -> None:
        async with AsyncClient(client) as aclient:
            assert aclient.transport == client.transport == transport
            assert aclient.format == client.format == "xml"
            assert aclient.validator is client.validator
            assert aclient.sub_account is None

    asyncio.run(main())
