"""Runtime of the generated bindings: exact conversion between classes and XML.

Generated classes carry their XSD shape in a ``__xml__`` class attribute (a
:class:`TypeMeta`); these functions read it to write an instance as XML and to read
XML back into the class its ``xsi:type`` names.  Values keep their XML lexical form
where Python has no lossless type (``xs:dateTime`` stays ``str``), so a round trip
gives back the same XML.
"""

from __future__ import annotations

import base64
import binascii
import copy
import enum
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar, Final, NamedTuple, Protocol

from lxml import etree

__all__ = [
    "Binding",
    "FieldMeta",
    "OperationMeta",
    "TypeMeta",
    "Typed",
    "TypedCaller",
    "check_snapshot",
    "from_element",
    "to_element",
]

_log = logging.getLogger("boomi_soap.bindings")
_warned: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


def check_snapshot(client: Any, digest: str, package: str, contract: str = "") -> None:
    """Warn once per package and snapshot when bindings meet a client of another contract.

    The bindings still work where the contracts agree; the warning says where to look
    when a field or an operation is missing.  A snapshot that differs only in its SOAP
    address (the same service on another host or port) is the same contract: with
    ``contract`` given, that is compared (:func:`boomi_soap.snapshot.digest.contract_sha256`)
    and no warning is logged.

    Args:
        client: A :class:`~boomi_soap.client.Client`.
        digest: The ``sha256`` of the snapshot the bindings were generated from.
        package: The bindings' package name, for the message.
        contract: The snapshot's address-blind digest (``CONTRACT_SHA256`` of bindings
            generated since it exists; ``""`` compares ``digest`` only).
    """
    snapshot = getattr(client, "snapshot", None)
    actual = getattr(snapshot, "sha256", None)
    if actual is None or actual == digest:
        return
    if contract and _contract_of(snapshot) == contract:
        return
    with _warned_lock:
        if (package, actual) in _warned:
            return
        _warned.add((package, actual))
    _log.warning(
        "%s was generated from snapshot sha256 %s, but the client uses %s (%s); regenerate with boomi-soap codegen",
        package, digest[:16], actual[:16], getattr(snapshot, "directory", "?"),
    )  # fmt: skip


def _contract_of(snapshot: Any) -> str | None:
    # Imported here: generated ``types`` modules import this module, and most never make a client.
    from boomi_soap.exceptions import XMLInputError
    from boomi_soap.snapshot.digest import contract_sha256

    try:
        return contract_sha256(snapshot)
    except (AttributeError, OSError, XMLInputError):  # not a snapshot on disk, or unreadable: not the same contract
        return None


NS_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
_XSI_TYPE: Final = f"{{{NS_XSI}}}type"


class FieldMeta(NamedTuple):
    """One attribute or child element of a generated class.

    A named tuple because generated packages build thousands of them at import.

    Attributes:
        attr: The Python attribute name.
        xml: The XML local name.
        kind: ``"attribute"`` or ``"element"``.
        type: ``xs:<builtin>``, an enum class name or a class name (resolved in the module's registry).
        namespace: The element's namespace (``""`` when unqualified).
        repeated: ``maxOccurs > 1``.
    """

    attr: str
    xml: str
    kind: str
    type: str
    namespace: str = ""
    repeated: bool = False


@dataclass(frozen=True)
class TypeMeta:
    """The XSD shape of a generated class (its own fields; bases add theirs)."""

    name: str
    namespace: str
    fields: tuple[FieldMeta, ...]
    registry: Mapping[str, type[Any]]
    abstract: bool = False


