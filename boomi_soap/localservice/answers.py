"""Answers as sparse as Boomi's: each object with only the fields Boomi's own example shows.

Boomi's answers leave out much of what the schema calls required (an Atom without
``capabilities``, a Process without ``IntegrationPack``), so a test that passes
against complete records says little about the answers a user's code will meet.
With ``ServiceConfig(answers="documented")`` every object the service answers with
(SOAP and REST, XML and JSON, query pages, bulk items, asynchronous results) is cut
down to the fields Boomi's example answers for its type show, nested types included.

The field lists are derived once, when the package is built, from the 2xx response
examples of Boomi's OpenAPI description (``openapi/platformOpenAPISv3.0.3.json``) and
the data schema, into ``openapi/documented_fields.json``; the service reads only that
file.  Rebuild it after the description or the contract changes::

    python -m boomi_soap.localservice.answers

Rules of the derivation: a field counts for a type when any example answer holding
an object of that type (at the top, in a query page, a bulk item or nested) shows it,
JSON and well-formed XML alike; a type no example shows, or whose examples show none of
its declared fields, is answered complete.  What
is always kept, whatever the examples: the ``xsi:type`` and the field that identifies
the object (without it nothing could be got, updated or deleted again), and the
fields of free-form content.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Final

from lxml import etree

from boomi_soap._xml.safe import safe_parser
from boomi_soap.localservice.contract import NS_DATA, NS_XSI, Release, SchemaIndex, TypeInfo
from boomi_soap.localservice.model import id_field

__all__ = ["ANSWERS", "FIELDS_FILE", "derive", "documented_fields", "sparse", "sparse_document"]

ANSWERS: Final = ("complete", "documented")
FIELDS_FILE: Final = "documented_fields.json"
_OPENAPI: Final = "platformOpenAPISv3.0.3.json"
_XSI_TYPE: Final = f"{{{NS_XSI}}}type"


# -- the derivation (build time) ------------------------------------------------------
def _examples(document: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every 2xx response example of the description, as (media type, value)."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if not str(status).startswith("2") or not isinstance(response, dict):
                    continue
                for media, content in (response.get("content") or {}).items():
                    if not isinstance(content, dict):
                        continue
                    if "example" in content:
                        yield media, content["example"]
                    for example in (content.get("examples") or {}).values():
                        if isinstance(example, dict) and "value" in example:
                            yield media, example["value"]


class _Collector:
    """Field names seen per type, walking example answers beside the schema."""

    def __init__(self, index: SchemaIndex) -> None:
        self.index = index
        self.seen: dict[str, set[str]] = {}

    def _field_name(self, info: TypeInfo, key: str) -> tuple[str, str | None] | None:
        """The declared (name, nested complex type or ``None``) for an example's key, if declared."""
        found = info.attributes.get(key) or info.element(key) or info.lookup(key)
        if found is None:
            return None
        nested = None if found.builtin or found.kind == "attribute" else found.type_name
        return found.name, nested

    def _typed(self, named: object, fallback: str | None) -> str | None:
        if isinstance(named, str) and named and named in self.index.types:
            return named
        return fallback if fallback in self.index.types else None

    def json(self, value: Any, type_name: str | None = None, inside: bool = False) -> None:
        """Walk a JSON value; ``inside``: within an object, where every typed part counts."""
        if isinstance(value, list):
            for item in value:
                self.json(item, type_name, inside)
            return
        if not isinstance(value, dict):
            return
        name = self._typed(value.get("@type"), type_name)
        info = self.index.types.get(name) if name else None
        counts = info is not None and (inside or info.is_object)
        if info is not None and counts:
            fields = self.seen.setdefault(info.name, set())
        for key, item in value.items():
            if key == "@type":
                continue
            declared = self._field_name(info, key) if info is not None else None
            if declared is None:
                self.json(item, None, inside=False)  # a wrapper's part: look for objects inside
                continue
            if counts:
                fields.add(declared[0])
            self.json(item, declared[1], inside=counts)

    def xml(self, element: etree._Element, type_name: str | None = None, inside: bool = False) -> None:
        """Walk an XML example the same way."""
        local = etree.QName(element).localname
        given = element.get(_XSI_TYPE, "").rpartition(":")[2]
        name = self._typed(given, type_name) or (self._typed(local, None) if type_name is None else None)
        info = self.index.types.get(name) if name else None
        counts = info is not None and (inside or info.is_object)
        if info is not None and counts:
            fields = self.seen.setdefault(info.name, set())
            for attribute in element.attrib:
                declared = self._field_name(info, etree.QName(attribute).localname)
                if declared is not None and attribute != _XSI_TYPE:
                    fields.add(declared[0])
        for child in element:
            if not isinstance(child.tag, str):
                continue
            declared = self._field_name(info, etree.QName(child).localname) if info is not None else None
            if declared is None:
                self.xml(child, None, inside=False)
                continue
            if counts:
                fields.add(declared[0])
            self.xml(child, declared[1], inside=counts)


