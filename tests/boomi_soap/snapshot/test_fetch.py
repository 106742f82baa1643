"""Downloading a WSDL and its imports: naming, rewriting, origins, limits, failures."""

from __future__ import annotations

import base64
import socket

import pytest
import requests

from boomi_soap._xml.safe import parse_xml
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import FetchError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.snapshot.fetch import fetch_documents, local_name, references
from tests.docserver import doc_server
from tests.scripted import drip, scripted

CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
XML = {"Content-Type": "text/xml"}


def wsdl_importing(location: str) -> bytes:
    return f"""<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:w">
  <types><xs:schema targetNamespace="urn:w"><xs:import namespace="urn:t" schemaLocation="{location}"/></xs:schema></types>
</definitions>""".encode()


def schema(body: str = "", namespace: str = "urn:t") -> bytes:
    return f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{namespace}">{body}</xs:schema>'.encode()


def test_fetches_the_local_service(service_endpoint: Endpoint, contract: str) -> None:
    result = fetch_documents(service_endpoint, CREDENTIALS)
    schemas = 1 if contract == "single" else 2  # the single layout has one schema document
    numbers = range(1, schemas + 1)
    assert [d.path for d in result.documents] == ["service.wsdl", *(f"service.xsd{n}.xsd" for n in numbers)]
    assert [d.url for d in result.documents] == [
        service_endpoint.wsdl_url,
        *(f"{service_endpoint.url}?xsd={n}" for n in numbers),
    ]
    for document in result.documents:
        root = parse_xml(document.content)
        assert [r.get("schemaLocation") for r in references(root)] in (
            [],
            ["service.xsd1.xsd"],
            ["service.xsd1.xsd", "service.xsd2.xsd"],
        )
        assert document.etag
        assert document.last_modified


@pytest.fixture
def service_endpoint(contract: str) -> Endpoint:
    with LocalService(ServiceConfig(rate_limit=None, contract=contract)) as running:
        yield Endpoint(DEFAULT_ACCOUNT, running.base_url, running.flavour)


def test_relative_includes_and_shared_imports_are_fetched_once() -> None:
    routes = {
        "/api/soap/v1/acct?wsdl": (200, XML, wsdl_importing("schemas/main.xsd")),
        "/api/soap/v1/schemas/main.xsd": (
            200,
            XML,
            schema(
                '<xs:include schemaLocation="part.xsd"/><xs:import namespace="urn:c" schemaLocation="/common/c.xsd?v=2"/>'
            ),
        ),
        "/api/soap/v1/schemas/part.xsd": (
            200,
            XML,
            schema('<xs:import namespace="urn:c" schemaLocation="../../../../common/c.xsd?v=2"/>'),
        ),
        "/common/c.xsd?v=2": (200, XML, schema(namespace="urn:c")),
    }
    with doc_server(routes) as server:
        result = fetch_documents(Endpoint("acct", server.base_url), CREDENTIALS)
        paths = [d.path for d in result.documents]
        assert paths == ["service.wsdl", "main.xsd", "part.xsd", "c.xsd"]
        assert [s.path for s in server.seen] == [
            "/api/soap/v1/acct?wsdl",
            "/api/soap/v1/schemas/main.xsd",
            "/api/soap/v1/schemas/part.xsd",
            "/common/c.xsd?v=2",
        ]
        main = parse_xml(result.documents[1].content)
        assert [r.get("schemaLocation") for r in references(main)] == ["part.xsd", "c.xsd"]


def test_credentials_only_go_to_the_wsdl_origin() -> None:
    with doc_server({"/evil.xsd": (200, XML, schema())}) as other:
        routes = {"/api/soap/v1/acct?wsdl": (200, XML, wsdl_importing(f"{other.base_url}/evil.xsd"))}
        with doc_server(routes) as server:
            with pytest.raises(FetchError, match="another origin"):
                fetch_documents(Endpoint("acct", server.base_url), CREDENTIALS)
            expected = "Basic " + base64.b64encode(f"{DEFAULT_USER}:{DEFAULT_PASSWORD}".encode()).decode()
            assert server.seen[0].authorization == expected
        assert other.seen == []


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ((302, {"Location": "http://127.0.0.1:9/x"}, b""), "redirect to http://127.0.0.1:9/x not followed"),
        ((401, {}, b"no"), f"HTTP 401: the credentials of {DEFAULT_USER} were refused"),
        ((500, {}, b"oops"), "HTTP 500"),
        ((200, XML, b"<html><body>login</body></html>"), "not a WSDL or schema but an HTML page"),
        ((200, XML, b"<!DOCTYPE html><html><body>login</body></html>"), "not a WSDL or schema but an HTML page"),
        ((200, XML, b"not xml at all"), "not a usable XML document"),
        ((200, XML, b'<!DOCTYPE x [<!ENTITY a "b">]><x/>'), "DOCTYPE declarations are not allowed"),
    ],
)
def test_failures_are_fetch_errors(route: tuple[int, dict[str, str], bytes], message: str) -> None:
    with doc_server({"/api/soap/v1/acct?wsdl": route}) as server, pytest.raises(FetchError) as caught:
        fetch_documents(Endpoint("acct", server.base_url), CREDENTIALS)
    assert message in str(caught.value)
    assert DEFAULT_PASSWORD not in str(caught.value)


