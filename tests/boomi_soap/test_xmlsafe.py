"""The hardened parser refuses what could expand, reach out or exhaust memory."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from lxml import etree

from boomi_soap import xmlsafe
from boomi_soap.exceptions import BoomiSoapError, XMLInputError
from boomi_soap.xmlsafe import parse_xml


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
