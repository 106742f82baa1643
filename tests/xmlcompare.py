"""Compare XML by information, not spelling, and put both client paths' results into XML.

Two documents are the same here when they hold the same elements (by namespace URI
and local name), attributes, ``xsi:type`` (resolved to a namespace URI) and
non-blank text, in order; prefixes and indentation are ignored.  An empty element
and an absent one are different, as are ``true`` and ``false``.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from boomi_soap.wire.xmlbind import to_element

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = f"{{{XSI}}}type"

Canon = tuple[str, tuple[tuple[str, str], ...], str, tuple[Any, ...]]


def canon(element: etree._Element) -> Canon:
    """The information of an element, as nested tuples."""
    attributes = []
    for name, value in sorted(element.attrib.items()):
        if name == XSI_TYPE:
            prefix, _, local = value.rpartition(":")
            value = f"{{{element.nsmap.get(prefix or None, '')}}}{local}"
        attributes.append((str(name), str(value)))
    children = tuple(canon(child) for child in element if isinstance(child.tag, str))
    text = (element.text or "").strip()
    return (str(etree.QName(element)), tuple(attributes), text, children)


def body_child(envelope: etree._Element) -> etree._Element:
    """The one element in an envelope's SOAP Body."""
    body = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
    assert body is not None
    children = [c for c in body if isinstance(c.tag, str)]
    assert len(children) == 1
    return children[0]


def zeep_element(value: Any, tag: str, data_namespace: str, *, typed: bool = True) -> etree._Element:
    """Write a value the zeep path returned back as XML (``typed``: with ``xsi:type``), as zeep would send it."""
    element = etree.Element(tag, nsmap={"api": data_namespace, "xsi": XSI})
    xsd_type = value._xsd_type
    xsd_type.render(element, value, None, [etree.QName(tag).localname])
    if typed:
        element.set(XSI_TYPE, f"api:{xsd_type.qname.localname}")
    return element


def typed_element(value: Any, tag: str, *, typed: bool = True) -> etree._Element:
    """Write a value the typed path returned back as XML (``typed``: with ``xsi:type``)."""
    return to_element(value, tag, typed=typed)