def test_size_limit() -> None:
    big = schema("<!--" + "x" * 5000 + "-->")
    with (
        doc_server({"/api/soap/v1/acct?wsdl": (200, XML, big)}) as server,
        pytest.raises(FetchError, match="exceeds the limit of 1000"),
    ):
        fetch_documents(Endpoint("acct", server.base_url), CREDENTIALS, max_bytes=1000)


@pytest.mark.timeout(30)  # finishes: without the read timeout it would wait for ever
def test_read_timeout_is_bounded() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        endpoint = Endpoint("acct", f"http://127.0.0.1:{silent.getsockname()[1]}")
        with pytest.raises(FetchError, match=r"timed out \(connect 0.5 s, read 0.5 s\)"):
            fetch_documents(endpoint, CREDENTIALS, timeout=(0.5, 0.5))


def test_connection_refused_names_the_url() -> None:
    with pytest.raises(FetchError) as caught:
        fetch_documents(Endpoint("acct", "http://127.0.0.1:9"), CREDENTIALS, timeout=(0.5, 0.5))
    assert caught.value.url == "http://127.0.0.1:9/api/soap/v1/acct?wsdl"


def test_a_session_can_be_injected(service_endpoint: Endpoint, contract: str) -> None:
    session = requests.Session()
    result = fetch_documents(service_endpoint, CREDENTIALS, session=session)
    assert len(result.documents) == (2 if contract == "single" else 3)  # the WSDL and its schema documents
    session.close()


@pytest.mark.parametrize(
    ("url", "is_wsdl", "expected"),
    [
        ("https://h/api/soap/v1/a?wsdl", True, "service.wsdl"),
        ("https://h/api/soap/v1/a?xsd=1", False, "service.xsd1.xsd"),
        ("https://h/api/soap/v1/a?wsdl=2", True, "service.wsdl2.wsdl"),
        ("https://h/x/Types%20&Stuff.xsd", False, "Types_20_Stuff.xsd"),
        ("https://h/../../etc/passwd", False, "passwd.xsd"),
        ("https://h/", False, "document.xsd"),
    ],
)
def test_local_names_are_safe(url: str, is_wsdl: bool, expected: str) -> None:
    assert local_name(url, is_wsdl=is_wsdl, taken=set()) == expected


def test_local_name_collisions_get_a_hash() -> None:
    first = local_name("https://h/a/types.xsd", is_wsdl=False, taken=set())
    second = local_name("https://h/b/types.xsd", is_wsdl=False, taken={first})
    assert first == "types.xsd"
    assert second.startswith("types-")
    assert second.endswith(".xsd")


@pytest.mark.timeout(30)  # finishes: the drip alone would take 14 hours
def test_a_dripped_document_is_cut_at_the_fetch_deadline() -> None:
    with (
        scripted(drip(0.1, headers_first=True)) as server,
        pytest.raises(FetchError, match=r"did not finish within its total timeout of 0\.5 s"),
    ):
        fetch_documents(Endpoint("acct", server.base_url), CREDENTIALS, timeout=(5, 5), total_timeout=0.5)


def test_the_total_size_of_a_fetch_is_capped() -> None:
    parts = "".join(f'<xs:import namespace="urn:{n}" schemaLocation="p{n}.xsd"/>' for n in range(5))
    routes = {"/api/soap/v1/acct?wsdl": (200, XML, wsdl_importing("main.xsd"))}
    routes["/api/soap/v1/main.xsd"] = (200, XML, schema(parts))
    for n in range(5):
        routes[f"/api/soap/v1/p{n}.xsd"] = (200, XML, schema("<!--" + "x" * 3000 + "-->", namespace=f"urn:{n}"))
    with doc_server(routes) as server:
        with pytest.raises(FetchError, match="exceed the total limit of"):
            fetch_documents(Endpoint("acct", server.base_url), CREDENTIALS, max_bytes=5000, max_total_bytes=10_000)
        assert len(server.seen) < 7  # stopped before the last documents
        assert len(fetch_documents(Endpoint("acct", server.base_url), CREDENTIALS).documents) == 7


def test_an_import_with_user_information_is_refused_unechoed() -> None:
    with doc_server() as server:
        port = server.base_url.rsplit(":", 1)[1]
        server.routes["/api/soap/v1/acct?wsdl"] = (
            200, XML, wsdl_importing(f"http://u:hunter2@127.0.0.1:{port}/x.xsd"),
        )  # fmt: skip
        with pytest.raises(FetchError, match="a URL with user information") as refused:
            fetch_documents(Endpoint("acct", server.base_url), CREDENTIALS)
        assert "hunter2" not in str(refused.value)
        assert [s.path for s in server.seen] == ["/api/soap/v1/acct?wsdl"]


def test_https_to_a_plain_http_port_says_so() -> None:
    with doc_server({}) as server:
        https = server.base_url.replace("http://", "https://")
        with pytest.raises(FetchError) as refused:
            fetch_documents(Endpoint("acct", https), CREDENTIALS)
    assert str(refused.value) == (
        f"{https}/api/soap/v1/acct?wsdl: does not speak TLS: the port answers plain HTTP (use http://, or the https port)"
    )
