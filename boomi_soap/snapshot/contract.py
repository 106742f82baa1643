"""Stage 4b: read what a snapshot's WSDL says about each operation's wrappers.

Boomi's pages show the operation wrappers in two namespaces (the Query paging page in
``http://soap.api.platform.boomi.com/``, the Trading Partner and object pages in the
data namespace ``http://api.platform.boomi.com/``), and the Partner API has a third.
Only the account's own WSDL settles it, so nothing in the project assumes a layout:
every request and response wrapper, and the name, namespace and qualification of
each of its children, is read here from the WSDL's message parts and the schema
declarations they name (WSDL 1.1 section 3.5, document/literal: ``part/@element``
names the Body's child).  The WSDL ``targetNamespace`` is never taken for the
wrappers' namespace.

Consumers: the client (builds and checks wrappers), the generated bindings' caller,
codegen, ``validate`` (explains a wrapper in the wrong namespace), ``cache show``,
``drift`` and the local service.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from lxml import etree

from boomi_soap._xml.safe import parse_xml

if TYPE_CHECKING:
    from boomi_soap.snapshot.cache import Snapshot

__all__ = ["Child", "Contract", "Operation", "contract_of", "parsed", "read_contract", "tag_of"]

NS_XS: Final = "http://www.w3.org/2001/XMLSchema"
NS_WSDL: Final = "http://schemas.xmlsoap.org/wsdl/"


@dataclass(frozen=True)
class Child:
    """One child element of an operation wrapper.

    Attributes:
        name: Local name.
        namespace: Namespace of the element on the wire; ``""`` when unqualified.
        type: The declared type as ``{namespace}local`` (``""`` for an inline type).
        min_occurs: ``minOccurs``.
        repeated: ``maxOccurs`` greater than one.
    """

    name: str
    namespace: str
    type: str
    min_occurs: int = 0
    repeated: bool = False

    @property
    def tag(self) -> str:
        """The element's Clark name (``{ns}name``, or the bare name when unqualified)."""
        return f"{{{self.namespace}}}{self.name}" if self.namespace else self.name


@dataclass(frozen=True)
class Operation:
    """One WSDL operation with its wrapper elements.

    Attributes:
        name: The operation's name (``get``, ``query`` ...).
        request: Clark name of the request wrapper (the Body child sent).
        response: Clark name of the response wrapper (the Body child answered).
        inputs: The request wrapper's children, in schema order.
        outputs: The response wrapper's children, in schema order.
        source: ``file:line`` of the operation in the WSDL, for diagnostics.
    """

    name: str
    request: str
    response: str
    inputs: tuple[Child, ...]
    outputs: tuple[Child, ...]
    source: str = ""

    def input(self, name: str) -> Child | None:
        """The request child called ``name``, if the wrapper has one."""
        return next((c for c in self.inputs if c.name == name), None)

    def output(self, name: str) -> Child | None:
        """The response child called ``name``, if the wrapper has one."""
        return next((c for c in self.outputs if c.name == name), None)


