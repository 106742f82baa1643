"""The part of a snapshot's schemas that its operation wrappers need, for a reader that reads every declaration.

zeep reads every declaration of every schema a WSDL imports, so the time it takes to
build even one request grows with the schema: 400 object types cost it several times
what 40 do.  Building a request from plain values (strings, numbers, dictionaries and
lists of them) needs only the declarations the WSDL's message parts name, and what
those name in turn (types, bases, element and group references, list and union
members): :func:`wrapper_subset` gives each schema document reduced to those, in their
order, everything else about the documents (namespaces, imports, attributes) as it is.

The walk follows every reference a declaration can make.  Documents it could not
follow completely are left whole (``None``): an ``xs:include``, ``xs:redefine`` or
``xs:override``, a substitution group (which adds members to an element from
elsewhere), a declaration made inline in the WSDL's ``types``, or a WSDL import.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from lxml import etree

from boomi_soap.snapshot.contract import parsed

__all__ = ["wrapper_subset"]

NS_XS: Final = "http://www.w3.org/2001/XMLSchema"
NS_WSDL: Final = "http://schemas.xmlsoap.org/wsdl/"
# The symbol space of each top-level declaration (complex and simple types share one).
_SPACES: Final = {
    f"{{{NS_XS}}}complexType": "type",
    f"{{{NS_XS}}}simpleType": "type",
    f"{{{NS_XS}}}element": "element",
    f"{{{NS_XS}}}group": "group",
    f"{{{NS_XS}}}attributeGroup": "attributeGroup",
    f"{{{NS_XS}}}attribute": "attribute",
}
# What a reference by ``ref`` names, by the referring node's tag.
_REF_SPACES: Final = {
    f"{{{NS_XS}}}element": "element",
    f"{{{NS_XS}}}group": "group",
    f"{{{NS_XS}}}attributeGroup": "attributeGroup",
    f"{{{NS_XS}}}attribute": "attribute",
}
_TYPE_ATTRIBUTES: Final = ("type", "base", "itemType", "memberTypes")
_UNFOLLOWED: Final = frozenset(f"{{{NS_XS}}}{tag}" for tag in ("include", "redefine", "override"))
_KEPT: Final = frozenset({f"{{{NS_XS}}}import", f"{{{NS_XS}}}annotation"})

_Key = tuple[str, str, str]  # (symbol space, namespace, local name)


class _UnfollowedError(Exception):
    """A construct the walk does not follow: the documents stay whole."""


def _qname(node: etree._Element, value: str) -> tuple[str, str]:
    prefix, _, local = value.rpartition(":")
    namespace = node.nsmap.get(prefix or None)
    if namespace is None and prefix:
        raise _UnfollowedError(f"prefix {prefix!r} is not declared")
    return namespace or "", local


def _references(declaration: etree._Element) -> set[_Key]:
    """Every declaration ``declaration`` (and what it holds) names."""
    found: set[_Key] = set()
    for node in declaration.iter(etree.Element):
        ref = node.get("ref")
        if ref is not None:
            found.add((_REF_SPACES.get(str(node.tag), "element"), *_qname(node, ref)))
        for attribute in _TYPE_ATTRIBUTES:
            for value in (node.get(attribute) or "").split():
                found.add(("type", *_qname(node, value)))
    return found


def wrapper_subset(wsdl: Path, schemas: Mapping[str, Path]) -> dict[str, bytes] | None:
    """Each schema document reduced to what the WSDL's message parts need, by file name.

    Args:
        wsdl: The snapshot's WSDL.
        schemas: The snapshot's schema documents, by file name.

    Returns:
        The reduced documents, or ``None`` when the walk cannot follow them completely
        (see the module's docstring) or a part names nothing declared: use them whole.
    """
    return _subset(wsdl.resolve(), tuple(sorted((name, path.resolve()) for name, path in schemas.items())))


@functools.lru_cache(maxsize=8)
def _subset(wsdl_path: Path, schemas: tuple[tuple[str, Path], ...]) -> dict[str, bytes] | None:
    wsdl = parsed(wsdl_path)
    documents = {name: parsed(path) for name, path in schemas}
    try:
        return _reduce(wsdl, documents)
    except _UnfollowedError:
        return None


def _reduce(wsdl: etree._Element, documents: dict[str, etree._Element]) -> dict[str, bytes] | None:
    if wsdl.find(f"{{{NS_WSDL}}}import") is not None:
        raise _UnfollowedError("a WSDL import")
    for schema in wsdl.iterfind(f"{{{NS_WSDL}}}types/{{{NS_XS}}}schema"):
        if any(isinstance(c.tag, str) and c.tag not in _KEPT for c in schema):
            raise _UnfollowedError("a schema declared inline in the WSDL")
    declared: dict[_Key, etree._Element] = {}
    for root in documents.values():
        if root.tag != f"{{{NS_XS}}}schema":
            raise _UnfollowedError("a document that is not a schema")
        if root.xpath("boolean(//*[@substitutionGroup])"):  # its members may stand anywhere the head does
            raise _UnfollowedError("a substitution group")
        namespace = root.get("targetNamespace", "")
        for node in root.iterchildren(etree.Element):
            if node.tag in _UNFOLLOWED:
                raise _UnfollowedError(str(node.tag))
            space = _SPACES.get(str(node.tag))
            if space is not None:
                declared[(space, namespace, node.get("name", ""))] = node
    todo: list[_Key] = []
    for part in wsdl.iterfind(f"{{{NS_WSDL}}}message/{{{NS_WSDL}}}part"):
        for attribute, space in (("element", "element"), ("type", "type")):
            value = part.get(attribute)
            if value is not None:
                todo.append((space, *_qname(part, value)))
    needed: set[_Key] = set()
    while todo:
        key = todo.pop()
        if key in needed:
            continue
        found = declared.get(key)
        if found is None:
            if key[0] == "element" or key[1] != NS_XS:  # the XSD's own types are built in
                return None
            continue
        needed.add(key)
        todo += [k for k in _references(found) if k not in needed]
    reduced: dict[str, bytes] = {}
    for name, root in documents.items():
        namespace = root.get("targetNamespace", "")
        # A new document of the kept children: removing the others one by one costs more.
        kept = etree.Element(root.tag, dict(root.attrib), nsmap=root.nsmap)
        for node in root.iterchildren(etree.Element):
            space = _SPACES.get(str(node.tag))
            if space is None or (space, namespace, node.get("name", "")) in needed:
                kept.append(copy.deepcopy(node))
        reduced[name] = etree.tostring(kept, xml_declaration=True, encoding="UTF-8")
    return reduced
