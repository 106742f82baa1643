"""Credentials go to the configured host only: every request path x every hostile URL shape.

A second server listens on 127.0.0.2 and records everything it is sent.  Each hostile
shape names it in a way some URL parser reads as the configured host (127.0.0.1): the
client must refuse the URL, or connect to 127.0.0.1; the other server must never see a
request, with or without credentials.  The paths: a ``recordUrl`` (``run_process``,
``attach``, ``poll_async``), a LogDownload's ``url`` (``download_log``), a schema import
of the WSDL fetch, a WSDL's ``soap:address``, and every configured URL (endpoint, base
URL, Connect Now).  Server-supplied links are planted by a rewriting proxy in front of a
real local service, on both transports.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import httpx
import pytest
from urllib3.util import parse_url

from boomi_soap.async_client import AsyncClient
from boomi_soap.client import Client
from boomi_soap.connectnow import ConnectNowClient
from boomi_soap.credentials import Credentials, Endpoint, check_url, same_origin, url_problem
from boomi_soap.exceptions import ConfigurationError, FetchError, TransportError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.platform.polling import download_log, poll_async
from boomi_soap.platform.runs import attach
from boomi_soap.settings import ClientSettings
from boomi_soap.snapshot.cache import CacheStore, refresh
from boomi_soap.snapshot.fetch import fetch_documents
from tests.boomi_soap.conftest import FAST, QUICK
from tests.docserver import doc_server, serving
from tests.drifting import drifting_proxy

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)

# {e}: the other server (127.0.0.2:port), {g}: the configured one (127.0.0.1:port).
HOSTILE = {
    "other host": "http://{e}",
    "backslash before @": "http://{e}\\@{g}",
    "backslash after host": "http://{g}\\@{e}",
    "encoded backslash": "http://{e}%5C@{g}",
    "encoded @": "http://{e}%40{g}",
    "encoded host": "http://%31%32%37.0.0.2:{ep}",
    "userinfo": "http://user:secret@{e}",
    "configured host as userinfo": "http://{g}@{e}",
    "@ after #": "http://{e}#@{g}",
    "@ after ?": "http://{e}?@{g}",
    "tab": "http://{e}\t@{g}",
    "newline": "http://{e}\n@{g}",
    "NUL": "http://{e}\x00@{g}",
    "space": "http://{e} @{g}",
    "IPv6 brackets (mapped IPv4)": "http://[::ffff:127.0.0.2]:{ep}",
    "IPv6 brackets around the host": "http://[{e}]",
    "mixed case": "HTTP://127.0.0.2:{ep}",
    "trailing dot": "http://127.0.0.2.:{ep}",
    "scheme-relative": "//{e}",
    "backslashes for slashes": "http:\\\\{e}",
    "one slash": "http:/{e}",
    "port overflow": "http://127.0.0.2:{ep}0000",
}
# The configured origin spelled otherwise: followed, and the links reach the configured server.
FRIENDLY = {"as given": "http://{g}", "upper-case scheme": "HTTP://{g}"}


@dataclass
class Other:
    """The server on 127.0.0.2: everything it was sent."""

    host_port: str = ""
    seen: list[tuple[str, str | None]] = field(default_factory=list)


@contextmanager
def other_server() -> Iterator[Other]:
    state = Other()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            state.seen.append((self.path, self.headers.get("Authorization")))
            body = b'<AsyncOperationResult xmlns="http://api.platform.boomi.com/" responseStatusCode="200"/>'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _any  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    with serving(Handler, "127.0.0.2") as base_url:
        state.host_port = base_url.removeprefix("http://")
        yield state


@dataclass
class Rewriter:
    """A proxy on 127.0.0.1 in front of a local service; links in its answers say ``prefix``."""

    base_url: str = ""
    prefix: str = ""


@contextmanager
def rewriting_proxy(service: LocalService) -> Iterator[Rewriter]:
    state = Rewriter()

    def plant(data: bytes, content_type: str) -> bytes:
        planted = json.dumps(state.prefix)[1:-1] if "json" in content_type else _xml_text(state.prefix)
        return data.replace(service.base_url.encode(), planted.encode("latin-1"))

    with drifting_proxy(service.base_url, plant) as base_url:
        state.base_url = base_url
        yield state


def _xml_text(text: str) -> str:
    # Character references survive XML parsing as the characters themselves (NUL cannot).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("\t", "&#9;").replace("\n", "&#10;")


def shape(template: str, other: str, configured: str) -> str:
    return template.format(e=other, g=configured, ep=other.rpartition(":")[2])


@pytest.fixture(scope="module")
def other() -> Iterator[Other]:
    with other_server() as running:
        yield running


@dataclass
class Planted:
    """A local service behind a rewriting proxy, and a client whose endpoint is the proxy."""

    service: LocalService
    proxy: Rewriter
    client: Client
    finished: str | None = None
    """A run that has ended, made once: every "download_log url" case reads its log's link."""

    def follow(self, path: str, prefix: str) -> object:
        """Take ``path`` with every link the service answers starting with ``prefix`` from its last step."""
        client, proxy = self.client, self.proxy
        process, atom = "Orders - Shopify to SAP", "Production Atom"
        try:
            if path == "run_process recordUrl":
                proxy.prefix = prefix
                return client.run_process(process, atom, wait=True, timeout=10, poll=FAST)
            if path == "download_log url":
                if self.finished is None:
                    self.finished = str(
                        client.run_process(process, atom, wait=True, timeout=10, poll=FAST).execution_id
                    )
                proxy.prefix = prefix
                return download_log(client, execution_id=self.finished)
            if path == "atom log url":
                online = (a.key for a in self.service.store().all("Atom") if a.element.get("status") == "ONLINE")
                proxy.prefix = prefix
                return download_log(client, atom_id=next(online), log_date="2026-11-30")
            run = client.run_process(process, atom, wait=False)
            url = prefix + run.record_url.removeprefix(proxy.base_url)
            if path == "attach recordUrl":
                execution = attach(client, run.request_id, record_url=url)
                execution.poll = FAST  # the run's pace, not the default back-off's first second
                return execution.wait(10)
            return poll_async(client, url, timeout=10, backoff=FAST)
        finally:
            proxy.prefix = proxy.base_url


