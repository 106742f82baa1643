"""Stage 3a: read a cached snapshot's WSDL and schemas into the IR.

Only the snapshot's own files are read (it was verified when opened).  Constructs
the generator does not map (``xs:choice``, ``xs:any``, ``simpleContent``, unions
...) become diagnostics naming the file and line, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.snapshot.cache import Snapshot
from boomi_soap.snapshot.contract import Child, contract_of
from boomi_soap.snapshot.digest import contract_sha256
from codegen.ir import EnumDef, FieldDef, Model, OperationDef, TypeDef

__all__ = ["parse_snapshot"]

XS: Final = "http://www.w3.org/2001/XMLSchema"
WSDL: Final = "http://schemas.xmlsoap.org/wsdl/"
_UNSUPPORTED: Final = ("choice", "any", "anyAttribute", "group", "attributeGroup", "simpleContent", "all")


def _q(tag: str) -> str:
    return f"{{{XS}}}{tag}"


def _doc(node: etree._Element) -> str:
    texts = [
        " ".join("".join(t.itertext()).split()) for t in node.iterfind(f"{_q('annotation')}/{_q('documentation')}")
    ]
    return " ".join(texts)


class _Reader:
    def __init__(self, path: Path, root: etree._Element) -> None:
        self.path = path
        self.root = root
        self.namespace = root.get("targetNamespace", "")
        self.qualified = root.get("elementFormDefault") == "qualified"
        self.diagnostics: list[str] = []

    def where(self, node: etree._Element) -> str:
        return f"{self.path.name}:{node.sourceline}"

    def type_ref(self, node: etree._Element, qname: str) -> str:
        prefix, _, local = qname.rpartition(":")
        namespace = node.nsmap.get(prefix or None, "")
        return f"xs:{local}" if namespace == XS else local

    def fields(self, owner: str, holder: etree._Element, types: list[TypeDef]) -> list[FieldDef]:
        out: list[FieldDef] = []
        for tag in _UNSUPPORTED:
            for bad in holder.iterfind(f".//{_q(tag)}"):
                self.diagnostics.append(f"WARNING {self.where(bad)}: xs:{tag} in {owner} is not mapped; skipped")
        for element in holder.iterfind(f"{_q('sequence')}/{_q('element')}"):
            repeated = element.get("maxOccurs", "1") != "1"
            required = element.get("minOccurs", "1") != "0"
            if element.get("ref"):
                ref = element.get("ref", "")
                prefix, _, local = ref.rpartition(":")
                out.append(
                    FieldDef(
                        local,
                        "element",
                        f"@{local}",
                        element.nsmap.get(prefix or None, ""),
                        repeated,
                        required,
                        _doc(element),
                        line=element.sourceline or 0,
                    )
                )
                continue
            name = element.get("name", "")
            inline = element.find(_q("complexType"))
            if inline is not None:
                context = f"{owner}/{name}"
                types.append(self.complex(context, inline, types))
                kind = context
            else:
                kind = self.type_ref(element, element.get("type", "xs:anyType"))
            form = element.get("form")
            namespace = self.namespace if (form == "qualified" if form else self.qualified) else ""
            out.append(
                FieldDef(
                    name, "element", kind, namespace, repeated, required, _doc(element), line=element.sourceline or 0
                )
            )
        for attribute in holder.iterfind(_q("attribute")):
            kind = self.type_ref(attribute, attribute.get("type", "xs:string"))
            out.append(
                FieldDef(
                    attribute.get("name", ""),
                    "attribute",
                    kind,
                    "",
                    False,
                    attribute.get("use") == "required",
                    _doc(attribute),
                    line=attribute.sourceline or 0,
                )
            )
        return out

    def complex(self, xml: str, node: etree._Element, types: list[TypeDef]) -> TypeDef:
        extension = node.find(f"{_q('complexContent')}/{_q('extension')}")
        holder = extension if extension is not None else node
        base = self.type_ref(node, extension.get("base", "")) if extension is not None else None
        if node.find(f"{_q('complexContent')}/{_q('restriction')}") is not None:
            self.diagnostics.append(
                f"WARNING {self.where(node)}: complexContent restriction in {xml} is read as its own fields"
            )
        return TypeDef(
            xml,
            self.namespace,
            base,
            node.get("abstract") == "true",
            tuple(self.fields(xml, holder, types)),
            _doc(node),
            line=node.sourceline or 0,
        )


def _type_name(clark: str) -> str:
    qname = etree.QName(clark) if clark else None
    if qname is None:
        return ""
    return f"xs:{qname.localname}" if qname.namespace == XS else qname.localname


def parse_snapshot(snapshot: Snapshot) -> Model:
    """Read a snapshot into the IR (names are assigned later, by the passes).

    The operation wrappers are whatever the WSDL's message parts name
    (:mod:`boomi_soap.snapshot.contract`), in whichever namespace and schema document they
    are; every other complex type is a data class.
    """
    contract = contract_of(snapshot)
    wrapper_elements = {tag for op in contract.operations.values() for tag in (op.request, op.response)}
    readers = []
    for entry in snapshot.files:
        path = snapshot.directory / entry.path
        root = parse_xml(path.read_bytes(), source=str(path))
        if root.tag == _q("schema"):
            readers.append(_Reader(path, root))
    wrapper_types = set()
    for reader in readers:
        for node in reader.root.iterfind(_q("element")):
            if f"{{{reader.namespace}}}{node.get('name', '')}" in wrapper_elements and node.get("type"):
                prefix, _, local = node.get("type", "").rpartition(":")
                wrapper_types.add(f"{{{node.nsmap.get(prefix or None, '')}}}{local}")
    types: list[TypeDef] = []
    enums: list[EnumDef] = []
    elements: dict[tuple[str, str], str] = {}
    diagnostics: list[str] = [f"ERROR {problem}" for problem in contract.problems]
    declared = 0
    for reader in readers:
        for node in reader.root.iterfind(_q("complexType")):
            if f"{{{reader.namespace}}}{node.get('name', '')}" in wrapper_types:
                continue  # an operation wrapper's type: its children come from the contract
            declared += sum(1 for _ in node.iter(_q("complexType")))  # itself and its anonymous types
            types.append(reader.complex(node.get("name", ""), node, types))
        for node in reader.root.iterfind(_q("simpleType")):
            values = tuple(v.get("value", "") for v in node.iter(_q("enumeration")))
            if values:
                enums.append(EnumDef(node.get("name", ""), values, _doc(node)))
            else:
                diagnostics.append(
                    f"INFO {reader.where(node)}: simpleType {node.get('name')} without enumeration maps to its base"
                )
        for node in reader.root.iterfind(_q("element")):
            name = node.get("name", "")
            is_wrapper = f"{{{reader.namespace}}}{name}" in wrapper_elements
            inline = node.find(_q("complexType"))
            if inline is not None and not is_wrapper:
                declared += sum(1 for _ in inline.iter(_q("complexType")))
                definition = reader.complex(f"element:{name}", inline, types)
                types.append(definition)
                kind = definition.xml
            else:
                kind = reader.type_ref(node, node.get("type", "xs:anyType"))
            elements[(reader.namespace, name)] = kind
        diagnostics.extend(reader.diagnostics)
    if len(types) < declared:
        diagnostics.append(
            f"ERROR {snapshot.wsdl_path.name}:1: {len(types)} classes for {declared} complex types the schemas declare"
        )

    def resolve(field: FieldDef) -> FieldDef:
        if not field.type.startswith("@"):
            return field
        target = elements.get((field.namespace, field.type[1:]))
        if target is None:
            diagnostics.append(f"ERROR reference to undeclared element {{{field.namespace}}}{field.type[1:]}")
            target = "xs:anyType"
        return FieldDef(
            field.xml, field.kind, target, field.namespace, field.repeated, field.required, field.doc, line=field.line
        )

    def child_field(child: Child) -> FieldDef:
        kind = _type_name(child.type) or elements.get((child.namespace, child.name), "xs:anyType")
        return FieldDef(child.name, "element", kind, child.namespace, child.repeated, child.min_occurs > 0)

    types = [
        TypeDef(t.xml, t.namespace, t.base, t.abstract, tuple(resolve(f) for f in t.fields), t.doc, line=t.line)
        for t in types
    ]
    operations = [
        OperationDef(op.name, tuple(child_field(c) for c in op.inputs), tuple(child_field(c) for c in op.outputs))
        for op in contract.operations.values()
    ]
    return Model(
        tuple(types),
        tuple(enums),
        tuple(operations),
        contract.data_namespace,
        snapshot.sha256,
        tuple(diagnostics),
        contract_sha256(snapshot),
    )
