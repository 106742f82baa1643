"""The generator's intermediate representation: plain frozen records."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

__all__ = ["EnumDef", "FieldDef", "Model", "OperationDef", "TypeDef", "replace"]


@dataclass(frozen=True)
class FieldDef:
    """An attribute or child element.

    Attributes:
        xml: XML local name.
        kind: ``attribute`` or ``element``.
        type: ``xs:<builtin>`` or the XSD name of a complex or simple type.
        namespace: Element namespace (``""`` when unqualified).
        repeated: ``maxOccurs > 1``.
        required: ``minOccurs >= 1`` / ``use="required"``.
        doc: ``xs:documentation`` text.
        name: Python attribute name (set by a pass).
        line: Source line of the declaration, for diagnostics.
    """

    xml: str
    kind: str
    type: str
    namespace: str = ""
    repeated: bool = False
    required: bool = False
    doc: str = ""
    name: str = ""
    line: int = 0


@dataclass(frozen=True)
class TypeDef:
    """A complex type (named, or anonymous and named from its context).

    Attributes:
        xml: XSD name (for anonymous types, the context path such as ``QueryConfig/QuerySort``).
        namespace: Target namespace.
        base: XSD name of the base type, if it extends one.
        abstract: Whether it is abstract.
        fields: Own fields, in schema order (elements, then attributes).
        doc: ``xs:documentation`` text.
        name: Python class name (set by a pass).
        line: Source line, for diagnostics.
    """

    xml: str
    namespace: str
    base: str | None
    abstract: bool
    fields: tuple[FieldDef, ...]
    doc: str = ""
    name: str = ""
    line: int = 0


@dataclass(frozen=True)
class EnumDef:
    """A simple type restricted to an enumeration."""

    xml: str
    values: tuple[str, ...]
    doc: str = ""
    name: str = ""
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class OperationDef:
    """A WSDL operation: its request and response wrapper children."""

    xml: str
    inputs: tuple[FieldDef, ...]
    outputs: tuple[FieldDef, ...]
    name: str = ""


@dataclass(frozen=True)
class Model:
    """Everything generated from one snapshot."""

    types: tuple[TypeDef, ...]
    enums: tuple[EnumDef, ...]
    operations: tuple[OperationDef, ...]
    namespace: str
    snapshot_sha256: str
    diagnostics: tuple[str, ...] = field(default=())
    contract_sha256: str = ""  # the snapshot's digest with its SOAP addresses blanked (boomi_soap.snapshot.digest)
