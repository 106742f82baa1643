"""AsyncClient.post_linked and the wrapped client's read-only state: the sync client's answers, errors and bounds."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from boomi_soap.async_client import AsyncClient
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import (
    BoomiSoapError,
    DownloadTooLargeError,
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
QUERY = b'<QueryConfig xmlns="http://api.platform.boomi.com/"/>'

pytestmark = pytest.mark.contracts("split", why="the drivers' bounds do not depend on the layout")


def client_of(snapshot: Snapshot, compiled_dir: Path, transport: str, **kwargs: Any) -> Client:
    return Client(
        snapshot,
        CREDENTIALS,
        settings=kwargs.pop("settings", SETTINGS),
        compiled_dir=compiled_dir,
        transport=transport,  # type: ignore[arg-type]
        **kwargs,
    )


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


def post(url: str, max_bytes: int = 1000) -> Callable[[Any], Any]:
    return lambda c: c.post_linked(url, QUERY, content_type="application/xml", max_bytes=max_bytes, operation="query")


def _answer(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
    """Answers by path: an echo of what was posted, a redirect, a big body, a gzip bomb, a drip."""
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
        body = b"<echo>" + state.received[-1].body + b"</echo>"
    handler.send_response(202)
    if encoding:
        handler.send_header("Content-Encoding", encoding)
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
