"""Schema drift: what changed between two snapshots of an account's contract.

The comparison is structural, not textual.  The data namespace is compared
component by component: named complex types (their child elements and attributes,
with type and occurrence), enumeration values of named simple types, and global
elements.  The service is compared by operation: an operation's wrapper elements
and messages belong to it, so a new operation is one change, not five.  Formatting,
comments, prefixes and declaration order are ignored.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Final

from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.snapshot.cache import Snapshot
from boomi_soap.snapshot.fetch import FetchResult

__all__ = ["Change", "ContractSummary", "diff_contracts", "load_contract", "load_fetched", "render_json", "render_text"]

NS_XS: Final = "http://www.w3.org/2001/XMLSchema"
NS_WSDL: Final = "http://schemas.xmlsoap.org/wsdl/"


@dataclass(frozen=True, order=True)
class Change:
    """One difference.

    Attributes:
        kind: ``added``, ``removed`` or ``changed``.
        component: ``type``, ``element``, ``attribute``, ``enumeration``,
            ``global-element`` or ``operation``.
        path: Where: ``Process``, ``Process/ProcessLabel``, ``Atom/@osName``,
            ``AtomStatus=RESTARTING``, ``renewRuntimeCertificate``.
        detail: For ``changed``: old and new declarations; otherwise the declaration.
    """

    kind: str
    component: str
    path: str
    detail: str = ""


@dataclass(frozen=True)
class ContractSummary:
    """The comparable parts of one snapshot.

    Attributes:
        types: complexType name -> {"element:x" | "attribute:x": declaration summary}.
        enumerations: simpleType name -> its enumeration values.
        elements: global element name -> its type (data namespace).
        operations: operation name -> summary of its request and response wrappers.
        namespace: The data namespace compared.
    """

    types: dict[str, dict[str, str]]
    enumerations: dict[str, tuple[str, ...]]
    elements: dict[str, str]
    operations: dict[str, str]
    namespace: str


def _summary(declaration: etree._Element) -> str:
    keys = ("name", "ref", "type", "minOccurs", "maxOccurs", "use", "default", "fixed", "nillable")
    parts = [f"{k}={declaration.get(k)}" for k in keys if declaration.get(k) is not None]
    inline = declaration.find(f"{{{NS_XS}}}complexType")
    if inline is not None:
        parts.append("type=<anonymous>{" + ",".join(sorted(_members(inline))) + "}")
    return " ".join(parts)


def _members(complex_type: etree._Element) -> dict[str, str]:
    """Summarise a complex type: its base, and its own elements and attributes."""
    members: dict[str, str] = {}
    derivation = complex_type.find(f"{{{NS_XS}}}complexContent/*")
    if derivation is not None:
        members["base"] = derivation.get("base", "").rpartition(":")[2]
    for element in complex_type.iter(f"{{{NS_XS}}}element"):
        # Elements of a nested anonymous type belong to that type's summary.
        if next(element.iterancestors(f"{{{NS_XS}}}complexType")) is complex_type:
            name = element.get("name") or element.get("ref", "").rpartition(":")[2]
            members[f"element:{name}"] = _summary(element)
    for attribute in complex_type.iter(f"{{{NS_XS}}}attribute"):
        if next(attribute.iterancestors(f"{{{NS_XS}}}complexType")) is complex_type:
            members[f"attribute:{attribute.get('name') or attribute.get('ref')}"] = _summary(attribute)
    return members


def load_contract(snapshot: Snapshot) -> ContractSummary:
    """Read the comparable parts of a snapshot.

    Args:
        snapshot: A verified snapshot.

    Returns:
        Its contract.
    """
    paths = [snapshot.directory / entry.path for entry in snapshot.files]
    return _contract((str(path), path.read_bytes()) for path in paths)


def load_fetched(result: FetchResult) -> ContractSummary:
    """Read the comparable parts of documents fetched but not stored (``--live``)."""
    return _contract((d.url, d.content) for d in result.documents)


def _contract(documents: Iterable[tuple[str, bytes]]) -> ContractSummary:
    schemas: list[etree._Element] = []
    wsdls: list[etree._Element] = []
    for source, data in documents:
        root = parse_xml(data, source=source)
        if root.tag == f"{{{NS_WSDL}}}definitions":
            wsdls.append(root)
            schemas.extend(root.iterfind(f"{{{NS_WSDL}}}types/{{{NS_XS}}}schema"))
        elif root.tag == f"{{{NS_XS}}}schema":
            schemas.append(root)
    # The wrappers are what the WSDL's message parts name, wherever they are declared
    # (their own namespace, or the data namespace); the rest is the data schema.
    parts = {
        _clark(part, part.get("element", ""))
        for wsdl in wsdls
        for part in wsdl.iterfind(f"{{{NS_WSDL}}}message/{{{NS_WSDL}}}part")
        if part.get("element")
    }
    declared = {
        f"{{{s.get('targetNamespace', '')}}}{e.get('name', '')}": e
        for s in schemas
        for e in s.iterfind(f"{{{NS_XS}}}element")
    }
    wrapper_elements = {c: declared[c] for c in sorted(parts) if c in declared}
    wrapper_types = {_clark(e, e.get("type", "")) for e in wrapper_elements.values() if e.get("type")}

    def data_nodes(kind: str) -> Iterable[tuple[str, etree._Element]]:
        for schema in schemas:
            namespace = schema.get("targetNamespace", "")
            for node in schema.iterfind(f"{{{NS_XS}}}{kind}"):
                clark = f"{{{namespace}}}{node.get('name', '')}"
                if clark not in wrapper_types and clark not in wrapper_elements:
                    yield namespace, node

    types = {ct.get("name", ""): _members(ct) for _, ct in data_nodes("complexType")}
    enumerations = {
        st.get("name", ""): tuple(e.get("value", "") for e in st.iterfind(f".//{{{NS_XS}}}enumeration"))
        for _, st in data_nodes("simpleType")
    }
    elements = {e.get("name", ""): _summary(e) for _, e in data_nodes("element")}
    members = {
        _clark(e, e.get("type", "")): _members(node)
        for e in wrapper_elements.values()
        for s in schemas
        for node in s.iterfind(f"{{{NS_XS}}}complexType")
        if e.get("type") and _clark(e, e.get("type", "")) == f"{{{s.get('targetNamespace', '')}}}{node.get('name', '')}"
    }
    by_name = {etree.QName(c).localname: (c, e) for c, e in wrapper_elements.items()}
    operations: dict[str, str] = {}
    for wsdl in wsdls:
        for operation in wsdl.iterfind(f"{{{NS_WSDL}}}portType/{{{NS_WSDL}}}operation"):
            name = operation.get("name", "")
            signature = []
            for wrapper in (name, f"{name}Response"):
                clark, element = by_name.get(wrapper, (wrapper, None))
                fields = members.get(_clark(element, element.get("type", "")), {}) if element is not None else {}
                signature.append(f"{clark}(" + "; ".join(f"{k} {v}" for k, v in sorted(fields.items())) + ")")
            operations[name] = " -> ".join(signature)
    namespaces = Counter(ns for ns, _ in data_nodes("complexType"))
    namespace = namespaces.most_common(1)[0][0] if namespaces else ""
    return ContractSummary(types, enumerations, elements, operations, namespace)


def _clark(node: etree._Element, qname: str) -> str:
    prefix, _, local = qname.rpartition(":")
    return f"{{{node.nsmap.get(prefix or None, '')}}}{local}"


def _keyed(old: dict[str, str], new: dict[str, str], path: str) -> list[Change]:
    changes: list[Change] = []
    for key in sorted(old.keys() | new.keys()):
        prefix, _, name = key.partition(":")
        component = {"element": "element", "attribute": "attribute"}.get(prefix, prefix)
        where = f"{path}/@{name}" if prefix == "attribute" else f"{path}/{name}" if name else f"{path}/{prefix}"
        if key not in old:
            changes.append(Change("added", component, where, new[key]))
        elif key not in new:
            changes.append(Change("removed", component, where, old[key]))
        elif old[key] != new[key]:
            changes.append(Change("changed", component, where, f"{old[key]} => {new[key]}"))
    return changes


def diff_contracts(old: ContractSummary, new: ContractSummary) -> list[Change]:
    """Compare two contracts.

    Args:
        old: The earlier contract.
        new: The later contract.

    Returns:
        Every change, sorted by kind, component and path.
    """
    changes: list[Change] = []
    for name in sorted(old.types.keys() | new.types.keys()):
        if name not in old.types:
            changes.append(Change("added", "type", name))
        elif name not in new.types:
            changes.append(Change("removed", "type", name))
        else:
            changes.extend(_keyed(old.types[name], new.types[name], name))
    for name in sorted(old.enumerations.keys() | new.enumerations.keys()):
        before, after = old.enumerations.get(name), new.enumerations.get(name)
        if before is None or after is None:
            changes.append(Change("added" if before is None else "removed", "type", name))
            continue
        changes.extend(Change("added", "enumeration", f"{name}={v}") for v in after if v not in before)
        changes.extend(Change("removed", "enumeration", f"{name}={v}") for v in before if v not in after)
    for name in sorted(old.elements.keys() | new.elements.keys()):
        if name not in old.elements:
            changes.append(Change("added", "global-element", name, new.elements[name]))
        elif name not in new.elements:
            changes.append(Change("removed", "global-element", name, old.elements[name]))
        elif old.elements[name] != new.elements[name]:
            changes.append(Change("changed", "global-element", name, f"{old.elements[name]} => {new.elements[name]}"))
    for name in sorted(old.operations.keys() | new.operations.keys()):
        if name not in old.operations:
            changes.append(Change("added", "operation", name, new.operations[name]))
        elif name not in new.operations:
            changes.append(Change("removed", "operation", name, old.operations[name]))
        elif old.operations[name] != new.operations[name]:
            changes.append(Change("changed", "operation", name, f"{old.operations[name]} => {new.operations[name]}"))
    return sorted(changes)


def render_text(changes: list[Change]) -> str:
    """One line per change, then a count per kind."""
    if not changes:
        return "no changes\n"
    lines = [f"{c.kind:8} {c.component:15} {c.path}" for c in changes]
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    lines.append(", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    return "\n".join(lines) + "\n"


def render_json(changes: list[Change]) -> str:
    """The changes as a JSON document ``{"changes": [...]}``."""
    return json.dumps({"changes": [asdict(c) for c in changes]}, indent=2) + "\n"
