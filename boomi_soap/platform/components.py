"""Component XML, kept as written: namespaces, comments and CDATA sections untouched.

A ``Component``'s ``object`` (and ``processOverrides``) is ``xs:anyType``: the component's
own XML.  Read through zeep it would come back as Python objects and go out rebuilt, so
these helpers go around it: they send and read the XML itself (``call_xml``,
validated and rate-limited like every call) and hand over the content of ``object`` as
bytes.  For content already in lxml's serialised form (double-quoted attributes, namespace
declarations first, each where it is first used), what :func:`get_component_xml` returns
is byte for byte what :func:`create_component_xml` or :func:`update_component_xml` sent.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Final
from xml.sax.saxutils import escape

from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import ResponseError
from boomi_soap.platform import steps
from boomi_soap.platform.steps import Steps, drive

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Account, Caller

__all__ = [
    "create_component_xml",
    "create_component_xml_steps",
    "get_component_xml",
    "get_component_xml_steps",
    "update_component_xml",
    "update_component_xml_steps",
]

_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
_WRAP: Final = b"<component-content>", b"</component-content>"


def _wrapper(client: Account, operation: str) -> tuple[etree._Element, str]:
    shape = client.contract.operations[operation]
    data = client.contract.data_namespace
    return etree.Element(shape.request, nsmap={"api": data, "xsi": _XSI}), data


def _tag(client: Account, operation: str, child: str, *, output: bool = False) -> str:
    shape = client.contract.operations[operation]
    found = shape.output(child) if output else shape.input(child)
    if found is None:
        raise ResponseError(operation, f"this account's WSDL has no {child} in {operation}")
    return found.tag


def _component(client: Account, component_id: str) -> Steps[etree._Element]:
    request, _ = _wrapper(client, "get")
    etree.SubElement(request, _tag(client, "get", "objectType")).text = "Component"
    etree.SubElement(request, _tag(client, "get", "objectId")).text = component_id
    answer: etree._Element = yield steps.call_xml(request)
    result = answer.find(_tag(client, "get", "result", output=True))
    if result is None:
        raise ResponseError("get", f"no Component {component_id} in the answer")
    return result


def _content(component: etree._Element, data: str) -> bytes:
    holder = component.find(f"{{{data}}}object")
    if holder is None:
        raise ResponseError("get", "the Component has no object element")
    # A copy of each node declares only the namespaces it uses, not the envelope's.
    return escape(holder.text or "").encode() + b"".join(
        etree.tostring(copy.deepcopy(node), with_tail=True) for node in holder
    )


def _fill(holder: etree._Element, xml: bytes) -> None:
    parsed = parse_xml(_WRAP[0] + xml + _WRAP[1], source="component XML")
    holder.text = parsed.text
    for node in list(holder):
        holder.remove(node)
    for node in list(parsed):
        holder.append(node)


def _send(
    client: Account, operation: str, attributes: dict[str, str], children: list[etree._Element]
) -> Steps[etree._Element]:
    request, _ = _wrapper(client, operation)
    sent = etree.SubElement(request, _tag(client, operation, "object"), attributes)
    sent.set(f"{{{_XSI}}}type", "api:Component")
    sent.extend(children)
    answer: etree._Element = yield steps.call_xml(request)
    result = answer.find(_tag(client, operation, "result", output=True))
    if result is None:
        raise ResponseError(operation, "no Component in the answer")
    return result


def get_component_xml(client: Caller, component_id: str) -> bytes:
    """The XML inside a Component's ``object`` element, as stored."""
    return drive(client, get_component_xml_steps(client, component_id))


def get_component_xml_steps(client: Account, component_id: str) -> Steps[bytes]:
    """The steps of :func:`get_component_xml`."""
    return _content((yield from _component(client, component_id)), client.contract.data_namespace)


def create_component_xml(client: Caller, *, name: str, component_type: str, xml: bytes) -> tuple[str, bytes]:
    """Create a Component from its XML; return its id and the XML as stored.

    Raises:
        XMLInputError: If ``xml`` is not well-formed content.
    """
    return drive(client, create_component_xml_steps(client, name=name, component_type=component_type, xml=xml))


def create_component_xml_steps(
    client: Account, *, name: str, component_type: str, xml: bytes
) -> Steps[tuple[str, bytes]]:
    """The steps of :func:`create_component_xml`."""
    data = client.contract.data_namespace
    holder = etree.Element(f"{{{data}}}object")
    _fill(holder, xml)
    overrides = etree.Element(f"{{{data}}}processOverrides")
    result = yield from _send(client, "create", {"name": name, "type": component_type}, [holder, overrides])
    return result.get("componentId", ""), _content(result, data)


def update_component_xml(client: Caller, component_id: str, xml: bytes) -> bytes:
    """Replace the XML inside a Component's ``object``, keeping everything else as read.

    Returns:
        The XML as stored after the update.

    Raises:
        XMLInputError: If ``xml`` is not well-formed content.
    """
    return drive(client, update_component_xml_steps(client, component_id, xml))


def update_component_xml_steps(client: Account, component_id: str, xml: bytes) -> Steps[bytes]:
    """The steps of :func:`update_component_xml`."""
    current = yield from _component(client, component_id)
    children = [copy.deepcopy(c) for c in current if isinstance(c.tag, str)]
    holder = next((c for c in children if c.tag == f"{{{client.contract.data_namespace}}}object"), None)
    if holder is None:
        raise ResponseError("get", "the Component has no object element")
    _fill(holder, xml)
    attributes = {k: v for k, v in current.attrib.items() if k != f"{{{_XSI}}}type"}
    sent = yield from _send(client, "update", attributes, children)
    return _content(sent, client.contract.data_namespace)