@dataclass(frozen=True)
class Contract:
    """The operations of a snapshot, as its WSDL and schemas declare them.

    Attributes:
        target_namespace: The WSDL's ``targetNamespace`` (documentation only).
        data_namespace: The namespace holding the object types (``BaseType`` and kin).
        operations: By operation name.
        problems: Operations that could not be resolved, each ``file:line: message``.
    """

    target_namespace: str
    data_namespace: str
    operations: Mapping[str, Operation]
    problems: tuple[str, ...] = ()

    @property
    def wrapper_namespaces(self) -> tuple[str, ...]:
        """The namespaces of the operation wrappers, most used first."""
        counts = Counter(etree.QName(op.request).namespace or "" for op in self.operations.values())
        return tuple(ns for ns, _ in counts.most_common())

    @property
    def layout(self) -> str:
        """``single`` (wrappers in the data namespace) or ``split`` (their own namespace)."""
        return "single" if self.wrapper_namespaces == (self.data_namespace,) else "split"

    @property
    def override(self) -> str | None:
        """The name of the sub-account override child (Partner API), if every ``get`` has one."""
        get = self.operations.get("get")
        return "accountId" if get is not None and get.input("accountId") is not None else None

    def describe(self) -> str:
        """One line for people: where the wrappers live."""
        wrappers = ", ".join(self.wrapper_namespaces) or "(none)"
        where = "the data namespace" if self.layout == "single" else "their own namespace"
        extra = f"; sub-account override child {self.override!r}" if self.override else ""
        return f"{self.layout} layout: operation wrappers in {where} {wrappers}, data in {self.data_namespace}{extra}"

    def by_request(self, tag: str) -> Operation | None:
        """The operation whose request wrapper is ``tag`` (a Clark name)."""
        return next((op for op in self.operations.values() if op.request == tag), None)

    def misplaced(self, tag: str) -> Operation | None:
        """An operation whose request or response wrapper has ``tag``'s local name in another namespace."""
        qname = etree.QName(tag)
        for op in self.operations.values():
            for expected in (op.request, op.response):
                if etree.QName(expected).localname == qname.localname and expected != tag:
                    return op
        return None


def tag_of(element: etree._Element) -> str:
    """An element's Clark name as ``str`` (lxml's stubs allow bytes and QName too)."""
    return str(etree.QName(element))


class _Schemas:
    """Global declarations of a set of schema documents, by Clark name."""

    def __init__(self, documents: Iterable[tuple[Path, etree._Element]]) -> None:
        self.elements: dict[str, tuple[Path, etree._Element, etree._Element]] = {}
        self.types: dict[str, tuple[Path, etree._Element, etree._Element]] = {}
        self.type_counts: Counter[str] = Counter()
        for path, root in documents:
            namespace = root.get("targetNamespace", "")
            for node in root.iterfind(f"{{{NS_XS}}}element"):
                self.elements[f"{{{namespace}}}{node.get('name', '')}"] = (path, root, node)
            for node in root.iterfind(f"{{{NS_XS}}}complexType"):
                self.types[f"{{{namespace}}}{node.get('name', '')}"] = (path, root, node)
                self.type_counts[namespace] += 1


def _resolve(node: etree._Element, qname: str) -> str:
    prefix, _, local = qname.rpartition(":")
    namespace = node.nsmap.get(prefix or None)
    if namespace is None and prefix:
        raise ValueError(f"prefix {prefix!r} of {qname!r} is not declared")
    return f"{{{namespace or ''}}}{local}"


def _children(schemas: _Schemas, element: str) -> tuple[Child, ...]:
    path, root, node = schemas.elements[element]
    inline = node.find(f"{{{NS_XS}}}complexType")
    if inline is None:
        type_name = _resolve(node, node.get("type", ""))
        if type_name not in schemas.types:
            raise ValueError(f"{path.name}:{node.sourceline}: type {type_name} of {element} is not declared")
        path, root, inline = schemas.types[type_name]
    namespace = root.get("targetNamespace", "")
    default_qualified = root.get("elementFormDefault") == "qualified"
    children: list[Child] = []
    for decl in inline.iterfind(f"{{{NS_XS}}}sequence/{{{NS_XS}}}element"):
        min_occurs = int(decl.get("minOccurs", "1"))
        repeated = decl.get("maxOccurs", "1") != "1"
        ref = decl.get("ref")
        if ref:
            target = _resolve(decl, ref)
            if target not in schemas.elements:
                raise ValueError(f"{path.name}:{decl.sourceline}: {target} is not a declared element")
            referenced = schemas.elements[target][2]
            kind = _resolve(referenced, referenced.get("type", "")) if referenced.get("type") else ""
            qname = etree.QName(target)
            children.append(Child(qname.localname, qname.namespace or "", kind, min_occurs, repeated))
            continue
        form = decl.get("form")
        qualified = form == "qualified" if form else default_qualified
        kind = _resolve(decl, decl.get("type", "")) if decl.get("type") else ""
        children.append(Child(decl.get("name", ""), namespace if qualified else "", kind, min_occurs, repeated))
    for particle in ("choice", "all", "any", "group"):
        if inline.find(f".//{{{NS_XS}}}{particle}") is not None:
            raise ValueError(f"{path.name}:{inline.sourceline}: xs:{particle} in a wrapper is not supported")
    return tuple(children)


