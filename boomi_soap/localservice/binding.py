"""Request bodies read as a JAX-WS service binds them, where that is looser than the schema.

Boomi's SOAP service is JAX-WS: JAXB unmarshals an ``xs:sequence`` whatever the order
of its children, and reads an empty ``QueryFilter`` as no filter at all (Boomi's
PublishedApi example sends one to mean "everything").  The service validates every
request against the schema; this module gives it the request JAXB would have bound:

- :func:`without_empty_filter`: a ``queryConfig`` whose ``QueryFilter`` holds no
  expression loses it (and is dropped when nothing else is left in it);
- :func:`in_schema_order`: a copy with every child of a wrapper or a named data type
  in its sequence's order, tried only when the request as sent fails validation.

What neither fixes (an unknown element, a missing required one, a bad value) is still
refused with the schema's own message.
"""

from __future__ import annotations

import copy
from typing import Final

from lxml import etree

from boomi_soap.localservice.contract import NS_DATA, NS_XSI, Release, TypeInfo
from boomi_soap.snapshot.contract import Operation

__all__ = ["in_schema_order", "without_empty_filter"]

_XSI_TYPE: Final = f"{{{NS_XSI}}}type"
_FILTER: Final = f"{{{NS_DATA}}}QueryFilter"


def without_empty_filter(operation: Operation | None, payload: etree._Element) -> None:
    """Drop, in place, a query's ``QueryFilter`` that has no expression (and the config it empties)."""
    child = operation.input("queryConfig") if operation is not None and operation.name == "query" else None
    config = payload.find(child.tag) if child is not None else None
    if config is None:
        return
    for found in config.findall(_FILTER):
        if not any(isinstance(node.tag, str) for node in found) and not found.attrib:
            config.remove(found)
    if not any(isinstance(node.tag, str) for node in config):
        payload.remove(config)


def _type_of(release: Release, element: etree._Element, declared: str | None) -> TypeInfo | None:
    prefix, _, local = element.get(_XSI_TYPE, "").rpartition(":")
    if local and element.nsmap.get(prefix or None) == NS_DATA:
        return release.index.types.get(local)
    return release.index.types.get(declared) if declared else None


def _sort(element: etree._Element, order: dict[str, int]) -> bool:
    """Reorder ``element``'s children by ``order`` (unknown ones last, stable); whether anything moved."""
    children = list(element)
    if any(not isinstance(c.tag, str) for c in children) or (element.text or "").strip():
        return False  # comments or text between children: leave the request as it came
    ranked = sorted(children, key=lambda c: order.get(str(c.tag), len(order)))
    if ranked == children:
        return False
    for child in children:
        element.remove(child)
    element.extend(ranked)
    for child, original in zip(ranked, children, strict=True):
        child.tail = original.tail
    return True


def _data(release: Release, element: etree._Element, info: TypeInfo | None, depth: int) -> bool:
    if info is None or depth > 64:
        return False
    moved = _sort(element, {f"{{{NS_DATA}}}{f.name}": i for i, f in enumerate(info.elements)})
    for child in element:
        field = info.element(etree.QName(child).localname) if isinstance(child.tag, str) else None
        if field is not None and not field.builtin:
            moved = _data(release, child, _type_of(release, child, field.type_name), depth + 1) or moved
    return moved


def in_schema_order(release: Release, operation: Operation, payload: etree._Element) -> etree._Element | None:
    """A copy of ``payload`` with children in the schema's sequence order; ``None`` when it already is."""
    copied = copy.deepcopy(payload)
    moved = _sort(copied, {child.tag: i for i, child in enumerate(operation.inputs)})
    for child in operation.inputs:
        declared = etree.QName(child.type).localname if child.type.startswith(f"{{{NS_DATA}}}") else None
        for node in copied.iterfind(child.tag):
            moved = _data(release, node, _type_of(release, node, declared), 0) or moved
    return copied if moved else None
