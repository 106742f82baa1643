"""The JSON form of the AtomSphere data schema, as Boomi's RESTish API writes it.

Boomi serves the same schema as XML or JSON.  In JSON an object carries ``"@type"``
with its XML type name (``""`` for an anonymous type); attributes and child elements
both become plain keys; an element that may repeat (``maxOccurs > 1``) becomes an
array named like the element, even with one item; booleans and numbers are JSON
booleans and numbers where the schema says so, dateTimes stay strings.  ``@type`` is
optional in requests: the declared type is taken then, and for an abstract declared
type (a QueryFilter ``expression``, a bulk ``request``) the one concrete type whose
fields fit the keys given.

:class:`JsonForm` converts both ways from a compact table read once per snapshot
from its schema documents (with the hardened parser; no xmlschema, no network).  The
namespace and qualification of every element, the order of children and the
``xsi:type`` of derived types come from that table, so the same code serves every
contract layout.  Problems are one-line :class:`~boomi_soap.exceptions.JsonFormError`
messages naming the JSON path (``$.QueryFilter.expression.argument[1]``), never a value.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import JsonFormError
from boomi_soap.settings import DEFAULT_MAX_RESPONSE_BYTES

if TYPE_CHECKING:
    from boomi_soap.snapshot.cache import Snapshot

__all__ = ["MAX_DEPTH", "MAX_TEXT", "JsonForm", "dumps", "loads", "xml_text"]

_log = logging.getLogger("boomi_soap.jsonform")
NS_XS: Final = "http://www.w3.org/2001/XMLSchema"
NS_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
_XSI_TYPE: Final = f"{{{NS_XSI}}}type"
_XS: Final = f"{{{NS_XS}}}"

MAX_DEPTH: Final = 256
"""Deepest nesting of objects converted (libxml2's own default limit for XML)."""
MAX_TEXT: Final = 10_000_000
"""Longest string value converted (libxml2's limit for one text node without ``huge_tree``)."""

_INTEGERS: Final = frozenset(
    {
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
        "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    }
)  # fmt: skip
_FLOATS: Final = frozenset({"double", "float", "decimal"})
_ANY: Final = frozenset({"anyType", "anySimpleType"})

# Value kinds of a field: how its text reads and writes in JSON.
STRING: Final = "string"
BOOLEAN: Final = "boolean"
INTEGER: Final = "integer"
NUMBER: Final = "number"
ANY: Final = "any"
COMPLEX: Final = "complex"


@dataclass(frozen=True, slots=True)
class _Field:
    """One attribute or child element of a complex type."""

    key: str  # the JSON key: the local name
    name: str  # attribute name or element Clark name
    attribute: bool
    kind: str  # STRING, BOOLEAN, INTEGER, NUMBER, ANY or COMPLEX
    type: str  # for COMPLEX: the key of the type in the table
    repeated: bool = False
    required: bool = False


@dataclass(slots=True)
class _Type:
    """One complex type: its fields in schema order (bases first)."""

    key: str  # "{ns}Name", or "{ns}Owner/element" for an anonymous type
    name: str  # the JSON @type: the local name, "" when anonymous
    abstract: bool = False
    base: str = ""
    fields: tuple[_Field, ...] = ()
    attributes: tuple[_Field, ...] = ()
    elements: tuple[_Field, ...] = ()
    by_key: dict[str, _Field] = field(default_factory=dict)
    by_tag: dict[str, _Field] = field(default_factory=dict)
    derived: tuple[str, ...] = ()  # every concrete type deriving from this one, by key
    problem: str = ""  # a construct this form cannot map; raised when the type is used
    filled: bool = False

    def describe(self) -> str:
        """The type's name for messages."""
        owner = self.key.rpartition("}")[2].rpartition("/")[2]
        return self.name or f"the anonymous type of {owner}"


def _resolve(node: etree._Element, qname: str) -> str:
    prefix, _, local = qname.rpartition(":")
    namespace = node.nsmap.get(prefix or None)
    if namespace is None and prefix:
        raise JsonFormError(f"prefix {prefix!r} is not declared", path=f"schema line {node.sourceline}")
    return f"{{{namespace or ''}}}{local}"


class _Reader:
    """Reads schema documents into the table (complex types, simple type kinds, global elements)."""

    def __init__(self, roots: Iterable[etree._Element]) -> None:
        self.roots = [r for r in roots if r.tag == f"{_XS}schema"]
        self.simple: dict[str, etree._Element] = {}
        self.complex: dict[str, etree._Element] = {}
        self.global_elements: dict[str, etree._Element] = {}
        self.types: dict[str, _Type] = {}
        self.nodes: dict[str, etree._Element] = {}  # type key -> its xs:complexType
        self.elements: dict[str, str] = {}  # global element Clark name -> type key
        for root in self.roots:
            namespace = root.get("targetNamespace", "")
            for node in root.iterchildren(f"{_XS}simpleType"):
                self.simple[f"{{{namespace}}}{node.get('name', '')}"] = node
            for node in root.iterchildren(f"{_XS}complexType"):
                self.complex[f"{{{namespace}}}{node.get('name', '')}"] = node
            for node in root.iterchildren(f"{_XS}element"):
                self.global_elements[f"{{{namespace}}}{node.get('name', '')}"] = node

    def read(self) -> None:
        for key, node in self.complex.items():
            self._complex(key, node, etree.QName(key).localname)
        for tag, node in self.global_elements.items():
            kind, type_key = self._element_type(node, f"element:{tag}")
            if kind == COMPLEX:
                self.elements[tag] = type_key
        for item in list(self.types.values()):
            self._fill(item)
        children: dict[str, list[str]] = {}
        for item in self.types.values():
            if item.base:
                children.setdefault(item.base, []).append(item.key)
        for item in self.types.values():
            found: list[str] = []
            pending = list(children.get(item.key, ()))
            while pending:
                key = pending.pop()
                if not self.types[key].abstract:
                    found.append(key)
                pending.extend(children.get(key, ()))
            item.derived = tuple(sorted(found))

    def _simple_kind(self, type_name: str) -> str:
        seen = 0
        while True:
            qname = etree.QName(type_name)
            if qname.namespace == NS_XS:
                local = qname.localname
                if local == "boolean":
                    return BOOLEAN
                if local in _INTEGERS:
                    return INTEGER
                if local in _FLOATS:
                    return NUMBER
                return ANY if local in _ANY else STRING
            node = self.simple.get(type_name)
            restriction = node.find(f"{_XS}restriction") if node is not None else None
            if restriction is None or not restriction.get("base") or seen > 32:
                return STRING  # lists, unions and unknown simple types travel as their text
            type_name = _resolve(restriction, restriction.get("base", ""))
            seen += 1

    def _element_type(self, node: etree._Element, owner: str) -> tuple[str, str]:
        """The kind and, for a complex element, the type key of an element declaration."""
        inline = node.find(f"{_XS}complexType")
        if inline is not None:
            if owner not in self.types:
                self._complex(owner, inline, "")
            return COMPLEX, owner
        simple = node.find(f"{_XS}simpleType")
        if simple is not None:
            restriction = simple.find(f"{_XS}restriction")
            base = restriction.get("base") if restriction is not None else None
            return (self._simple_kind(_resolve(restriction, base)) if restriction is not None and base else STRING), ""
        if not node.get("type"):
            return ANY, ""
        type_name = _resolve(node, node.get("type", ""))
        if type_name in self.complex:
            return COMPLEX, type_name
        if type_name in (f"{{{NS_XS}}}anyType",):
            return ANY, ""
        return self._simple_kind(type_name), ""

    def _complex(self, key: str, node: etree._Element, name: str) -> None:
        item = _Type(key, name, abstract=node.get("abstract") in ("true", "1"))
        self.types[key] = item
        self.nodes[key] = node

    def _fill(self, item: _Type) -> None:
        if item.filled:
            return
        item.filled = True
        node = self.nodes[item.key]
        root = node.getroottree().getroot()
        namespace = root.get("targetNamespace", "")
        qualified = root.get("elementFormDefault") == "qualified"
        attr_qualified = root.get("attributeFormDefault") == "qualified"
        content = node
        base_fields: tuple[_Field, ...] = ()
        for unsupported in ("simpleContent", "group", "attributeGroup", "choice", "all", "any", "anyAttribute"):
            if node.find(f".//{_XS}{unsupported}") is not None and not self._inside_nested(node, unsupported):
                item.problem = f"{item.describe()} uses xs:{unsupported}, which has no JSON form here"
                return
        complex_content = node.find(f"{_XS}complexContent")
        if complex_content is not None:
            extension = complex_content.find(f"{_XS}extension")
            if extension is None:
                item.problem = f"{item.describe()} restricts another type, which has no JSON form here"
                return
            base = _resolve(extension, extension.get("base", ""))
            if base in self.types:
                item.base = base
                self._fill(self.types[base])
                if self.types[base].problem:
                    item.problem = self.types[base].problem
                    return
                base_fields = self.types[base].fields
            content = extension
        own: list[_Field] = []
        for decl in content.iterfind(f"{_XS}sequence/{_XS}element"):
            own.append(self._child(decl, item, namespace, qualified))
        for decl in content.iterfind(f"{_XS}attribute"):
            own.append(self._attribute(decl, namespace, attr_qualified))
        fields = base_fields + tuple(own)
        item.fields = fields
        item.attributes = tuple(f for f in fields if f.attribute)
        item.elements = tuple(f for f in fields if not f.attribute)
        for f in fields:
            if f.key in item.by_key or f.key == "@type":
                item.problem = f"{item.describe()} has two fields called {f.key}, which JSON cannot tell apart"
                return
            item.by_key[f.key] = f
            if not f.attribute:
                item.by_tag[f.name] = f

    def _inside_nested(self, node: etree._Element, construct: str) -> bool:
        """Whether every ``construct`` under ``node`` belongs to a nested anonymous type (read on its own)."""
        for found in node.iterfind(f".//{_XS}{construct}"):
            parent = found.getparent()
            while parent is not None and parent is not node:
                if parent.tag == f"{_XS}complexType":
                    break
                parent = parent.getparent()
            if parent is node:
                return False
        return True

    def _child(self, decl: etree._Element, owner: _Type, namespace: str, qualified: bool) -> _Field:
        repeated = decl.get("maxOccurs", "1") != "1"
        required = int(decl.get("minOccurs", "1")) > 0
        ref = decl.get("ref")
        if ref:
            tag = _resolve(decl, ref)
            target = self.global_elements.get(tag)
            if target is None:
                raise JsonFormError(f"{tag} is not a declared element", path=f"schema line {decl.sourceline}")
            kind, type_key = self._element_type(target, f"element:{tag}")
        else:
            form = decl.get("form")
            local = decl.get("name", "")
            tag = f"{{{namespace}}}{local}" if (form == "qualified" if form else qualified) else local
            kind, type_key = self._element_type(decl, f"{owner.key}/{local}")
        if kind == COMPLEX:
            self._fill(self.types[type_key])  # an anonymous type met here for the first time
        return _Field(etree.QName(tag).localname, tag, False, kind, type_key, repeated, required)

    def _attribute(self, decl: etree._Element, namespace: str, qualified: bool) -> _Field:
        ref = decl.get("ref")
        if ref:
            name = _resolve(decl, ref)
            return _Field(etree.QName(name).localname, name, True, STRING, "", False, decl.get("use") == "required")
        local = decl.get("name", "")
        form = decl.get("form")
        name = f"{{{namespace}}}{local}" if (form == "qualified" if form else qualified) else local
        simple = decl.find(f"{_XS}simpleType/{_XS}restriction")
        if simple is not None and simple.get("base"):
            kind = self._simple_kind(_resolve(simple, simple.get("base", "")))
        elif decl.get("type"):
            kind = self._simple_kind(_resolve(decl, decl.get("type", "")))
        else:
            kind = STRING
        return _Field(local, name, True, kind if kind != ANY else STRING, "", False, decl.get("use") == "required")


def _path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if key.isidentifier() or key.startswith("@") else f"{parent}[{json.dumps(key)}]"


class JsonForm:
    """Exact conversion between elements of an account's schema and Boomi's JSON form.

    Build one with :meth:`of` (per snapshot, cached) or :meth:`from_files`; it holds no
    per-call state, so one instance serves every thread.
    """

    def __init__(self, types: Mapping[str, _Type], elements: Mapping[str, str], namespaces: Iterable[str]) -> None:
        """Wrap a table read by :meth:`from_files` (use that, or :meth:`of`)."""
        self._types = dict(types)
        self._elements = dict(elements)
        self._by_name: dict[str, list[_Type]] = {}
        self._by_lower: dict[str, list[_Type]] = {}
        for item in self._types.values():
            if item.name:
                self._by_name.setdefault(item.name, []).append(item)
                self._by_lower.setdefault(item.name.lower(), []).append(item)
        self._declared = {f.type for item in self._types.values() for f in item.elements if f.kind == COMPLEX}
        self._declared.update(self._elements.values())
        ordered = [ns for ns in dict.fromkeys(namespaces) if ns]
        self._nsmap: dict[str, str] = {"xsi": NS_XSI}
        for index, namespace in enumerate(ordered):
            self._nsmap["api" if index == 0 else f"ns{index}"] = namespace
        self._prefix = {namespace: prefix for prefix, namespace in self._nsmap.items()}

    @classmethod
    def of(cls, snapshot: Snapshot) -> JsonForm:
        """The JSON form of a snapshot's schemas, built once per snapshot (by its identity)."""
        paths = tuple(sorted(str(snapshot.directory / entry.path) for entry in snapshot.files))
        return _cached(snapshot.snapshot_sha256 or snapshot.sha256, paths)

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> JsonForm:
        """Read the schema documents among ``paths`` (and schemas inlined in a WSDL among them).

        Raises:
            XMLInputError: If a document is not well-formed.
            JsonFormError: If a schema refers to a prefix or element it does not declare.
        """
        roots: list[etree._Element] = []
        for path in paths:
            root = parse_xml(Path(path).read_bytes(), source=str(path))
            if root.tag == f"{_XS}schema":
                roots.append(root)
            else:  # a WSDL: its types section may hold schemas of its own; any other document has none
                roots.extend(root.iterfind(f"{{http://schemas.xmlsoap.org/wsdl/}}types/{_XS}schema"))
        reader = _Reader(roots)
        reader.read()
        counts: dict[str, int] = {}
        for key in reader.complex:
            namespace = etree.QName(key).namespace or ""
            counts[namespace] = counts.get(namespace, 0) + 1
        namespaces = sorted(counts, key=lambda ns: -counts[ns])  # the data namespace (most types) gets "api"
        return cls(reader.types, reader.elements, namespaces)

    @property
    def elements(self) -> tuple[str, ...]:
        """Clark names of the global elements with a complex type, sorted."""
        return tuple(sorted(self._elements))

    # -- XML -> JSON -------------------------------------------------------------------

    def to_json(self, element: etree._Element) -> dict[str, Any]:
        """The JSON form of an element declared in the schemas, or typed by ``xsi:type``.

        Raises:
            JsonFormError: If the element is not declared, or its content breaks the
                schema in a way the JSON form cannot carry (unknown child or attribute,
                a number or boolean that does not read as one, too deep).
        """
        tag = str(etree.QName(element))
        key = self._elements.get(tag)
        declared = self._types[key] if key is not None else None
        if declared is None and element.get(_XSI_TYPE) is None:
            raise JsonFormError(f"{tag} is not an element of the schema and has no xsi:type", path="$")
        return self._out(element, declared, "$", 0)

    def _xsi_type(self, element: etree._Element, declared: _Type | None, path: str) -> _Type:
        raw = element.get(_XSI_TYPE)
        if raw is None:
            assert declared is not None
            return declared
        prefix, _, local = raw.strip().rpartition(":")
        namespace = element.nsmap.get(prefix or None, "")
        found = self._types.get(f"{{{namespace}}}{local}")
        if found is None:
            raise JsonFormError(f"xsi:type {local} is not a type of the schema", path=path)
        if declared is not None and found is not declared and found.key not in declared.derived:
            raise JsonFormError(f"xsi:type {local} is not derived from {declared.describe()}", path=path)
        return found

    def _out(self, element: etree._Element, declared: _Type | None, path: str, depth: int) -> dict[str, Any]:
        if depth >= MAX_DEPTH:
            raise JsonFormError(f"nested deeper than {MAX_DEPTH} levels", path=path)
        item = self._xsi_type(element, declared, path)
        if item.problem:
            raise JsonFormError(item.problem, path=path)
        if item.abstract:
            raise JsonFormError(f"{item.describe()} is abstract and the element has no xsi:type", path=path)
        out: dict[str, Any] = {"@type": item.name}
        for attribute in element.attrib:
            name = str(attribute)
            if name.startswith(f"{{{NS_XSI}}}"):
                continue
            found = item.by_key.get(etree.QName(name).localname)
            if found is None or not found.attribute or found.name != name:
                raise JsonFormError(f"{item.describe()} has no attribute {name}", path=path)
        for f in item.attributes:
            text = element.get(f.name)
            if text is not None:
                out[f.key] = _value_out(text, f.kind, _path(path, f.key))
        if element.text is not None and element.text.strip():
            raise JsonFormError(f"{item.describe()} has no text content", path=path)
        values: dict[str, list[Any]] = {}
        for child in element:
            if not isinstance(child.tag, str):
                continue  # comments and processing instructions carry no data
            tag = str(child.tag)
            found = item.by_tag.get(tag)
            if found is None:
                raise JsonFormError(f"{item.describe()} has no child {tag}", path=path)
            items = values.setdefault(found.key, [])
            where = _path(path, found.key) + (f"[{len(items)}]" if found.repeated else "")
            if not found.repeated and items:
                raise JsonFormError(f"{found.key} appears more than once", path=where)
            if child.tail is not None and child.tail.strip():
                raise JsonFormError(f"{item.describe()} has no text content", path=path)
            if found.kind == COMPLEX:
                items.append(self._out(child, self._types[found.type], where, depth + 1))
            else:
                if len(child):
                    raise JsonFormError(f"{found.key} holds elements, which have no JSON form here", path=where)
                items.append(_value_out(child.text or "", found.kind, where))
        for f in item.elements:
            got = values.get(f.key)
            if got is not None:
                out[f.key] = got if f.repeated else got[0]
        return out

    # -- JSON -> XML -------------------------------------------------------------------

    def from_json(
        self, data: Mapping[str, Any], tag: str, *, parent: etree._Element | None = None, lenient: bool = False
    ) -> etree._Element:
        """The element ``tag`` (a Clark name) holding ``data``, children in schema order.

        ``tag`` is a global element of the schemas; any other tag (a wrapper's child)
        needs ``@type`` in ``data`` (the element then gets that ``xsi:type``).

        Args:
            data: The JSON object.
            tag: The element's Clark name.
            parent: Append the element to this one (only once it is complete).  Use it
                rather than appending yourself: lxml drops namespace declarations a new
                parent already makes under another prefix, which would leave the
                ``xsi:type`` values naming undeclared prefixes; this rewrites them.
            lenient: Read an answer as it came, for the tolerant reader to judge on the XML:
                an unknown key becomes an element of its name (one per array item), a
                value of the wrong JSON type is written as its text, a required key may
                be absent; only a key that is no XML name, or an object or array where
                a value belongs (and the other way round), is skipped, with a WARNING.

        Raises:
            JsonFormError: For an unknown key, a value of the wrong JSON type, missing
                required data, an ``@type`` that does not fit, too deep or too long.
        """
        key = self._elements.get(tag)
        try:
            local = etree.QName(tag).localname
        except ValueError:  # an @type that names no XML element (control characters, spaces ...)
            raise JsonFormError("@type is not an XML name", path="$.@type") from None
        if isinstance(data, Mapping) and len(data) == 1 and isinstance(data.get(local), Mapping):
            declared = self._types.get(key or "")
            if declared is None or local not in declared.by_key:
                data = data[local]  # wrapped in its root's name, as some of Boomi's samples are
        element = etree.Element(tag, nsmap=self._nsmap)
        if key is None:
            if not isinstance(data, Mapping) or not isinstance(data.get("@type"), str) or not data.get("@type"):
                raise JsonFormError(f"{tag} is not an element of the schema; @type must name its type", path="$")
            self._in(element, data, None, "$", 0, lenient)
        else:
            self._in(element, data, self._types[key], "$", 0, lenient)
        if parent is not None:
            typed = [
                (node, self._nsmap[prefix], local)
                for node in element.iter()
                for prefix, _, local in [str(node.get(_XSI_TYPE, "")).rpartition(":")]
                if local
            ]
            parent.append(element)
            for node, namespace, local in typed:
                prefix = next(p for p, uri in node.nsmap.items() if uri == namespace and p)
                node.set(_XSI_TYPE, f"{prefix}:{local}")
        return element

    def _pick(
        self, data: Mapping[str, Any], declared: _Type | None, path: str, lenient: bool = False
    ) -> tuple[_Type, bool]:
        """The type ``data`` holds, and whether it needs an ``xsi:type``."""
        name = data.get("@type")
        if name is not None and not isinstance(name, str):
            raise JsonFormError("@type must be a string", path=_path(path, "@type"))
        if declared is not None and not declared.abstract:
            # "" and, for an anonymous type, any name: Boomi's own schema names some types ours leaves
            # anonymous and the other way round (its samples send "" for Licensing, "BulkResponse" ...).
            if name is None or name in ("", declared.name) or (not declared.name and not declared.derived):
                return declared, False
            if name.lower() == declared.name.lower():  # "references" for References, as Boomi's schema spells it
                return declared, False
        elif declared is not None and not name:
            return self._infer(data, declared, path), True
        candidates = self._by_name.get(name or "", []) or self._by_lower.get((name or "").lower(), [])
        if declared is not None:
            candidates = [c for c in candidates if c.key in declared.derived]
        if not candidates and lenient and name:
            # A misspelt name (Boomi's examples have some): built as the type it misspells; the
            # element keeps the name as written, for the tolerant reader to respell and record.
            from boomi_soap.wire.tolerance import respelt

            pool = [self._types[k] for k in declared.derived] if declared is not None else list(self._types.values())
            meant = respelt(name, {t.name: t for t in pool if t.name})
            candidates = [t for t in pool if t.name == meant] if meant else []
        if len(candidates) != 1:
            what = declared.describe() if declared is not None else "the element"
            raise JsonFormError(f"@type {name!r} is not {what} or a type derived from it", path=_path(path, "@type"))
        return candidates[0], True

    def _infer(self, data: Mapping[str, Any], declared: _Type, path: str) -> _Type:
        keys = {k for k, v in data.items() if k != "@type" and v is not None}
        fitting = [
            t
            for t in (self._types[k] for k in declared.derived)
            if not t.problem and keys <= t.by_key.keys() and all(f.key in keys for f in t.fields if f.required)
        ]
        if len(fitting) > 1:  # {"id": ...} in a bulk request: the one type with exactly these fields
            fitting = [t for t in fitting if t.by_key.keys() == keys] or fitting
        if len(fitting) > 1:  # a type no element declares exists to be named by xsi:type (BulkId)
            fitting = [t for t in fitting if t.key not in self._declared] or fitting
        if len(fitting) != 1:
            names = ", ".join(t.name for t in fitting[:5]) + (", ..." if len(fitting) > 5 else "")
            detail = f"{len(fitting)} types fit ({names})" if fitting else "no type derived from it fits these keys"
            raise JsonFormError(f"@type is needed: {declared.describe()} is abstract and {detail}", path=path)
        return fitting[0]

    def _in(
        self, element: etree._Element, data: Any, declared: _Type | None, path: str, depth: int, lenient: bool = False
    ) -> None:
        if depth >= MAX_DEPTH:
            raise JsonFormError(f"nested deeper than {MAX_DEPTH} levels", path=path)
        if not isinstance(data, Mapping):
            raise JsonFormError(f"expected an object, got {_json_kind(data)}", path=path)
        if lenient and "@type" not in data:
            data = _aliased_type(data, declared)
        item, typed = self._pick(data, declared, path, lenient)
        if item.problem:
            raise JsonFormError(item.problem, path=path)
        if typed:
            namespace = etree.QName(item.key).namespace or ""
            given = data.get("@type")
            misspelt = lenient and isinstance(given, str) and given and given.lower() != item.name.lower()
            element.set(_XSI_TYPE, f"{self._prefix[namespace]}:{given if misspelt else item.name}")
        unknown = []
        for key in data:
            if key != "@type" and key not in item.by_key:
                if not isinstance(key, str):
                    raise JsonFormError("keys must be strings", path=path)
                if not lenient:
                    raise JsonFormError(f"unknown key {key!r} for {item.describe()}", path=path)
                unknown.append(key)
        for f in item.attributes:
            value = data.get(f.key)
            if value is None:
                if f.required and not lenient:
                    raise JsonFormError(f"{f.key} is required in {item.describe()}", path=_path(path, f.key))
                continue
            if lenient and isinstance(value, list | Mapping) and not _typed_number(value):
                _skipped(item, f.key, path)
                continue
            element.set(f.name, _value_in(value, f.kind, _path(path, f.key), lenient))
        for f in item.elements:
            value = data.get(f.key)
            where = _path(path, f.key)
            if value is None:
                if f.required and not lenient:
                    raise JsonFormError(f"{f.key} is required in {item.describe()}", path=where)
                continue
            if f.repeated:
                if not isinstance(value, list):  # one item without its array, as Boomi's samples sometimes send
                    self._child(element, f, value, f"{where}[0]", depth, lenient)
                    continue
                if f.required and not value and not lenient:
                    raise JsonFormError(f"{f.key} needs at least one item", path=where)
                for index, entry in enumerate(value):
                    self._child(element, f, entry, f"{where}[{index}]", depth, lenient)
            elif isinstance(value, list) and len(value) == 1 and f.kind not in (INTEGER, NUMBER):
                self._child(element, f, value[0], f"{where}[0]", depth, lenient)  # a one-item array for one element
            else:
                self._child(element, f, value, where, depth, lenient)
        for key in unknown:  # after the known children: the tolerant reader names and drops them
            self._unknown(element, item, key, data[key], path)

    def _child(
        self, parent: etree._Element, f: _Field, value: Any, path: str, depth: int, lenient: bool = False
    ) -> None:
        if value is None:
            if lenient:
                return
            raise JsonFormError("expected a value, got null", path=path)
        if lenient and (f.kind == COMPLEX) != isinstance(value, Mapping) and not _typed_number(value):
            _skipped(self._types[f.type] if f.kind == COMPLEX else None, f.key, path)
            return
        child = etree.SubElement(parent, f.name)
        if f.kind == COMPLEX:
            self._in(child, value, self._types[f.type], path, depth + 1, lenient)
        else:
            child.text = _value_in(value, f.kind, path, lenient)

    def _unknown(self, element: etree._Element, item: _Type, key: str, value: Any, path: str) -> None:
        """An element for a key the schema does not declare, so the XML reader sees what the JSON held."""
        namespace = etree.QName(item.key).namespace
        try:
            tag = f"{{{namespace}}}{key}" if namespace else key
            etree.QName(tag)
        except ValueError:
            _skipped(item, key, path)
            return
        for entry in value if isinstance(value, list) else [value]:
            child = etree.SubElement(element, tag)
            if isinstance(entry, str | int | float) and not isinstance(entry, bool):
                child.text = xml_text(str(entry), _path(path, key)) if isinstance(entry, str) else str(entry)


@functools.lru_cache(maxsize=16)
def _cached(identity: str, paths: tuple[str, ...]) -> JsonForm:
    del identity  # part of the cache key only: a snapshot's files never change under its identity
    return JsonForm.from_files(Path(p) for p in paths)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _value_out(text: str, kind: str, path: str) -> Any:
    if len(text) > MAX_TEXT:
        raise JsonFormError(f"text longer than {MAX_TEXT} characters", path=path)
    if kind == BOOLEAN:
        value = text.strip()
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        raise JsonFormError("not an xs:boolean", path=path)
    if kind == INTEGER:
        try:
            return int(text.strip())
        except ValueError:
            raise JsonFormError("not an integer", path=path) from None
    if kind == NUMBER:
        try:
            number = float(text.strip())
        except ValueError:
            raise JsonFormError("not a number", path=path) from None
        # JSON has no infinities or NaN; such values travel as the schema's own spelling.
        return number if math.isfinite(number) else text.strip()
    return text


# What XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE and U+FFFF); lxml refuses it.
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str, path: str) -> str:
    """``value``, refused if XML cannot carry it (never shown: it may be a secret).

    Raises:
        JsonFormError: If it is too long or holds a character XML 1.0 does not allow.
    """
    if len(value) > MAX_TEXT:
        raise JsonFormError(f"text longer than {MAX_TEXT} characters", path=path)
    bad = _NOT_XML.search(value)
    if bad is not None:
        raise JsonFormError(f"character U+{ord(bad.group()):04X} cannot be carried in XML", path=path)
    return value


def _typed_number(value: Any) -> bool:
    """Jackson's typed form of a number (``["Long", 654]``), which Boomi's own samples use."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and not isinstance(value[1], list | Mapping)
    )


def _skipped(item: _Type | None, key: str, path: str) -> None:
    # No value in the message: a skipped field may hold anything.
    owner = item.describe() if item is not None else "the object"
    # ascii(): a hostile key (a lone surrogate, a control character) is shown escaped, and cut short.
    _log.warning(
        "a JSON answer's key %s at %s has no XML form in %s; skipped", ascii(key)[:80], ascii(path)[:200], owner
    )


def _aliased_type(data: Mapping[str, Any], declared: _Type | None) -> Mapping[str, Any]:
    """An answer's object with its type named the way some of Boomi's samples name it, as ``@type``.

    ``"xsi_type": "Branch"`` (the Branch query, Folder bulk and ListQueues samples), and,
    where an abstract type is declared, ``{"type": "X", "X": {...}}`` (an X wrapped in its
    name, the asynchronous PersistedProcessProperties sample). Read leniently only.
    """
    alias = data.get("xsi_type")
    if isinstance(alias, str) and alias:
        return {"@type": alias, **{k: v for k, v in data.items() if k != "xsi_type"}}
    named = data.get("type")
    if declared is not None and declared.abstract and len(data) == 2 and isinstance(named, str):
        inner = data.get(named)
        if isinstance(inner, Mapping) and "@type" not in inner:
            return {"@type": named, **inner}
    return data


def _value_in(value: Any, kind: str, path: str, lenient: bool = False) -> str:
    if isinstance(value, str):
        xml_text(value, path)
        if kind in (STRING, ANY):
            return value
        if kind == BOOLEAN and value.strip() in ("true", "false"):
            return value.strip()
        if lenient:
            return value  # as it came: the XML check names the field and drops the value
        _value_out(value, kind, path)  # a typed value written as a string must still read as one
        return value.strip()
    mistyped = kind == BOOLEAN or isinstance(value, bool) or (kind == INTEGER and isinstance(value, float))
    if lenient and kind not in (STRING, ANY) and isinstance(value, bool | int | float) and mistyped:
        return json.dumps(value)  # true for an integer, 1.5 for an int: the XML check says so
    if kind == BOOLEAN and isinstance(value, bool):
        return "true" if value else "false"
    if kind in (INTEGER, NUMBER) and isinstance(value, (int, float)) and not isinstance(value, bool):
        if kind == INTEGER:
            if isinstance(value, float) and not value.is_integer():
                raise JsonFormError("expected an integer, got a fraction", path=path)
            return str(int(value))
        if not math.isfinite(value):
            raise JsonFormError("not a finite number", path=path)
        return repr(value)
    if (
        kind in (INTEGER, NUMBER)
        and isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and not isinstance(value[1], list | Mapping)
    ):
        # Jackson's typed form (["Long", 654]) appears in Boomi's own JSON samples (one level: no recursion).
        return _value_in(value[1], kind, path)
    if kind in (STRING, ANY) and isinstance(value, (bool, int, float)):
        # A scalar where the schema says string (argument [true], "statusCode": 200 in Boomi's samples):
        # its JSON spelling, as Jackson coerces it.
        if isinstance(value, float) and not math.isfinite(value):
            raise JsonFormError("not a finite number", path=path)
        return json.dumps(value)
    expected = {BOOLEAN: "a boolean", INTEGER: "an integer", NUMBER: "a number"}.get(kind, "a string")
    raise JsonFormError(f"expected {expected}, got {_json_kind(value)}", path=path)


def loads(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse a JSON document within the client's size cap and a nesting bound.

    Whoever reads the value next (the conversion to XML, redaction, a caller's walk)
    may recurse: nesting deeper than ``max_depth`` arrays and objects is refused here.

    Raises:
        JsonFormError: If it is larger than ``max_bytes``, not JSON, or nested too deep.
    """
    size = len(data.encode() if isinstance(data, str) else data)
    if size > max_bytes:
        raise JsonFormError(f"document larger than {max_bytes} bytes", path="$")
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise JsonFormError("not UTF-8", path="$") from None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not JSON"
        if isinstance(exc, RecursionError):
            reason = "nested too deep"
        raise JsonFormError(f"not JSON: {reason}", path="$") from None
    # Fewer brackets than the bound: no walk needed (the common case, and cheap to count).
    if text.count("[") + text.count("{") > max_depth and _deeper(value, max_depth):
        raise JsonFormError(f"nested deeper than {max_depth} levels", path="$")
    return value


def _deeper(value: Any, limit: int) -> bool:
    """Whether arrays and objects in ``value`` nest deeper than ``limit`` (a walk without recursion)."""
    if not isinstance(value, dict | list):
        return False
    pending = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def dumps(data: Mapping[str, Any]) -> bytes:
    """Serialise a JSON form as compact UTF-8, as Boomi sends it."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