def derive(document: Mapping[str, Any], index: SchemaIndex) -> dict[str, list[str]]:
    """The documented fields per type: what Boomi's example answers show (see the module).

    Args:
        document: Boomi's OpenAPI description, parsed.
        index: The data schema the service answers with.

    Returns:
        Type name to its documented field names, sorted.
    """
    collector = _Collector(index)
    parser = safe_parser()
    for media, value in _examples(document):
        if "json" in media:
            collector.json(value)
        elif "xml" in media and isinstance(value, str):
            try:
                root = etree.fromstring(value.strip().encode(), parser)
            except etree.XMLSyntaxError:
                continue  # ten of Boomi's XML examples are not well-formed; their JSON twins count
            collector.xml(root)
    # A type whose examples show none of its declared fields: they do not fit it (Boomi's
    # AtomDiskSpace answer holds AtomDiskSpaceDirectory parts), so they say nothing of it.
    return {name: sorted(fields) for name, fields in sorted(collector.seen.items()) if fields}


def _folder() -> Path:
    return Path(str(resources.files("boomi_soap.localservice") / "openapi"))


def build(release: Release | None = None) -> dict[str, Any]:
    """The content of :data:`FIELDS_FILE`, from the packaged description and the current contract."""
    from boomi_soap.localservice.contract import load_release

    source = _folder() / _OPENAPI
    data = source.read_bytes()
    types = derive(json.loads(data), (release or load_release("current")).index)
    return {
        "source": f"boomi_soap/localservice/openapi/{_OPENAPI}",
        "sha256": hashlib.sha256(data).hexdigest(),
        "rebuild": "python -m boomi_soap.localservice.answers",
        "types": types,
    }


# -- serving (run time) ---------------------------------------------------------------
@functools.cache
def documented_fields() -> Mapping[str, frozenset[str]]:
    """The packaged field lists (:data:`FIELDS_FILE`), read once."""
    raw = json.loads((_folder() / FIELDS_FILE).read_text(encoding="utf-8"))
    return {name: frozenset(fields) for name, fields in raw["types"].items()}


def _prune(element: etree._Element, info: TypeInfo, index: SchemaIndex, fields: Mapping[str, frozenset[str]]) -> None:
    keep = fields.get(info.name)
    key = id_field(info) if info.is_object else None
    for attribute in list(element.attrib):
        if attribute == _XSI_TYPE or keep is None:
            continue
        if attribute not in keep and (key is None or attribute != key.name):
            del element.attrib[attribute]
    declared = {f"{{{NS_DATA}}}{e.name}": e for e in info.elements}
    for child in list(element):
        if not isinstance(child.tag, str):
            continue
        found = declared.get(child.tag)
        if found is None:
            continue
        if keep is not None and found.name not in keep and (key is None or found.name != key.name):
            element.remove(child)
            continue
        if found.builtin or found.type_name == "anyType":
            continue
        nested = _type_of(child, index) or index.types.get(found.type_name)
        if nested is not None:
            _prune(child, nested, index, fields)


def _type_of(element: etree._Element, index: SchemaIndex) -> TypeInfo | None:
    value = element.get(_XSI_TYPE)
    if not value:
        return None
    prefix, _, local = value.rpartition(":")
    if element.nsmap.get(prefix or None) != NS_DATA and not value.startswith(f"{{{NS_DATA}}}"):
        return None
    return index.types.get(local.rpartition("}")[2])


def sparse(answer: etree._Element, index: SchemaIndex) -> None:
    """Cut every object within ``answer`` down to its documented fields, in place.

    An object is an element whose ``xsi:type`` names an object type of ``index``; the
    wrappers around it (a query page, a bulk item) keep all they hold.
    """
    fields = documented_fields()
    stack = [answer]
    while stack:
        element = stack.pop()
        info = _type_of(element, index)
        if info is not None and info.is_object:
            _prune(element, info, index, fields)
            continue
        stack.extend(child for child in element if isinstance(child.tag, str))


def sparse_document(body: bytes, index: SchemaIndex) -> bytes:
    """:func:`sparse` on a serialized answer (the asynchronous ExecutionRecord's, an action's)."""
    root = etree.fromstring(body, safe_parser())
    standalone = root.getroottree().docinfo.standalone  # kept as the answer declared it
    sparse(root, index)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True if standalone else None)


def main() -> int:
    """Rewrite :data:`FIELDS_FILE` next to the packaged description."""
    target = _folder() / FIELDS_FILE
    target.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {target} ({len(json.loads(target.read_text(encoding='utf-8'))['types'])} types)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