class Binding:
    """Base of every generated class: value equality and a readable ``repr``.

    Generated classes are slotted, with a keyword-only ``__init__`` written out in
    the generated source, and list their fields in ``__xml__``; these methods read
    that list, so no per-class code is built at import.
    """

    __slots__ = ()
    __xml__: ClassVar[TypeMeta]

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.attr) for f in _all_fields(type(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Binding) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable values

    def __repr__(self) -> str:
        fields = ", ".join(f"{f.attr}={getattr(self, f.attr)!r}" for f in _all_fields(type(self)))
        return f"{self.__class__.__qualname__}({fields})"


class Typed(Protocol):
    """Any generated class."""

    __xml__: ClassVar[TypeMeta]


def _all_fields(cls: Any) -> tuple[FieldMeta, ...]:
    return _fields_of(cls)


@cache
def _fields_of(cls: Any) -> tuple[FieldMeta, ...]:
    found: list[FieldMeta] = []
    for klass in reversed(cls.__mro__):
        meta = klass.__dict__.get("__xml__")
        if isinstance(meta, TypeMeta):
            found.extend(meta.fields)
    return tuple(found)


def _text(value: Any, kind: str) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "xs:base64Binary" and isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


def _parse(text: str, kind: str, registry: Mapping[str, type[Any]]) -> Any:
    try:
        return _parse_value(text, kind, registry)
    except (ValueError, binascii.Error):
        raise ValueError(f"{text!r} is not a valid {kind}") from None


def _parse_value(text: str, kind: str, registry: Mapping[str, type[Any]]) -> Any:
    if kind in ("xs:int", "xs:long", "xs:integer", "xs:short"):
        return int(text)
    if kind in ("xs:double", "xs:float"):
        return float(text)
    if kind == "xs:decimal":
        return Decimal(text)
    if kind == "xs:boolean":
        value = text.strip()
        if value not in ("true", "1", "false", "0"):
            raise ValueError(value)
        return value in ("true", "1")
    if kind == "xs:base64Binary":
        return base64.b64decode(text, validate=True)
    enum_class = registry.get(kind)
    if enum_class is not None and issubclass(enum_class, enum.Enum):
        try:
            return enum_class(text)
        except ValueError:
            return text  # a value a newer release added: kept as text, not lost
    return text


def to_element(obj: Any, tag: str, *, typed: bool = False, nsmap: Mapping[str, str] | None = None) -> etree._Element:
    """Write a generated instance as an element.

    Args:
        obj: The instance.
        tag: The element's Clark name.
        typed: Add ``xsi:type`` naming the instance's class.
        nsmap: Namespace prefixes to declare on the element.

    Returns:
        The element.
    """
    meta = type(obj).__xml__
    element = etree.Element(tag, nsmap=dict(nsmap or {"api": meta.namespace, "xsi": NS_XSI}))
    _fill(obj, element, typed)
    return element


def _fill(obj: Any, element: etree._Element, typed: bool) -> None:
    meta = type(obj).__xml__
    if typed:
        element.set(_XSI_TYPE, _qname(element, meta.namespace, meta.name))
    fields = list(_all_fields(type(obj)))
    for field in fields:
        value = getattr(obj, field.attr)
        if field.kind == "attribute" and value is not None:
            element.set(field.xml, _text(value, field.type))
    for field in fields:
        if field.kind != "element":
            continue
        value = getattr(obj, field.attr)
        for item in value if field.repeated else ([] if value is None else [value]):
            child = etree.SubElement(element, f"{{{field.namespace}}}{field.xml}" if field.namespace else field.xml)
            if hasattr(type(item), "__xml__"):
                declared = meta.registry.get(field.type)
                _fill(item, child, typed=declared is not type(item))
            elif isinstance(item, etree._Element):
                child.append(copy.deepcopy(item))
            else:
                child.text = _text(item, field.type)


def _tag(field: FieldMeta) -> str:
    return f"{{{field.namespace}}}{field.xml}" if field.namespace else field.xml


def _qname(element: etree._Element, namespace: str, name: str) -> str:
    prefix = next((p for p, uri in element.nsmap.items() if uri == namespace and p), None)
    if prefix is None:
        raise ValueError(f"no prefix for {namespace} in scope")
    return f"{prefix}:{name}"


def from_element(element: etree._Element, declared: type[Any]) -> Any:
    """Read an element into the class its ``xsi:type`` names, else ``declared``.

    Unknown children and attributes (fields of a newer release) are ignored; a
    required field the element lacks reads as ``None`` (``[]`` for a list).

    Raises:
        ValueError: If ``xsi:type`` names a class the bindings do not know.
    """
    cls = declared
    registry = declared.__xml__.registry
    type_name = element.get(_XSI_TYPE)
    if type_name:
        prefix, _, local = type_name.rpartition(":")
        if element.nsmap.get(prefix or None) == declared.__xml__.namespace:
            found = registry.get(local)
            if found is None:
                raise ValueError(f"xsi:type {type_name} is not a type of these bindings")
            cls = found
    if cls.__xml__.abstract:
        raise ValueError(
            f"{etree.QName(element)} at line {element.sourceline} has no xsi:type; {cls.__name__} is abstract"
        )
    values: dict[str, Any] = {}
    fields = list(_all_fields(cls))
    for field in fields:
        if field.kind == "attribute":
            raw = element.get(field.xml)
            if raw is not None:
                values[field.attr] = _parse(raw, field.type, registry)
            continue
        items = []
        for child in element.iterchildren(_tag(field)):
            target = registry.get(field.type)
            if target is not None and hasattr(target, "__xml__"):
                items.append(from_element(child, target))
            elif field.type == "xs:anyType":
                items.append(copy.deepcopy(child[0]) if len(child) else (child.text or ""))
            else:
                items.append(_parse(child.text or "", field.type, registry))
        if field.repeated:
            values[field.attr] = items
        elif items:
            values[field.attr] = items[0]
    try:
        return cls(**values)
    except TypeError:
        # A required field the answer left out (the tolerant reader recorded it): read as absent,
        # never a made-up value.  The client's check decides whether such an answer is read at all.
        for f in fields:
            values.setdefault(f.attr, [] if f.repeated else None)
        return cls(**values)


OperationMeta = tuple[tuple[FieldMeta, ...], tuple[FieldMeta, ...]]


class TypedCaller:
    """Calls operations of a generated binding through a :class:`~boomi_soap.client.Client`.

    The wrapper elements and the name, namespace and qualification of each child come
    from the client's own snapshot (``client.contract``), never from the bindings: the
    same bindings then work against an account in either wrapper layout.
    """

    def __init__(self, client: Any, namespace: str, registry: Mapping[str, type[Any]]) -> None:
        """Bind to a client and the generated registry."""
        self.client = client
        self.namespace = namespace
        self.registry = registry

    def call(self, operation: str, meta: OperationMeta, values: Mapping[str, Any]) -> dict[str, Any]:
        """Send ``operation`` with ``values`` (by Python name); return the outputs by Python name.

        Raises:
            InvalidRequestError: If the account's WSDL lacks the operation or a child given a value.
            ResponseError: If the answer cannot be read into the bindings' classes.
        """
        from boomi_soap.exceptions import ResponseError

        answer = self.client.call_xml(self.payload(operation, meta, values))
        shape = self.client.contract.operations[operation]
        result: dict[str, Any] = {}
        try:
            for field in meta[1]:
                declared = shape.output(field.xml)
                tag = declared.tag if declared is not None else _tag(field)
                target = self.registry.get(field.type)
                found = [
                    from_element(child, target)
                    if target is not None and hasattr(target, "__xml__")
                    else _parse(child.text or "", field.type, self.registry)
                    for child in answer.iterchildren(tag)
                ]
                result[field.attr] = found if field.repeated else (found[0] if found else None)
        except ValueError as exc:  # an answer the schema allows but these bindings cannot hold
            raise ResponseError(operation, f"the answer does not fit the bindings: {exc}") from None
        return result

    def payload(self, operation: str, meta: OperationMeta, values: Mapping[str, Any]) -> etree._Element:
        """The request wrapper ``operation`` would send with ``values``, from the client's contract.

        Raises:
            RequestRefusedError: If the account's WSDL lacks the operation or a child given a value.
        """
        from boomi_soap.exceptions import RequestRefusedError

        shape = self.client.contract.operations.get(operation)
        if shape is None:
            raise RequestRefusedError(operation, "not an operation of this account's WSDL")
        wrapper_ns = etree.QName(shape.request).namespace
        nsmap = {"api": self.namespace, "xsi": NS_XSI}
        if wrapper_ns and wrapper_ns != self.namespace:
            nsmap["soap"] = wrapper_ns
        payload = etree.Element(shape.request, nsmap=nsmap)
        for field in meta[0]:
            value = values.get(field.attr)
            items: list[Any] = list(value or []) if field.repeated else ([] if value is None else [value])
            declared = shape.input(field.xml)
            if declared is None:
                if items:
                    raise RequestRefusedError(operation, f"this account's WSDL has no {field.xml} in {operation}")
                continue
            for item in items:
                if isinstance(item, etree._Element) and etree.QName(item).localname == field.xml:
                    child = copy.deepcopy(item)  # already the whole child (a built queryConfig)
                    child.tag = declared.tag
                    payload.append(child)
                    continue
                child = etree.SubElement(payload, declared.tag)
                if hasattr(type(item), "__xml__"):
                    try:
                        _fill(item, child, typed=self.registry.get(field.type) is not type(item))
                    except (ValueError, TypeError) as exc:
                        raise RequestRefusedError(operation, f"{field.xml} cannot be written: {exc}") from None
                elif isinstance(item, etree._Element):
                    child.append(copy.deepcopy(item))
                else:
                    child.text = _text(item, field.type)
        return payload

    def query_config(self, where: Any) -> etree._Element | None:
        """The ``queryConfig`` element of a :mod:`boomi_soap.query` expression (``None``: all)."""
        if where is None:
            return None
        nsmap = {"api": self.namespace, "xsi": NS_XSI}
        config = etree.Element(f"{{{self.namespace}}}queryConfig", nsmap=nsmap)
        query_filter = etree.SubElement(config, f"{{{self.namespace}}}QueryFilter")
        self._expression(query_filter, "expression", where)
        return config

    def _expression(self, parent: etree._Element, tag: str, node: Any) -> None:
        element = etree.SubElement(parent, f"{{{self.namespace}}}{tag}")
        kind = "GroupingExpression" if hasattr(node, "items") else "SimpleExpression"
        element.set(_XSI_TYPE, f"api:{kind}")
        element.set("operator", node.operator)
        if hasattr(node, "items"):
            for item in node.items:
                self._expression(element, "nestedExpression", item)
            return
        element.set("property", node.property)
        for argument in node.arguments:
            etree.SubElement(element, f"{{{self.namespace}}}argument").text = argument
