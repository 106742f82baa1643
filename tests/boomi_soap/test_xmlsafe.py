"""The hardened parser refuses what could expand, reach out or exhaust memory."""

from __future__ import annotations

import pytest

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
    ],
    ids=["internal-entity", "external-dtd", "file-entity", "utf16"],
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
