"""The hardened parser refuses what could expand, reach out or exhaust memory."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from boomi_soap._xml import safe as xmlsafe
from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import BoomiSoapError, XMLInputError


def test_parses_plain_xml() -> None:
    assert parse_xml(b"<a xmlns='urn:x'><b>1</b></a>").tag == "{urn:x}a"


@pytest.mark.parametrize(
    "data",
    [
        b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
        b'<!DOCTYPE a SYSTEM "http://127.0.0.1:9/evil.dtd"><a/>',
        b'<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a []><a/>'.encode("utf-16"),
        # No "<!DOCTYPE" in the bytes at all: libxml2 itself is asked, after parsing.
        b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE a +AFs-+AF0-+AD4-+ADw-a/+AD4-',
    ],
    ids=["internal-entity", "external-dtd", "file-entity", "utf16", "utf7-escaped"],
)
def test_doctype_is_refused(data: bytes) -> None:
    with pytest.raises(XMLInputError, match="DOCTYPE declarations are not allowed"):
        parse_xml(data, source="in.xml")


def test_error_names_source_line_and_column() -> None:
    with pytest.raises(XMLInputError) as caught:
        parse_xml(b"<a>\n  <b>\n</a>", source="doc.xml")
    assert caught.value.source == "doc.xml"
    assert caught.value.line == 3
    assert str(caught.value).startswith("doc.xml:3:")
    assert isinstance(caught.value, BoomiSoapError)


@pytest.mark.timeout(30)  # finishes: libxml2's depth limit stops it (timings live in bench/)
def test_deep_nesting_is_bounded() -> None:
    with pytest.raises(XMLInputError):
        parse_xml(b"<a>" * 10_000 + b"</a>" * 10_000)


def test_huge_text_node_is_refused() -> None:
    with pytest.raises(XMLInputError):
        parse_xml(b"<a>" + b"x" * (50 * 1024 * 1024) + b"</a>")


@pytest.mark.parametrize("data", [b"", b"   ", b"\xff\xfe\x00", b"<a>\xff</a>"])
def test_garbage_is_refused(data: bytes) -> None:
    with pytest.raises(XMLInputError):
        parse_xml(data)


def test_one_parser_per_thread() -> None:
    parse_xml(b"<a/>")
    mine = xmlsafe._thread_parser()
    assert xmlsafe._thread_parser() is mine
    other: list[etree.XMLParser] = []
    thread = threading.Thread(target=lambda: other.append(xmlsafe._thread_parser()))
    thread.start()
    thread.join()
    assert other[0] is not mine


@pytest.mark.timeout(60)
def test_the_reused_parser_stays_hardened() -> None:
    for _ in range(3):
        assert parse_xml(b"<a><b>1</b></a>")[0].text == "1"
        with pytest.raises(XMLInputError):
            parse_xml(b"<a>" * 10_000 + b"</a>" * 10_000)
        with pytest.raises(XMLInputError):
            parse_xml(b"<a>\n<b></a>")
        # Below the DOCTYPE check, the parser itself still expands nothing and loads nothing.
        root = etree.fromstring(b'<!DOCTYPE a [<!ENTITY x "expanded">]><a>&x;</a>', xmlsafe._thread_parser())
        assert "expanded" not in etree.tostring(root).decode()


def test_threads_parse_side_by_side() -> None:
    documents = [f"<a><b>{n}</b></a>".encode() for n in range(400)]
    with ThreadPoolExecutor(4) as pool:
        texts = list(pool.map(lambda d: parse_xml(d)[0].text, documents))
    assert texts == [str(n) for n in range(400)]


# -- bounds before any tree work ----------------------------------------------------------

DECLARATIONS = b"".join(b' xmlns:n%d="urn:n%d"' % (i, i) for i in range(160_000))  # issue 22: 3.9 MiB of them


@pytest.mark.parametrize(
    "data",
    [
        b"<r" + DECLARATIONS + b"><a/></r>",
        b'<?xml version="1.0" encoding="UTF-8"?>\n  <r' + DECLARATIONS + b"/>",
        b'<?xml version="1.0" encoding="ISO-8859-1"?><r' + DECLARATIONS + b"/>",
        # Markup in other bytes: parsed (linear), then counted on the tree written out in UTF-8.
        b'<?xml version="1.0" encoding="UTF-7"?><r' + DECLARATIONS + b"/>",
        ("<r" + DECLARATIONS.decode() + "/>").encode("utf-16"),
        ("<r" + DECLARATIONS.decode() + "/>").encode("utf-32"),
        b"<r>" + b"".join(b'<a xmlns:n%d="urn:n"/>' % i for i in range(1_001)) + b"</r>",
    ],
    ids=["utf8", "declared-utf8-indented", "latin1", "utf7", "utf16", "utf32", "spread-over-elements"],
)
def test_more_than_1000_namespace_declarations_are_refused(data: bytes) -> None:
    with pytest.raises(XMLInputError, match="more than 1000 namespace declarations"):
        parse_xml(data, source="answer")


def test_the_bounds_are_the_local_services() -> None:
    from boomi_soap.localservice.config import ServiceConfig

    assert ServiceConfig().max_namespaces == xmlsafe.MAX_NAMESPACES
    assert ServiceConfig().max_elements == xmlsafe.MAX_TAGS


def test_up_to_each_bound_is_read() -> None:
    declarations = b"".join(b' xmlns:n%d="urn:n"' % i for i in range(999))
    assert len(parse_xml(b"<r" + declarations + b"/>").nsmap) == 999
    tags = b"<r>" + b"<a/>" * (xmlsafe.MAX_TAGS - 2) + b"</r>"  # every "<" counts, the end tag too
    assert len(parse_xml(tags)) == xmlsafe.MAX_TAGS - 2
    attributes = b"<r" + b"".join(b' a%d="v"' % i for i in range(xmlsafe.MAX_ELEMENT_ATTRIBUTES)) + b"/>"
    assert len(parse_xml(attributes).attrib) == xmlsafe.MAX_ELEMENT_ATTRIBUTES
    deep = b"<a>" * xmlsafe.MAX_DEPTH + b"</a>" * xmlsafe.MAX_DEPTH
    assert parse_xml(deep).tag == "a"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<r>" + b"<a/>" * 100_000 + b"</r>", "more than 100000 tags"),
        (b"<r" + b"".join(b' a%d="v"' % i for i in range(1_001)) + b"/>", "an element has more than 1000 attributes"),
        (b"<r" + b"".join(b' a%d="v"' % i for i in range(60_000)) + b"/>", "an element has more than 1000 attributes"),
        (b"<r>" + b'<a x="1" y="2" z="3"/>' * 34_000 + b"</r>", "more than 100000 attributes"),
        (b"<a>" * (xmlsafe.MAX_DEPTH + 1) + b"</a>" * (xmlsafe.MAX_DEPTH + 1), "Excessive depth"),
    ],
    ids=["tags", "attributes-on-one-element", "60000-attributes", "attributes", "depth"],
)
def test_each_bound_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(XMLInputError, match=message):
        parse_xml(data)


def test_text_with_many_equals_signs_is_counted_on_the_tree() -> None:
    # 2,000 "=" in one text node bound nothing: the byte count is not conclusive, the tree is.
    data = b'<r a="1">' + b"x = y " * 2_000 + b"</r>"
    assert xmlsafe.check_bounds(data) is False
    assert parse_xml(data).get("a") == "1"


def test_check_bounds_takes_bytes_for_any_driver() -> None:
    assert xmlsafe.check_bounds(b"<a/>") is True
    assert xmlsafe.check_bounds(b'<?xml version="1.0" encoding="UTF-7"?><a/>') is False  # not settled by bytes
    with pytest.raises(XMLInputError, match="namespace declarations"):
        xmlsafe.check_bounds(b"<r" + DECLARATIONS + b"/>", source="answer")


QUERY_ANSWER = (
    b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
    b'<ns4:queryResponse xmlns:ns4="http://soap.api.platform.boomi.com/" xmlns:bns="http://api.platform.boomi.com/"'
    b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><bns:results numberOfResults="1">'
    b'<bns:result xsi:type="bns:Environment" id="e1" name="Production" classification="PROD"/>'
    b"</bns:results></ns4:queryResponse></S:Body></S:Envelope>"
)


@pytest.mark.parametrize("path", ["typed (get)", "zeep (query)"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-7"])
def test_both_client_paths_refuse_160000_declarations(path: str, encoding: str, tmp_path: Path) -> None:
    from boomi_soap.client import Client
    from boomi_soap.credentials import Credentials
    from boomi_soap.exceptions import ResponseError
    from boomi_soap.localservice import DEFAULT_ACCOUNT
    from boomi_soap.settings import ClientSettings, RetryPolicy
    from boomi_soap.snapshot.cache import pinned_store
    from tests.scripted import reply, scripted

    body = QUERY_ANSWER.replace(b"<S:Envelope ", b"<S:Envelope" + DECLARATIONS + b" ")
    if encoding == "utf-7":
        body = b'<?xml version="1.0" encoding="UTF-7"?>' + body
    settings = ClientSettings(rate_limit=None, total_timeout=30, retry=RetryPolicy(max_retries=0))
    with scripted(reply(200, body, {"Content-Type": "text/xml"})) as server:
        client = Client(
            pinned_store().current(DEFAULT_ACCOUNT), Credentials.from_password("u@example.com", "pw"),
            endpoint=f"{server.base_url}/api/soap/v1/{DEFAULT_ACCOUNT}", settings=settings,
            compiled_dir=tmp_path / "compiled",
        )  # fmt: skip
        call = (
            (lambda: list(client.query("Environment")))
            if path == "zeep (query)"
            else (lambda: client.get("Environment", "e1"))
        )
        with pytest.raises(ResponseError, match="more than 1000 namespace declarations"):
            call()
