"""Platform objects as the store keeps them, built and read through the schema index.

A :class:`Record` holds one object as an lxml element in canonical form: tag
``{data}result``, children in the data namespace in schema order, and any nested
``xsi:type`` value in Clark notation (``{namespace}Name``) so it can be re-prefixed
for whatever namespace bindings a response declares.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from lxml import etree

from boomi_soap.localservice.contract import NS_DATA, NS_XSI, Field, SchemaIndex, TypeInfo

__all__ = ["Record", "Value", "build_object", "canonicalise", "emit", "field_values", "id_field", "with_field"]

Value = str | int | float | bool | datetime | None | Mapping[str, "Value"] | list["Value"]

_RESULT: Final = f"{{{NS_DATA}}}result"
_XSI_TYPE: Final = f"{{{NS_XSI}}}type"
_ID_FIELDS: Final = ("id", "deploymentId", "componentId", "executionId", "accountId", "requestId")
# A package is got by its packageId (Packaged Component object page); componentId names what it packages.
_ID_OVERRIDES: Final = {"PackagedComponent": "packageId"}


@dataclass(frozen=True)
class Record:
    """One stored object.

    Attributes:
        type: The object type (``Process``, ``ExecutionRecord`` ...).
        key: Its identifier (the value of :func:`id_field`).
        element: The canonical element; treat as read-only once stored.
    """

    type: str
    key: str
    element: etree._Element


def id_field(info: TypeInfo) -> Field | None:
    """Return the field that identifies objects of this type, if it has one."""
    override = _ID_OVERRIDES.get(info.name)
    for name in (override,) if override else _ID_FIELDS:
        if name in info.attributes:
            return info.attributes[name]
        found = info.element(name)
        if found is not None:
            return found
    return None


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def build_object(index: SchemaIndex, type_name: str, values: Mapping[str, Value]) -> etree._Element:
    """Build a canonical element of ``type_name`` from field values.

    Args:
        index: The schema index.
        type_name: A complex type of the data schema.
        values: Field name to value; a mapping builds a nested complex element, a
            list repeats the element, ``None`` leaves the field out.

    Returns:
        The element, children ordered as the schema's sequence requires.

    Raises:
        KeyError: If a field is not declared on the type.
    """
    info = index.types[type_name]
    element = etree.Element(_RESULT, nsmap={"api": NS_DATA})
    _fill(index, info, element, values)
    return element


def _fill(index: SchemaIndex, info: TypeInfo, element: etree._Element, values: Mapping[str, Value]) -> None:
    unknown = set(values) - set(info.attributes) - {e.name for e in info.elements}
    if unknown:
        raise KeyError(f"{info.name} has no field {sorted(unknown)[0]!r}")
    for name, attribute in info.attributes.items():
        if values.get(name) is not None:
            element.set(attribute.name, _text(values[name]))
    for declared in info.elements:
        value = values.get(declared.name)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            child = etree.SubElement(element, f"{{{NS_DATA}}}{declared.name}")
            if isinstance(item, Mapping):
                _fill(index, index.types[declared.type_name], child, item)
            else:
                child.text = _text(item)


def canonicalise(source: etree._Element, info: TypeInfo | None = None) -> etree._Element:
    """Copy a received object into canonical form (tag, namespaces, xsi:type values).

    Args:
        source: The ``object`` element of a create or update request.
        info: Its type; children it declares ``xs:anyType`` (a Component's ``object``)
            are kept verbatim: prefixes, comments and CDATA sections as received.

    Returns:
        A detached canonical copy; the ``xsi:type`` of the root itself is dropped.
    """
    element = etree.Element(_RESULT, nsmap={"api": NS_DATA})
    _copy(source, element, root=True, verbatim=_verbatim(info))
    return element


def _verbatim(info: TypeInfo | None) -> frozenset[str]:
    if info is None:
        return frozenset()
    return frozenset(f"{{{NS_DATA}}}{e.name}" for e in info.elements if e.type_name == "anyType")


def _copy(
    source: etree._Element, target: etree._Element, *, root: bool = False, verbatim: frozenset[str] = frozenset()
) -> None:
    for name, value in source.attrib.items():
        if name == _XSI_TYPE:
            if not root:
                prefix, _, local = value.rpartition(":")
                target.set(name, f"{{{source.nsmap.get(prefix or None, '')}}}{local}")
            continue
        target.set(name, value)
    target.text = source.text if len(source) == 0 else None
    for child in source:
        if not isinstance(child.tag, str):
            continue  # comments outside free-form content carry nothing worth storing
        if child.tag in verbatim:
            target.append(copy.deepcopy(child))
            continue
        copied = etree.SubElement(target, child.tag)
        _copy(child, copied)


def field_values(record: Record, field: Field) -> list[str]:
    """Return the values of one field of a record (several for a repeated element)."""
    if field.kind == "attribute":
        value = record.element.get(field.name)
        return [] if value is None else [value]
    return [child.text or "" for child in record.element.iterchildren(f"{{{NS_DATA}}}{field.name}")]


def emit(
    parent: etree._Element, tag: str, record: Record, data_prefix: str, info: TypeInfo | None = None
) -> etree._Element:
    """Append a record to a response under ``tag``, typed with ``xsi:type``.

    Args:
        parent: The element to append to; it must have the data namespace and
            ``xsi`` in scope under ``data_prefix`` and ``xsi``.
        tag: Clark name of the new element (``{data}result``, ``{}object`` ...).
        record: The record to write.
        data_prefix: The prefix bound to the data namespace, for ``xsi:type`` values.
        info: The record's type in the release being served; fields it does not
            declare (an object stored under an older release) are left out.

    Returns:
        The appended element.
    """
    out = etree.SubElement(parent, tag)
    out.set(_XSI_TYPE, f"{data_prefix}:{record.type}")
    keep = None
    if info is not None:
        keep = set(info.attributes) | {_XSI_TYPE} | {f"{{{NS_DATA}}}{e.name}" for e in info.elements}
    _emit_into(record.element, out, parent, keep, _verbatim(info))
    return out


def _emit_into(
    source: etree._Element,
    out: etree._Element,
    scope: etree._Element,
    keep: set[str] | None = None,
    verbatim: frozenset[str] = frozenset(),
) -> None:
    for name, value in source.attrib.items():
        if keep is not None and name not in keep:
            continue
        if name == _XSI_TYPE and value.startswith("{"):
            namespace, _, local = value[1:].partition("}")
            prefix = next((p for p, uri in scope.nsmap.items() if uri == namespace), None)
            value = f"{prefix}:{local}" if prefix else local
        out.set(name, value)
    out.text = source.text
    for child in source:
        if keep is not None and child.tag not in keep:
            continue
        if child.tag in verbatim:
            out.append(copy.deepcopy(child))
            continue
        _emit_into(child, etree.SubElement(out, child.tag), scope)


def with_field(info: TypeInfo, element: etree._Element, name: str, value: str) -> None:
    """Set a field on a canonical element in place, keeping schema order for elements.

    Args:
        info: The element's type.
        element: A canonical element of that type.
        name: The attribute or child element to set.
        value: Its text.
    """
    if name in info.attributes:
        element.set(name, value)
        return
    tag = f"{{{NS_DATA}}}{name}"
    existing = element.find(tag)
    if existing is not None:
        existing.text = value
        return
    order = [e.name for e in info.elements]
    position = order.index(name)
    later = {f"{{{NS_DATA}}}{n}" for n in order[position + 1 :]}
    child = etree.Element(tag)
    child.text = value
    for index, sibling in enumerate(element):
        if sibling.tag in later:
            element.insert(index, child)
            return
    element.append(child)