def _part_element(wsdl: etree._Element, message: str, messages: Mapping[str, etree._Element]) -> str:
    found = messages.get(message)
    if found is None:
        raise ValueError(f"message {message} is not declared")
    parts = found.findall(f"{{{NS_WSDL}}}part")
    if len(parts) != 1 or not parts[0].get("element"):
        raise ValueError(f"message {message} is not one document/literal part with an element")
    return _resolve(parts[0], parts[0].get("element", ""))


def read_contract(wsdl_path: Path, schema_paths: Iterable[Path]) -> Contract:
    """Read the operations of a WSDL and the schema documents it uses.

    Args:
        wsdl_path: The WSDL file.
        schema_paths: Every schema document of the snapshot.

    Returns:
        The contract; operations that cannot be resolved are listed in ``problems``.
    """
    return _read(wsdl_path.resolve(), tuple(sorted(p.resolve() for p in schema_paths)))


def parsed(path: Path) -> etree._Element:
    """A snapshot's document, parsed (:func:`~boomi_soap._xml.safe.parse_xml`) once for every reader of it.

    The contract, the schema bundle and the wrappers' subset read the same documents
    one after the other when a client starts.  The tree is shared: read it, never change it.
    """
    path = path.resolve()
    info = path.stat()  # a file written again is parsed again
    return _parsed(path, info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _parsed(path: Path, size: int, modified: int) -> etree._Element:
    return parse_xml(path.read_bytes(), source=str(path))


@functools.lru_cache(maxsize=16)
def _read(wsdl_path: Path, schema_paths: tuple[Path, ...]) -> Contract:
    wsdl = parsed(wsdl_path)
    documents = [(p, parsed(p)) for p in schema_paths]
    schemas = _Schemas((p, r) for p, r in documents if r.tag == f"{{{NS_XS}}}schema")
    target = wsdl.get("targetNamespace", "")
    messages = {f"{{{target}}}{m.get('name', '')}": m for m in wsdl.iterfind(f"{{{NS_WSDL}}}message")}
    operations: dict[str, Operation] = {}
    problems: list[str] = []
    for node in wsdl.iterfind(f"{{{NS_WSDL}}}portType/{{{NS_WSDL}}}operation"):
        name = node.get("name", "")
        where = f"{wsdl_path.name}:{node.sourceline}"
        try:
            found = [node.find(f"{{{NS_WSDL}}}{kind}") for kind in ("input", "output")]
            io = [x for x in found if x is not None]
            if len(io) != 2:
                raise ValueError("it is not request-response")
            request, response = (_part_element(wsdl, _resolve(x, x.get("message", "")), messages) for x in io)
            for element in (request, response):
                if element not in schemas.elements:
                    raise ValueError(f"its wrapper {element} is not declared in the snapshot's schemas")
            operations[name] = Operation(
                name, request, response, _children(schemas, request), _children(schemas, response), where
            )
        except ValueError as exc:
            problems.append(f"{where}: operation {name}: {exc}")
    wrapper_types = {
        _resolve(schemas.elements[e][2], schemas.elements[e][2].get("type", ""))
        for op in operations.values()
        for e in (op.request, op.response)
        if schemas.elements[e][2].get("type")
    }
    data_counts: Counter[str] = Counter()
    for name in schemas.types:
        if name not in wrapper_types:
            data_counts[etree.QName(name).namespace or ""] += 1
    data_namespace = data_counts.most_common(1)[0][0] if data_counts else target
    return Contract(target, data_namespace, operations, tuple(problems))


def contract_of(snapshot: Snapshot) -> Contract:
    """The contract of a verified snapshot (memoised per process)."""
    others = [snapshot.directory / e.path for e in snapshot.files if e.path != snapshot.wsdl]
    return read_contract(snapshot.wsdl_path, others)