@pytest.fixture(scope="module", params=[("soap", "xml"), ("rest", "xml"), ("rest", "json")], ids="-".join)
def planted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planted]:
    config = ServiceConfig(rate_limit=None, execution_timeline=QUICK, log_bytes=100)
    with LocalService(config) as service, rewriting_proxy(service) as proxy:
        proxy.prefix = proxy.base_url
        workdir = tmp_path_factory.mktemp("hosts")
        endpoint = Endpoint(DEFAULT_ACCOUNT, service.base_url, service.flavour)
        snapshot = refresh(CacheStore(workdir / "cache"), endpoint, CREDENTIALS).snapshot
        address = proxy.base_url + endpoint.url.removeprefix(service.base_url)
        client = Client(
            snapshot, CREDENTIALS, endpoint=address, settings=ClientSettings(rate_limit=None),
            compiled_dir=workdir / "compiled", transport=request.param[0], format=request.param[1],
        )  # fmt: skip
        yield Planted(service, proxy, client)


PATHS = ("run_process recordUrl", "attach recordUrl", "poll_async", "download_log url", "atom log url")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_link_is_refused_before_anything_is_sent(
    name: str, path: str, planted: Planted, other: Other
) -> None:
    prefix = shape(HOSTILE[name], other.host_port, planted.proxy.base_url.removeprefix("http://"))
    before = len(other.seen)
    # XML cannot carry a NUL (and a JSON answer is read as XML): such an answer is refused as
    # unreadable before its link is seen.
    unreadable = "\x00" in prefix and path not in ("attach recordUrl", "poll_async")
    with pytest.raises(
        TransportError,
        match="not well-formed|not a SOAP message|cannot be carried in XML" if unreadable else "refusing",
    ) as refused:
        planted.follow(path, prefix)
    assert other.seen[before:] == []
    assert unreadable or refused.value.sent is False
    assert "secret" not in str(refused.value)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", list(FRIENDLY))
def test_the_configured_origin_spelled_otherwise_is_followed(
    name: str, path: str, planted: Planted, other: Other
) -> None:
    prefix = shape(FRIENDLY[name], other.host_port, planted.proxy.base_url.removeprefix("http://"))
    before = len(other.seen)
    assert planted.follow(path, prefix)
    assert other.seen[before:] == []


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_schema_import_is_not_fetched(name: str, other: Other) -> None:
    with doc_server() as server:
        location = shape(HOSTILE[name], other.host_port, server.base_url.removeprefix("http://")) + "/x.xsd"
        wsdl = (
            '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:xs="http://www.w3.org/2001/XMLSchema"'
            ' targetNamespace="urn:w"><types><xs:schema targetNamespace="urn:w">'
            f'<xs:import namespace="urn:t" schemaLocation="{_attribute(location)}"/></xs:schema></types></definitions>'
        )
        server.routes["/api/soap/v1/acct?wsdl"] = (200, {"Content-Type": "text/xml"}, wsdl.encode())
        before = len(other.seen)
        with pytest.raises(FetchError) as refused:
            fetch_documents(Endpoint("acct", server.base_url), CREDENTIALS)
        assert other.seen[before:] == []
        assert "secret" not in str(refused.value)


def _attribute(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\x00", "")
    )


# A configured URL may name any host (the user chose it); what it may not have is a shape
# that parsers read as two hosts.
MISSHAPEN = [name for name, template in HOSTILE.items() if url_problem(shape(template, "127.0.0.2:81", "127.0.0.1:80"))]


@pytest.mark.parametrize("name", MISSHAPEN)
def test_a_misshapen_configured_url_is_refused(name: str, planted: Planted) -> None:
    url = shape(HOSTILE[name], "127.0.0.2:81", "127.0.0.1:80")
    for make in (
        lambda: check_url(url, what="endpoint"),
        lambda: Endpoint("acct", url),
        lambda: ConnectNowClient(url, credentials=CREDENTIALS),
        lambda: AsyncClient(planted.client, address=url),
    ):
        with pytest.raises(ConfigurationError) as refused:
            make()
        assert "secret" not in str(refused.value)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_policy_and_the_connecting_parser_agree(name: str) -> None:
    """Where the policy accepts a URL, urllib3 (requests) and httpx (the async client) read the same host."""
    home = "http://127.0.0.1:8080"
    url = shape(HOSTILE[name], "127.0.0.2:8081", "127.0.0.1:8080") + "/x"
    assert not same_origin(url, home)
    assert url_problem(url) is not None or parse_url(url).host != "127.0.0.1"
    assert url_problem(url) is not None or httpx.URL(url).host != "127.0.0.1"


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_async_client_takes_another_account_on_the_same_origin_only(name: str, planted: Planted) -> None:
    configured = planted.proxy.base_url.removeprefix("http://")
    url = shape(HOSTILE[name], "127.0.0.2:81", configured) + "/api/soap/v1/other-account"
    with pytest.raises(ConfigurationError):
        AsyncClient(planted.client, address=url)
    same = AsyncClient(planted.client, address=planted.client.address.replace("localdemo", "other"))
    assert same.address.endswith("/other-A1B2C3")
