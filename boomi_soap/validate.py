"""Stage 5: validate documents against an account's schema, with precise errors.

One implementation, :meth:`SchemaValidator.iter_errors`, behind three calls
(``iter_errors``, ``validate``, ``is_valid``).  It accepts an lxml element, bytes or
a file; a SOAP 1.1 envelope has its Body's children validated (prefixes declared
on the Envelope are honoured), any other document its root, which must then be a
global element of the schema (``Process``, ``QueryConfig``, ``get`` ...).

libxml2 decides, and its error log explains most faults: it names the failing
element (by a path and a line) and says what is wrong in words this module turns
into plain ones, so every issue carries the XPath of the failing node, the reason,
what was expected, the offending value, and the line and column when the document
came from text.  xmlschema is asked only for what libxml2 does not say (the other
faults of an element whose type is abstract, a message not recognised here), for
at most ``explain_limit`` issues per document, and is imported only then: a process
that validates only valid documents never loads it.  A document libxml2 rejects is
never passed as valid; when xmlschema cannot explain it, libxml2's words are given.

Every independent problem is reported, as xmlschema's ``iter_errors`` does: libxml2
checks nothing more in a parent after a child out of order, so each child from there
on is validated alone (by libxml2, against the declaration of its name in the
parent's type), and each child the type does not declare is reported.
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

from lxml import etree

from boomi_soap._xml.safe import MAX_ELEMENT_ATTRIBUTES, MAX_NAMESPACES, MAX_TAGS, parse_xml, safe_parser
from boomi_soap.exceptions import BoomiSoapError, DocumentInvalidError
from boomi_soap.snapshot.schema import SchemaBundle, snapshot_file

__all__ = [
    "KNOWN_PREFIXES",
    "Declarations",
    "FileResult",
    "Finding",
    "SchemaValidator",
    "ValidationIssue",
    "ValidationReport",
    "expand_inputs",
    "validate_sources",
    "xpath_of",
]

NS_ENVELOPE: Final = "http://schemas.xmlsoap.org/soap/envelope/"
NS_XS: Final = "http://www.w3.org/2001/XMLSchema"
KNOWN_PREFIXES: Final = {
    NS_ENVELOPE: "soapenv",
    "http://soap.api.platform.boomi.com/": "soap",
    "http://partner.api.platform.boomi.com/": "par",
    "http://api.platform.boomi.com/": "api",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
}
_ENVELOPE: Final = f"{{{NS_ENVELOPE}}}Envelope"
_NOT_ELEMENTS: Final = (etree._Comment, etree._ProcessingInstruction, etree._Entity)  # what else iterating yields
_BODY: Final = f"{{{NS_ENVELOPE}}}Body"
_log = logging.getLogger("boomi_soap.validate")
_ATTRIBUTE: Final = r"^attribute (?P<name>[^\s=]+)="


_parsers = threading.local()
# A document no longer than this is within every bound _parse counts against, whatever its bytes.
_WITHIN_EVERY_BOUND: Final = min(MAX_ELEMENT_ATTRIBUTES, 5 * (MAX_NAMESPACES + 1) - 1, MAX_TAGS)


def _parse(data: bytes, source: str) -> etree._Element:
    """:func:`~boomi_soap._xml.safe.parse_xml`, with its checks made in fewer steps for the usual document.

    Its byte checks cost as much as the parse of a small request.  For UTF-8 that
    starts with a tag (no declaration, no BOM, no NUL second byte as UTF-16 and UTF-32
    would have: what libxml2 reads as UTF-8, where the byte scan sees every DOCTYPE)
    they come down to the search and counts below, against the same bounds, and the
    parser has the same hardened configuration.  A NUL byte further on is refused by
    libxml2 itself (no character of XML is 0).  A DOCTYPE is looked for only when the
    document has a ``!`` at all (one byte is found faster than nine).  A count is
    skipped where the length settles it: each counted spelling takes one byte or more
    (``xmlns`` five).  Anything else, and any parse that fails, goes through
    ``parse_xml``: what is refused, and the words, are the same.
    """
    size = len(data)
    if (
        size > 1
        and data[0] == 0x3C  # "<"
        and data[1] != 0x3F  # "?": a declaration may name another encoding
        and data[1] != 0
        and (data.find(b"!") < 0 or data.find(b"<!DOCTYPE") < 0)
        and (
            size <= _WITHIN_EVERY_BOUND  # one comparison for the usual document
            or (
                data.count(b"=") <= MAX_ELEMENT_ATTRIBUTES
                and (size < 5 * (MAX_NAMESPACES + 1) or data.count(b"xmlns") <= MAX_NAMESPACES)
                and (size <= MAX_TAGS or data.count(b"<") <= MAX_TAGS)
            )
        )
    ):
        try:
            parser: etree.XMLParser = _parsers.parser
        except AttributeError:  # lxml parsers must not be shared between threads
            parser = _parsers.parser = safe_parser()
        try:
            return etree.fromstring(data, parser)
        except etree.XMLSyntaxError:
            pass  # parse_xml refuses it, in its own words
    return parse_xml(data, source=source)


@dataclass(frozen=True)
class ValidationIssue:
    """One way a document breaks the schema.

    Attributes:
        source: The document's name (file, ``<stdin>``, ``<element>``).
        path: XPath of the failing element or attribute.
        reason: What is wrong.
        line: Line of the failing node, when the document came from text.
        column: Column of the failing node's start tag (or attribute), when known.
        expected: What the schema allowed there (content-model errors).
        value: The offending value (simple-type errors).
    """

    source: str
    path: str
    reason: str
    line: int | None = None
    column: int | None = None
    expected: tuple[str, ...] = ()
    value: str | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line or 0}:{self.column or 0}"
        hint = f" (expected: {', '.join(self.expected)})" if self.expected else ""
        return f"{where}: {self.path}: {self.reason}{hint}"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the fields."""
        data = asdict(self)
        data["expected"] = list(self.expected)
        return data


def xpath_of(element: etree._Element, attribute: str | None = None) -> str:
    """Return an XPath for ``element`` (and ``attribute``), with positions where needed.

    Steps use conventional prefixes for the SOAP and Boomi namespaces (``soapenv``,
    ``soap``, ``api``), else the element's own prefix; unqualified names stay bare.
    """
    return _XPaths().of(element, attribute)


_STEPS: dict[str, str] = {}  # a tag's XPath step, where it does not depend on the node's own prefix


class _XPaths:
    """:func:`xpath_of` for many nodes of one document: each ancestor's path and siblings counted once."""

    def __init__(self) -> None:
        self._paths: dict[etree._Element, str] = {}
        self._same: dict[etree._Element, dict[object, list[etree._Element]]] = {}

    def of(self, element: etree._Element, attribute: str | None = None) -> str:
        path = self._path(element)
        return f"{path}/@{attribute}" if attribute else path

    def _path(self, node: etree._Element) -> str:
        known = self._paths.get(node)
        if known is not None:
            return known
        tag = node.tag
        assert isinstance(tag, str)
        step = _STEPS.get(tag)
        if step is None:
            namespace, _, local = tag[1:].partition("}") if tag[:1] == "{" else ("", "", tag)
            known = KNOWN_PREFIXES.get(namespace)
            prefix = known or (node.prefix if namespace else None)
            if prefix:
                step = f"{prefix}:{local}"
            elif namespace:
                step = f"*[local-name()='{local}']"
            else:
                step = local
            if (known or not namespace) and len(_STEPS) < 4096:  # the same for every node of that tag
                _STEPS[tag] = step
        parent = node.getparent()
        if parent is None:
            path = "/" + step
        else:
            groups = self._same.get(parent)
            if groups is None:
                groups = self._same[parent] = {}
                for sibling in parent:  # cheaper than itersiblings(tag), once per parent
                    groups.setdefault(sibling.tag, []).append(sibling)
            same = groups[tag]
            if len(same) > 1:
                step += f"[{same.index(node) + 1}]"
            path = f"{self._path(parent)}/{step}"
        self._paths[node] = path
        return path


class _Text:
    """Source lines of a document, to give columns (lxml keeps only lines); split on first need."""

    def __init__(self, data: bytes | None) -> None:
        self.data = data
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str] | None:
        if self._lines is None and self.data is not None:
            self._lines = self.data.decode("utf-8", "replace").splitlines()
        return self._lines

    def column(self, element: etree._Element, attribute: str | None) -> int | None:
        line = element.sourceline
        lines = self.lines
        if lines is None or line is None or not 0 < line <= len(lines):
            return None
        text = lines[line - 1]
        name = _local(element.tag)
        starts = list(_start_tag(name).finditer(text))
        if not starts:
            return None
        match = starts[0]
        if len(starts) > 1:  # the n-th start tag of that name on the line is the n-th such element there
            root = element.getroottree().getroot()
            same = [e for e in root.iter() if e.sourceline == line and _local(e.tag) == name]
            position = same.index(element) if element in same else 0
            match = starts[position] if position < len(starts) else match
        if attribute is not None:
            found = _attribute_at(attribute.rpartition(":")[2]).search(text, match.end())
            if found is not None:
                return found.start(1) + 1
        return match.start() + 1


def _local(tag: object) -> str:
    """The local name of an element's tag (what ``etree.QName(element).localname`` gives, without the object)."""
    return str(tag).rpartition("}")[2]


@functools.lru_cache(maxsize=512)
def _start_tag(name: str) -> re.Pattern[str]:
    """A start tag of local name ``name``, any prefix, on a line of text."""
    return re.compile(rf"<([\w.-]+:)?{re.escape(name)}(?=[\s/>])")


@functools.lru_cache(maxsize=512)
def _attribute_at(local: str) -> re.Pattern[str]:
    """An attribute of local name ``local``, any prefix, inside a start tag."""
    return re.compile(rf"\s((?:[\w.-]+:)?{re.escape(local)})\s*=")


@dataclass
class Finding:
    """One problem as libxml2 reported it, in the words of an issue.

    ``complete`` is false when xmlschema would add something libxml2 does not say
    (a missing child libxml2 does not name, the other faults of an abstract type, a
    message this module does not recognise).  ``unexpected`` marks the child that
    broke its parent's content model: libxml2 checks nothing after it in that parent.
    ``kind`` sorts it for the tolerant reader: ``enumeration``, ``value`` (not of the
    declared type), ``missing-attribute``, ``unknown-attribute``, ``unexpected`` (a
    child out of order or undeclared), ``unexpected-children`` (children under a type with
    no content), ``incomplete`` (a required child missing),
    ``text``, ``type`` (no declaration, an xsi:type that names none), ``abstract``, ``other``;
    ``name`` is the attribute's name as libxml2 gave it, for the attribute kinds.
    """

    element: etree._Element
    reason: str
    attribute: str | None = None
    expected: tuple[str, ...] = ()
    value: str | None = None
    complete: bool = True
    unexpected: bool = False
    kind: str = "other"
    name: str | None = None


# Patterns as text: ``re`` compiles (and keeps) each on first use, which only an
# invalid document needs; a process that validates good documents never pays for them.
_LIBXML2: Final = r"(?s)^Element '(?P<element>[^']+)'(?:, attribute '(?P<attribute>[^']+)')?: (?P<text>.*)$"
_ENUMERATION: Final = (
    r"(?s)^\[facet 'enumeration'\] The value '(?P<value>.*)' is not an element of the set \{(?P<set>.*)\}\.$"
)
_ATOMIC: Final = r"(?s)^'(?P<value>.*)' is not a valid value of the (?:atomic|list|union) type '(?P<type>[^']+)'\.$"
_FACET: Final = r"(?s)^\[facet '(?P<facet>\w+)'\] The value '(?P<value>.*?)' (?P<rest>.*?)\.?$"
_REQUIRED: Final = r"^The attribute '(?P<name>[^']+)' is required but missing\.$"
_NOT_ALLOWED: Final = r"^The attribute '(?P<name>[^']+)' is not allowed\.$"
_UNEXPECTED: Final = r"(?s)^This element is not expected\.(?: Expected is (?:one of )?\( (?P<expected>.*) \)\.)?$"
_MISSING: Final = r"(?s)^Missing child element\(s\)\.(?: Expected is (?:one of )?\( (?P<expected>.*) \)\.)?$"
_WORDS: Final = {
    "boolean": "is not a boolean value",
    "dateTime": "is not a valid datetime",
    "date": "is not a valid date",
    "time": "is not a valid time",
    "duration": "is not a valid duration",
    "decimal": "is not a decimal number",
    "float": "is not a number",
    "double": "is not a number",
    **{
        name: "is not an integer"
        for name in (
            "int", "integer", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
            "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
        )
    },
}  # fmt: skip
_EMPTY_TYPE: Final = "because the content type is empty."
_EMPTY_ELEMENTS: Final = "Element content is not allowed, because the content type is empty."
_EMPTY_TEXT: Final = "Character content is not allowed, because the content"
_CHARACTER_DATA: Final = (
    "Character content other than whitespace is not allowed because the content type is 'element-only'."
)
_UNRESOLVED_TYPE: Final = "of the xsi:type attribute does not resolve to a type definition"


def _short(name: str) -> str:
    """``{namespace}local`` with the conventional prefix (``api:Process``); other names as they are."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        prefix = KNOWN_PREFIXES.get(namespace)
        return f"{prefix}:{local}" if prefix else name
    return name


def _names(listed: str | None) -> tuple[str, ...]:
    return tuple(_short(n.strip()) for n in listed.split(",")) if listed else ()


class _Patterns:
    """libxml2's messages as compiled patterns, made on the first invalid document."""

    def __init__(self) -> None:
        self.libxml2 = re.compile(_LIBXML2)
        self.enumeration = re.compile(_ENUMERATION)
        self.atomic = re.compile(_ATOMIC)
        self.facet = re.compile(_FACET)
        self.required = re.compile(_REQUIRED)
        self.not_allowed = re.compile(_NOT_ALLOWED)
        self.unexpected = re.compile(_UNEXPECTED)
        self.missing = re.compile(_MISSING)


@functools.cache
def _patterns() -> _Patterns:
    return _Patterns()


def _translate(element: etree._Element, message: str) -> Finding:
    """Turn one libxml2 message about ``element`` into a finding."""
    # Each pattern starts with fixed words: a startswith() first spares the matches that would fail.
    patterns = _patterns()
    match = patterns.libxml2.match(message)
    if match is None:
        return Finding(element, message, complete=False)
    attribute = match.group("attribute")
    text = match.group("text").strip()
    shown = _short(attribute) if attribute else None
    on = f"attribute {shown}=" if shown else ""
    facet = text.startswith("[facet '")
    if facet and (found := patterns.enumeration.match(text)):
        value = found.group("value")
        reason = f"value must be one of [{found.group('set')}]"
        return Finding(
            element,
            f"{on}{value!r}: {reason}" if on else reason,
            shown,
            value=value,
            kind="enumeration",
            name=attribute,
        )
    if text[:1] == "'" and (found := patterns.atomic.match(text)):
        value, kind = found.group("value"), found.group("type")
        words = _WORDS.get(kind.removeprefix("xs:")) if kind.startswith("xs:") else None
        reason = f"{value!r} {words or f'is not a valid value of type {_short(kind)}'}"
        return Finding(
            element, f"{on}{value!r}: {reason}" if on else reason, shown, value=value, kind="value", name=attribute
        )
    if facet and (found := patterns.facet.match(text)):
        value = found.group("value")
        reason = f"{value!r} {found.group('rest')} (facet {found.group('facet')})"
        return Finding(
            element, f"{on}{value!r}: {reason}" if on else reason, shown, value=value, kind="value", name=attribute
        )
    attribute_words = text.startswith("The attribute '")
    if attribute_words and (found := patterns.required.match(text)):
        name = found.group("name")
        return Finding(element, f"missing required attribute {_short(name)!r}", kind="missing-attribute", name=name)
    if attribute_words and (found := patterns.not_allowed.match(text)):
        name = found.group("name")
        return Finding(
            element, f"{_short(name)!r} attribute not allowed for element", kind="unknown-attribute", name=name
        )
    if text.startswith("This element is not expected.") and (found := patterns.unexpected.match(text)):
        parent = element.getparent()
        position = (parent.index(element) + 1) if parent is not None else 1
        expected = _names(found.group("expected"))
        reason = f"Unexpected child with tag {_short(match.group('element'))!r} at position {position}."
        # libxml2 lists what its automaton could still take; no list: nothing more is allowed.
        return Finding(element, reason, expected=expected, unexpected=True, kind="unexpected")
    if text.startswith("Missing child element(s).") and (found := patterns.missing.match(text)):
        expected = _names(found.group("expected"))
        wanted = f" Tag {expected[0]!r} expected." if len(expected) == 1 else ""
        if len(expected) > 1:
            wanted = f" One of {', '.join(repr(e) for e in expected)} expected."
        reason = f"The content of element {_short(match.group('element'))!r} is not complete.{wanted}"
        return Finding(element, reason, expected=expected, complete=bool(expected), kind="incomplete")
    if text == _EMPTY_ELEMENTS:  # children where the type has none (a field of a newer release)
        # complete=False: xmlschema's words for the issue, as before; the kind is the tolerant reader's.
        return Finding(element, message, complete=False, kind="unexpected-children")
    if text.startswith(_EMPTY_TEXT):
        return Finding(element, message, complete=False, kind="text")
    if text == _CHARACTER_DATA:
        return Finding(element, "character data between child elements not allowed", kind="text")
    if text.startswith("No matching global declaration") or _UNRESOLVED_TYPE in text:
        return Finding(element, text, kind="type")
    if text == "The type definition is abstract.":
        # xmlschema names the type, and finds the faults libxml2 stops before.
        return Finding(element, "the type is abstract: give a concrete xsi:type", complete=False, kind="abstract")
    return Finding(element, message, complete=False)


_EMPTY_KINDS: Final = ("text", "unexpected-children")


def _empty_content(findings: list[Finding]) -> list[Finding]:
    """libxml2's "the content type is empty" findings, told as xmlschema tells them (it need not be asked).

    On an element whose type has no content, xmlschema reports text before the first
    child (``character data is not allowed ...``), text anywhere but whitespace
    (``character data between child elements ...``), and each element child by its
    position among all children (comments count); libxml2 says one line for all the
    children and one for the text.  An element with another problem only xmlschema
    explains keeps libxml2's findings: xmlschema's account of it replaces them all.
    """
    empty: dict[int, etree._Element] = {}
    other: set[int] = set()
    for finding in findings:
        key = id(finding.element)
        if finding.complete:
            continue
        if finding.kind == "unexpected-children" or (finding.kind == "text" and finding.reason.endswith(_EMPTY_TYPE)):
            empty[key] = finding.element
        else:
            other.add(key)
    told = {key: _told_empty(element) for key, element in empty.items() if key not in other}
    if not told:
        return findings
    result: list[Finding] = []
    for finding in findings:
        key = id(finding.element)
        if finding.complete or key not in told:
            result.append(finding)
        elif told[key]:
            result += told[key]  # once for the element, in place of libxml2's lines
            told[key] = []
    return result


def _told_empty(element: etree._Element) -> list[Finding]:
    """The issues xmlschema gives on ``element``, of a type with no content (attributes aside)."""
    found: list[Finding] = []
    text = element.text
    if text:
        found.append(Finding(element, "character data is not allowed because content is empty", kind="text"))
    if (text and text.strip()) or any(child.tail and child.tail.strip() for child in element):
        found.append(Finding(element, "character data between child elements not allowed", kind="text"))
    for position, child in enumerate(element, 1):
        if isinstance(child.tag, str):
            reason = f"Unexpected child with tag {_short(child.tag)!r} at position {position}."
            found.append(Finding(child, reason, kind="unexpected-children"))
    return found


class _Locator:
    """Finds the element a libxml2 error names: by libxml2's own path, else by line."""

    def __init__(self, target: etree._Element) -> None:
        self.target = target
        self._walked: dict[str, etree._Element | None] = {}
        self._children: dict[tuple[etree._Element, str], list[etree._Element]] = {}

    def find(self, line: int, path: str | None) -> etree._Element:
        found = self._walk(path) if path else None
        if found is not None:
            return found
        if line:
            for node in self.target.iter():
                if node.sourceline == line and isinstance(node.tag, str):
                    return node
        return self.target

    def _walk(self, path: str) -> etree._Element | None:
        # libxml2 validates a Body child as the root of a stand-in document, so its
        # paths start at the target.  A step is prefix:name, name (no namespace) or
        # * (default namespace, counted among all element siblings), then [n] when
        # the step is not the only one of its kind.  Errors share ancestors: each
        # path is walked once.
        if path in self._walked:
            return self._walked[path]
        head, _, step = path.rpartition("/")
        node = self._walk(head) if head.count("/") else self.target
        if node is not None and head:
            name, _, index = step.partition("[")
            position = int(index[:-1]) if index else 1
            children = self._children.get((node, name))
            if children is None:
                children = self._children[node, name] = self._named(node, name)
            node = children[position - 1] if 0 < position <= len(children) else None
        self._walked[path] = node
        return node

    @staticmethod
    def _named(node: etree._Element, name: str) -> list[etree._Element]:
        if name == "*":
            return [c for c in node if isinstance(c.tag, str)]
        prefix, _, local = name.rpartition(":")
        if not prefix:
            return list(node.iterchildren(local))  # no namespace: the tag is the bare name
        ending = "}" + local
        return [c for c in node if c.prefix == prefix and str(c.tag).endswith(ending)]


# -- what libxml2 leaves unchecked after an element out of order ---------------------------
#
# After a child that breaks its parent's content model, libxml2 checks nothing more in
# that parent: not the child's own content, not the siblings after it.  xmlschema then
# checks each of those children against the declaration of its name in the parent's type
# (a model-less match) and reports every child the type does not declare.  The same is
# done here with libxml2: each such child is validated alone, as the root of a stand-in
# ("probe") document whose root has the child's declared type, against one more compiled
# schema that adds the probe roots (a global element of any type, told its type by
# xsi:type, and one global element per anonymous type).

NS_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
NS_PROBE: Final = "urn:boomi-soap:probe"
_XSI_TYPE: Final = f"{{{NS_XSI}}}type"
_PROBE: Final = f"{{{NS_PROBE}}}probe"
_PROBE_PREFIX: Final = "boomi_soap_probe"
_ANY_TYPE: Final = f"{{{NS_XS}}}anyType"
_CONTEXT_TYPES: Final = ("QName", "NOTATION")  # built-in types whose values name a namespace by its prefix
_XS: Final = f"{{{NS_XS}}}"

_Type = str | etree._Element
"""A type: the Clark name of a named one (built-in or declared), or an anonymous type's node."""


def _key(namespace: str, local: str) -> str:
    """The Clark name lxml gives an element of ``namespace`` (bare for no namespace)."""
    return f"{{{namespace}}}{local}" if namespace else local


def _qname(node: etree._Element, value: str) -> str:
    """Resolve a QName written in ``node`` (a schema component or an instance element)."""
    prefix, _, local = value.strip().rpartition(":")
    return _key(node.nsmap.get(prefix or None) or "", local)


class Declarations:
    """The schema documents of a bundle, read just far enough to give each child its declared type."""

    def __init__(self, directory: Path, names: frozenset[str], imports: tuple[tuple[str, str], ...]) -> None:
        self.directory = directory
        self.documents: dict[str, etree._Element] = {}
        self.elements: dict[str, etree._Element] = {}
        self.types: dict[str, etree._Element] = {}
        self.groups: dict[str, etree._Element] = {}
        self.anonymous: dict[etree._Element, str] = {}  # anonymous type -> its probe root's tag
        self._content: dict[object, dict[str, _Type] | None] = {}
        self._required: dict[object, tuple[str, ...]] = {}
        tables = {"element": self.elements, "complexType": self.types, "simpleType": self.types, "group": self.groups}
        queue = [name for _, name in imports]
        while queue:  # only the documents the bundle's imports reach, as libxml2 loads them
            name = queue.pop(0)
            if name in self.documents or name not in names:
                continue
            root = parse_xml((directory / name).read_bytes(), source=name)
            self.documents[name] = root
            namespace = root.get("targetNamespace", "")
            for child in root:
                kind = child.tag
                if not isinstance(kind, str) or not kind.startswith(_XS):
                    continue
                kind = kind[len(_XS) :]
                if kind in ("import", "include", "redefine"):
                    location = child.get("schemaLocation")
                    if location:
                        queue.append(location.rpartition("/")[2])
                elif (named := child.get("name")) is not None and kind in tables:
                    tables[kind][_key(namespace, named)] = child
            for node in root.iter(f"{_XS}complexType", f"{_XS}simpleType"):
                if node.get("name") is None:
                    self.anonymous[node] = _key(namespace, f"__probe_{len(self.anonymous)}")

    def declared(self, particle: etree._Element) -> tuple[str, _Type]:
        """The instance name and the type of an ``xs:element`` declaration (or reference)."""
        ref = particle.get("ref")
        if ref is not None:
            name = _qname(particle, ref)
            target = self.elements.get(name)
            return name, (self.type_of_declaration(target) if target is not None else _ANY_TYPE)
        root = particle.getroottree().getroot()
        qualified = (
            particle.getparent() is root
            or (particle.get("form") or root.get("elementFormDefault", "unqualified")) == "qualified"
        )
        name = _key(root.get("targetNamespace", "") if qualified else "", particle.get("name", ""))
        return name, self.type_of_declaration(particle)

    def type_of_declaration(self, declaration: etree._Element) -> _Type:
        """The type an ``xs:element`` declaration gives (named, anonymous, or its head's)."""
        named = declaration.get("type")
        if named is not None:
            return _qname(declaration, named)
        for child in declaration:
            if child.tag in (f"{_XS}complexType", f"{_XS}simpleType"):
                return child
        head = declaration.get("substitutionGroup")
        target = self.elements.get(_qname(declaration, head)) if head else None
        return self.type_of_declaration(target) if target is not None else _ANY_TYPE

    def content(self, kind: _Type) -> dict[str, _Type] | None:
        """Each child element name the type declares, with its declared type (``None``: type unknown)."""
        key: object = kind
        if key in self._content:
            return self._content[key]
        node = kind if isinstance(kind, etree._Element) else self.types.get(kind)
        found: dict[str, _Type] | None = {}
        if node is None:
            # A built-in type declares no child; any other unknown name cannot be followed.
            found = {} if isinstance(kind, str) and kind.startswith("{" + NS_XS + "}") else None
        else:
            assert found is not None
            self._particles(node, found, 0)
        self._content[key] = found
        return found

    def _particles(self, node: etree._Element, found: dict[str, Any], depth: int, *, required: bool = False) -> None:
        """Each element a content model declares, in order; ``required``: only those an instance must have."""
        if depth > 64:  # a base or group cycle: a schema libxml2 refuses anyway
            return
        for child in node:
            tag = child.tag
            if not isinstance(tag, str) or not tag.startswith(_XS):
                continue
            if required and child.get("minOccurs") == "0":
                continue
            kind = tag[len(_XS) :]
            if kind == "element":
                name, declared = self.declared(child)
                found.setdefault(name, declared)  # the first declaration of a name, as xmlschema matches
            elif kind in ("sequence", "all", "complexContent") or (kind == "choice" and not required):
                self._particles(child, found, depth + 1, required=required)
            elif kind == "group" and child.get("ref"):
                group = self.groups.get(_qname(child, child.get("ref", "")))
                if group is not None:
                    self._particles(group, found, depth + 1, required=required)
            elif kind == "extension" and node.tag == f"{_XS}complexContent":
                base = self.types.get(_qname(child, child.get("base", "")))
                if base is not None:
                    self._particles(base, found, depth + 1, required=required)
                self._particles(child, found, depth + 1, required=required)
            elif kind == "restriction" and node.tag == f"{_XS}complexContent":
                self._particles(child, found, depth + 1, required=required)  # a restriction restates its content

    def required(self, kind: _Type) -> tuple[str, ...]:
        """The child element names an instance of ``kind`` must have (outside any choice or optional group)."""
        key = ("required", kind)
        cached = self._required.get(key)
        if cached is None:
            node = kind if isinstance(kind, etree._Element) else self.types.get(kind)
            found: dict[str, _Type] = {}
            if node is not None:
                self._particles(node, found, 0, required=True)
            cached = self._required[key] = tuple(found)
        return cached

    def type_name(self, kind: _Type | None, element: etree._Element) -> str:
        """A type's local name for messages; an anonymous type goes by its element's name."""
        if isinstance(kind, str):
            return kind.rpartition("}")[2]
        return etree.QName(element).localname

    def instance_type(self, element: etree._Element, declared: _Type) -> _Type | None:
        """The type an element is validated with: its xsi:type, else the declared one."""
        given = element.get(_XSI_TYPE)
        if given is None:
            return declared
        name = _qname(element, given)
        return name if name in self.types or name.startswith("{" + NS_XS + "}") else None

    def root_type(self, root: etree._Element) -> _Type | None:
        """The type of a document root that is a global element (``None``: not one)."""
        declaration = self.elements.get(str(root.tag))
        if declaration is None:
            return None
        return self.instance_type(root, self.type_of_declaration(declaration))

    def type_at(self, root: etree._Element, root_type: _Type, node: etree._Element) -> _Type | None:
        """The type of ``node``, a descendant of ``root`` (of ``root_type``), by the declarations on the way."""
        steps: list[etree._Element] = []
        while node is not root:
            steps.append(node)
            parent = node.getparent()
            if parent is None:
                return None
            node = parent
        kind: _Type | None = root_type
        for step in reversed(steps):
            content = self.content(kind) if kind is not None else None
            declared = content.get(str(step.tag)) if content is not None else None
            if declared is None:
                return None
            kind = self.instance_type(step, declared)
        return kind

    def lifted(self) -> dict[str, bytes]:
        """Schema documents that add one global element per anonymous type, by namespace.

        Each includes every document of its namespace, so the copied types refer to the
        same components; local declarations get an explicit ``form``, so their names stay
        in the namespace the original document gives them.
        """
        documents: dict[str, bytes] = {}
        by_namespace: dict[str, list[etree._Element]] = {}
        for node in self.anonymous:
            by_namespace.setdefault(node.getroottree().getroot().get("targetNamespace", ""), []).append(node)
        for namespace, nodes in by_namespace.items():
            schema = etree.Element(f"{_XS}schema", nsmap={"xs": NS_XS})
            if namespace:
                schema.set("targetNamespace", namespace)
            for name, root in self.documents.items():
                if root.get("targetNamespace", "") == namespace:
                    etree.SubElement(schema, f"{_XS}include", schemaLocation=(self.directory / name).as_uri())
            for node in nodes:
                root = node.getroottree().getroot()
                holder = etree.SubElement(schema, f"{_XS}element", nsmap=root.nsmap)
                holder.set("name", etree.QName(self.anonymous[node]).localname)
                copied = copy.deepcopy(node)
                defaults = {"element": root.get("elementFormDefault"), "attribute": root.get("attributeFormDefault")}
                for local in copied.iter(f"{_XS}element", f"{_XS}attribute"):
                    if local.get("name") is not None and local.get("form") is None:
                        local.set("form", defaults[etree.QName(local).localname] or "unqualified")
                holder.append(copied)
            documents[namespace] = etree.tostring(schema)
        return documents


class _ProbeResolver(etree.Resolver):
    """Serves the lifted documents; lets libxml2 read the snapshot's own files and nothing else."""

    def __init__(self, directory: Path, names: frozenset[str], lifted: dict[str, bytes]) -> None:
        super().__init__()
        self.directory = directory
        self.names = names
        self.lifted = lifted
        self.refused: list[str] = []

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> Any:
        url = system_url or ""
        name = url.rpartition("/")[2]
        if name in self.lifted and url == (self.directory / name).as_uri():
            return self.resolve_string(self.lifted[name], context, base_url=url)
        if snapshot_file(url, self.directory, self.names) is not None:
            return None
        self.refused.append(url)
        return self.resolve_string(b"", context)


class _Prober:
    """Validates children libxml2 skipped, each alone against its declared type (one per bundle)."""

    def __init__(self, schema: SchemaBundle) -> None:
        directory, names = schema.files()
        self.declarations = Declarations(directory, names, schema.imports)
        self._directory = directory
        self._names = names
        self._imports = schema.imports
        self._lifted = {
            f"__lifted_{index}.xsd": (namespace, text)
            for index, (namespace, text) in enumerate(self.declarations.lifted().items())
        }
        self._threads = threading.local()

    def checker(self) -> etree.XMLSchema | None:
        """The probe schema of this thread (its error log is this thread's); ``None`` if it does not compile."""
        if not hasattr(self._threads, "schema"):
            self._threads.schema = self._compile()
        compiled: etree.XMLSchema | None = self._threads.schema
        return compiled

    def _compile(self) -> etree.XMLSchema | None:
        lines = [f'<xs:schema xmlns:xs="{NS_XS}" targetNamespace="{NS_PROBE}">']
        imported = set()
        for name, (namespace, _) in self._lifted.items():
            lines.append(f'  <xs:import{_namespace_attribute(namespace)} schemaLocation="{name}"/>')
            imported.add(namespace)
        for namespace, name in self._imports:
            if namespace not in imported:
                lines.append(f'  <xs:import{_namespace_attribute(namespace)} schemaLocation="{name}"/>')
        lines += ['  <xs:element name="probe"/>', "</xs:schema>"]
        resolver = _ProbeResolver(self._directory, self._names, {n: t for n, (_, t) in self._lifted.items()})
        parser = safe_parser()
        parser.resolvers.add(resolver)
        base = (self._directory / "__probe__.xsd").as_uri()
        try:
            document = etree.fromstring("\n".join(lines).encode(), parser, base_url=base)
            compiled = etree.XMLSchema(document.getroottree())
        except etree.LxmlError as exc:
            _log.debug("no probe schema for %s: %s", self._directory, exc)
            return None
        if resolver.refused:  # the bundle's own schema refuses these first; never read one here
            return None
        return compiled

    def complete(
        self, root: etree._Element, root_type: _Type | None, findings: list[Finding], depth: int = 0
    ) -> list[Finding]:
        """The problems in what libxml2 left unchecked after each child out of order in ``findings``."""
        added: list[Finding] = []
        if root_type is None or depth > 32:
            return added
        for finding in findings:
            if not finding.unexpected:
                continue
            broken = finding.element
            parent = broken.getparent()
            kind = self.declarations.type_at(root, root_type, parent) if parent is not None else None
            content = self.declarations.content(kind) if kind is not None else None
            if parent is None or content is None:
                continue
            children = list(parent)
            for position in range(children.index(broken), len(children)):
                child = children[position]
                if not isinstance(child.tag, str):
                    continue
                declared = content.get(child.tag)
                if declared is None:
                    if child is not broken:  # as xmlschema: every child the parent's type does not declare
                        reason = f"Unexpected child with tag {_short(child.tag)!r} at position {position + 1}."
                        added.append(Finding(child, reason, kind="unexpected"))
                    continue
                # An xsi:type that names no type: the stand-in keeps it, and libxml2 says so.
                given = self.declarations.instance_type(child, declared)
                added += self.probe(child, declared if given is None else given, depth)
        return added

    def probe(self, element: etree._Element, kind: _Type, depth: int = 0) -> list[Finding]:
        """The problems of ``element`` and its subtree when it has type ``kind``."""
        checker = self.checker()
        if checker is None:
            return []
        stand_in = self._stand_in(element, kind)
        if stand_in is None:
            return []
        tag = str(stand_in.tag)
        if checker.validate(stand_in):
            return []
        locator = _Locator(stand_in)
        findings: list[Finding] = []
        named = f"'{tag}'"
        for line, path, message in _log_of(checker):
            finding = _translate(locator.find(line, path), message.replace(named, f"'{element.tag!s}'"))
            finding.element = _counterpart(finding.element, stand_in, element)
            findings.append(finding)
        return findings + self.complete(element, kind, findings, depth + 1)

    def _stand_in(self, element: etree._Element, kind: _Type) -> etree._Element | None:
        """A copy of ``element`` as a probe root of type ``kind`` (``None``: the type cannot be named there)."""
        xsi_type: str | None = None
        namespace = ""
        if isinstance(kind, str):
            tag = _PROBE
            if element.get(_XSI_TYPE) is None:
                namespace, _, local = kind[1:].partition("}") if kind[:1] == "{" else ("", "", kind)
                if namespace:
                    xsi_type = local
                elif None in element.nsmap:
                    return None  # a type of no namespace cannot be named under a default namespace
                else:
                    xsi_type = local
        else:
            tag = self.declarations.anonymous[kind]
        if namespace == NS_XS and not len(element) and xsi_type not in _CONTEXT_TYPES:
            # A leaf of a built-in type: its text (and attributes) are all there is to check,
            # and none of its values reads a namespace: a new root declaring the one it needs.
            leaf = etree.Element(tag, element.attrib, nsmap={_PROBE_PREFIX: NS_XS})
            leaf.text = element.text
            leaf.set(_XSI_TYPE, f"{_PROBE_PREFIX}:{xsi_type}")
            return leaf
        # A copy keeps every namespace in scope (lxml declares the parents' on it, for QNames in
        # values) and is one call (lxml's copy.copy copies the subtree, as deepcopy does, without its memo).
        stand_in = copy.copy(element)
        stand_in.tail = None
        if namespace:
            in_scope = stand_in.nsmap
            prefix = next((p for p, uri in in_scope.items() if uri == namespace and p), None)
            if prefix is None and in_scope.get(None) == namespace:
                prefix = ""  # the default namespace: an unprefixed type name is in it
            if prefix is None:  # no prefix for the type's namespace: a root that declares one
                nsmap: dict[str | None, str] = {**in_scope, _PROBE_PREFIX: namespace}
                holder = etree.Element(tag, stand_in.attrib, nsmap=nsmap)
                holder.text = stand_in.text
                holder.extend(list(stand_in))
                stand_in, prefix = holder, _PROBE_PREFIX
            xsi_type = f"{prefix}:{xsi_type}" if prefix else xsi_type
        stand_in.tag = tag
        if xsi_type is not None:
            stand_in.set(_XSI_TYPE, xsi_type)
        return stand_in


def _counterpart(node: etree._Element, copied: etree._Element, original: etree._Element) -> etree._Element:
    """The node of ``original`` at the place ``node`` has in ``copied`` (a copy of its content)."""
    positions: list[int] = []
    while node is not copied:
        parent = node.getparent()
        if parent is None:
            return original
        positions.append(parent.index(node))
        node = parent
    for position in reversed(positions):
        original = original[position]
    return original


def _namespace_attribute(namespace: str) -> str:
    return f' namespace="{namespace}"' if namespace else ""


_PROBERS: dict[tuple[object, ...], _Prober | None] = {}
_PROBERS_LOCK = threading.Lock()


def _prober_for(schema: SchemaBundle) -> _Prober | None:
    """The bundle's prober (read on first need, then kept); ``None`` when its documents cannot be read."""
    key = (schema.sha256, schema.directory, schema.imports, schema.names)
    with _PROBERS_LOCK:
        if key not in _PROBERS:
            try:
                _PROBERS[key] = _Prober(schema)
            except (BoomiSoapError, etree.LxmlError, OSError) as exc:
                _log.debug("cannot check past an element out of order in %s: %r", schema.directory, exc)
                _PROBERS[key] = None
        return _PROBERS[key]


class SchemaValidator:
    """Validates documents against one schema bundle.

    libxml2 decides and, for most faults, explains: its error log gives the element,
    the line and a message that is turned into plain words here.  xmlschema is asked
    only for what libxml2 does not say (the other faults of an element whose type is
    abstract, a missing child libxml2 does not name, a message not recognised here),
    for at most ``explain_limit`` issues per document; it is imported and compiled
    only then.
    """

    def __init__(self, schema: SchemaBundle, *, explain_limit: int = 8) -> None:
        """Use ``schema`` (engines compile on first use).

        Args:
            schema: The schemas.
            explain_limit: Most issues per document that xmlschema may explain; the
                rest are given in libxml2's words alone.
        """
        self.schema = schema
        self.explain_limit = explain_limit
        self._threads = threading.local()  # each thread's libxml2 schema, asked of the bundle once
        self._global_tags: frozenset[str] | None = None  # the global elements' Clark names, read on first need
        self._shared: etree.XMLSchema | None = None  # the bundle's libxml2 schema, asked of it once
        self._probers: tuple[_Prober | None] | None = None  # the bundle's prober, once looked up

    def __repr__(self) -> str:
        return f"SchemaValidator({self.schema.directory})"

    def _share(self) -> etree.XMLSchema:
        self._shared = self.schema.lxml
        return self._shared

    def _prober(self) -> _Prober | None:
        """The bundle's prober, looked up once per validator (the lookup takes a lock)."""
        if self._probers is None:
            self._probers = (_prober_for(self.schema),)
        return self._probers[0]

    def targets(self, root: etree._Element) -> list[etree._Element]:
        """The elements validated in a document: the Body's children of an envelope, else the root."""
        if root.tag != _ENVELOPE:
            return [root]
        for child in root:  # Header, Body: shorter than find() or iterchildren() set up
            if child.tag == _BODY:
                # The node's class, not its tag: lxml builds a tag string on each ask.
                return [c for c in child if not isinstance(c, _NOT_ELEMENTS)]
        return []

    def _open(
        self, document: etree._Element | bytes | Path, source: str | None
    ) -> tuple[etree._Element, bytes | None, str]:
        data: bytes | None = None
        if isinstance(document, Path):
            source = source or str(document)
            data = document.read_bytes()
        elif isinstance(document, bytes):
            data = document
        source = source or "<document>"
        root = _parse(data, source) if data is not None else document
        assert isinstance(root, etree._Element)
        return root, data, source

    def iter_errors(
        self,
        document: etree._Element | bytes | Path,
        *,
        source: str | None = None,
        element: str | None = None,
    ) -> Iterator[ValidationIssue]:
        """Yield every schema violation of a document, in document order.

        Args:
            document: An lxml element, the bytes of a document, or a file path.
            source: Name used in issues (default: the path, or ``<document>``).
            element: Expected root (or Body child) as ``{namespace}name`` or
                ``prefix:name`` with a conventional prefix (``api:Process``).

        Returns:
            An iterator over the issues (empty for a valid document).

        Raises:
            XMLInputError: If the bytes or file are not safe, well-formed XML (raised
                by this call, not by the iteration).
        """
        if type(document) is bytes:  # the usual case, kept short: a call costs as much as a small parse
            data: bytes | None = document
            source = source or "<document>"
            root = _parse(document, source)
        else:
            root, data, source = self._open(document, source)
        try:
            fast: etree.XMLSchema = self._threads.checker
        except AttributeError:  # this thread's first document
            fast = self._threads.checker = self.schema.checker()
        if element is None:
            # The targets as targets() finds them, each validated as it is found: no list for a valid document.
            if root.tag != _ENVELOPE:
                if fast(root):
                    return iter(())
                return self._issues(root, data, source, [root], None, _log_of(fast))
            for body in root:
                if body.tag == _BODY:
                    checked = False
                    for target in body:
                        if isinstance(target, _NOT_ELEMENTS):
                            continue
                        if not fast(target):
                            # Read now: the next validation in this thread clears the log.
                            failed = _log_of(fast)
                            targets = self.targets(root)
                            return self._issues(root, data, source, targets[targets.index(target) :], None, failed)
                        checked = True
                    if checked:
                        return iter(())
                    break
        return self._issues(root, data, source, self.targets(root), element, None)

    def _issues(
        self,
        root: etree._Element,
        data: bytes | None,
        source: str,
        targets: list[etree._Element],
        element: str | None,
        first: list[tuple[int, str | None, str]] | None,
    ) -> Iterator[ValidationIssue]:
        """The issues of ``targets``; ``first`` is the error log of the first one when it already failed."""
        text = _Text(data)
        if not targets:
            yield ValidationIssue(source, xpath_of(root), "the SOAP Body has no element to validate", root.sourceline)
            return
        fast = self.schema.checker()
        wanted = _clark(element) if element else None
        budget = [self.explain_limit]
        for target in targets:
            if wanted is not None and target.tag != wanted:
                yield ValidationIssue(
                    source, xpath_of(target), f"element {etree.QName(target).text} is not the expected {wanted}",
                    target.sourceline,
                    text.column(target, None), (wanted,),
                )  # fmt: skip
                continue
            native, first = first, None
            if native is None:
                if fast.validate(target):
                    continue
                native = _log_of(fast)
            yield from self._check(native, target, source, text, budget)

    def _check(
        self,
        native: list[tuple[int, str | None, str]],
        target: etree._Element,
        source: str,
        text: _Text,
        budget: list[int],
    ) -> Iterator[ValidationIssue]:
        """Explain why ``target`` failed, from libxml2's log of it (``native``) first."""
        misplaced = self._misplaced(target)
        if misplaced is not None:
            yield ValidationIssue(source, xpath_of(target), misplaced, target.sourceline, text.column(target, None))
            return
        locator = _Locator(target)
        findings = [_translate(locator.find(line, path), message) for line, path, message in native]
        if not findings:  # never pass what libxml2 rejects
            findings = [Finding(target, "the document does not match the schema")]
        if any(f.unexpected for f in findings):  # libxml2 checked nothing after it in that parent
            prober = self._prober()
            if prober is not None:
                findings += prober.complete(target, prober.declarations.root_type(target), findings)
        if any(f.kind in _EMPTY_KINDS and not f.complete for f in findings):
            findings = _empty_content(findings)
        unclear = {id(f.element) for f in findings if not f.complete}
        resolvable = not any(_UNRESOLVED_TYPE in f.reason for f in findings)  # xmlschema raises on those
        explained: dict[int, list[ValidationIssue]] = {}
        if unclear and resolvable and budget[0] > 0:
            explained = self._explained(target, source, text, unclear, budget)
        replaced = set(explained)
        issues: list[ValidationIssue] = []
        paths = _XPaths()
        for finding in findings:
            key = id(finding.element)
            if key in explained:  # xmlschema's account of that element replaces libxml2's, once
                issues += explained.pop(key)
                continue
            if key in replaced:
                continue
            issues.append(
                ValidationIssue(
                    source, paths.of(finding.element, finding.attribute), finding.reason, finding.element.sourceline,
                    text.column(finding.element, finding.attribute), finding.expected, finding.value,
                )
            )  # fmt: skip
        yield from sorted(issues, key=lambda i: (i.line or 0, i.column or 0))

    def _explained(
        self, target: etree._Element, source: str, text: _Text, elements: set[int], budget: list[int]
    ) -> dict[int, list[ValidationIssue]]:
        """The issues xmlschema finds on ``elements``, at most ``budget`` of them in all."""
        found: dict[int, list[ValidationIssue]] = {}
        try:
            for failing, issue in self._explain(target, source, text):
                if budget[0] <= 0:
                    break
                key = id(failing)
                parent = failing.getparent()
                if key not in elements and parent is not None and issue.reason.startswith("Unexpected child"):
                    # A child the element's type has no room for: part of that element's account.
                    key = id(parent)
                if key in elements:
                    found.setdefault(key, []).append(issue)
                    budget[0] -= 1
        except (LookupError, ValueError, TypeError) as exc:
            # xmlschema fails on some inputs libxml2 reports cleanly: libxml2's words then.
            _log.debug("xmlschema could not explain %s: %r", source, exc)
            return {}
        return found

    def _misplaced(self, target: etree._Element) -> str | None:
        """Say so when the root is declared, but in another namespace (the other wrapper layout)."""
        tags = self._global_tags
        if tags is None:
            tags = self._global_tags = frozenset(_key(*pair) for pair in _global_elements(self.schema.directory))
        if target.tag in tags:  # the usual case, settled without a QName
            return None
        qname = etree.QName(target)
        declared = _global_elements(self.schema.directory)
        if (qname.namespace or "", qname.localname) in declared:
            return None
        elsewhere = sorted(ns for ns, local in declared if local == qname.localname)
        if not elsewhere:
            return None
        got = qname.namespace or "no namespace"
        return f"this snapshot expects {qname.localname} in {' or '.join(elsewhere)}; the document has it in {got}"

    def _explain(
        self, target: etree._Element, source: str, text: _Text
    ) -> Iterator[tuple[etree._Element, ValidationIssue]]:
        namespaces = {prefix or "": uri for prefix, uri in target.nsmap.items()}
        # lxml elements satisfy xmlschema's ElementProtocol; its stubs do not say so.
        errors = self.schema.explainer.iter_errors(target, namespaces=namespaces, use_location_hints=False)  # type: ignore[arg-type]
        paths = _XPaths()
        for error in errors:
            failing: Any = getattr(error, "elem", None)
            if not isinstance(failing, etree._Element):
                failing = target
            index = getattr(error, "index", None)
            reason = for_people(error.reason or str(error.message))
            attribute = None
            match = re.match(_ATTRIBUTE, reason)
            if match:
                attribute = match.group("name")
            elif isinstance(index, int) and 0 <= index < len(failing) and "nexpected child" in reason:
                failing = failing[index]
            expected = tuple(_particle_name(p) for p in getattr(error, "expected", None) or ())
            value = error.obj if isinstance(error.obj, str) else None
            yield failing, ValidationIssue(
                source, paths.of(failing, attribute), reason, failing.sourceline,
                text.column(failing, attribute), expected, value,
            )  # fmt: skip

    @property
    def declarations(self) -> Declarations | None:
        """The schema's declarations, for callers that walk an instance (``None``: unreadable)."""
        prober = self._prober()
        return prober.declarations if prober is not None else None

    def findings(self, target: etree._Element) -> list[Finding]:
        """The problems of one element (a Body child or a document root) with the nodes they are on.

        libxml2's account, completed past each child out of order; nothing is
        explained by xmlschema.  Empty for a valid element.
        """
        fast: etree.XMLSchema | None = getattr(self._threads, "checker", None)
        if fast is None:
            fast = self._threads.checker = self.schema.checker()
        if fast.validate(target):
            return []
        locator = _Locator(target)
        found = [_translate(locator.find(line, path), message) for line, path, message in _log_of(fast)]
        if not found:
            found = [Finding(target, "the document does not match the schema")]
        if any(f.unexpected for f in found):
            prober = self._prober()
            if prober is not None:
                found += prober.complete(target, prober.declarations.root_type(target), found)
        return found

    def validate(
        self, document: etree._Element | bytes | Path, *, source: str | None = None, element: str | None = None
    ) -> None:
        """Raise if a document has any violation.

        Raises:
            DocumentInvalidError: Carrying every issue.
            XMLInputError: If the document is not safe, well-formed XML.
        """
        issues = tuple(self.iter_errors(document, source=source, element=element))
        if issues:
            raise DocumentInvalidError(
                issues, source=source or str(document) if isinstance(document, Path) else source or "<document>"
            )

    def is_valid(
        self, document: etree._Element | bytes | Path, *, source: str | None = None, element: str | None = None
    ) -> bool:
        """Whether a document has no violation (libxml2 alone: nothing is explained).

        Raises:
            XMLInputError: If the document is not safe, well-formed XML.
        """
        if isinstance(document, bytes):
            root = _parse(document, source or "<document>")
        else:
            root = self._open(document, source)[0]
        # Shared: only the verdict is read, not the error log.  Called, not .validate(): one call fewer.
        fast = self._shared or self._share()
        if not element:  # as iter_errors: each target validated as targets() finds it
            if root.tag != _ENVELOPE:
                return fast(root)
            for body in root:
                if body.tag == _BODY:
                    checked = False
                    for target in body:
                        if isinstance(target, _NOT_ELEMENTS):
                            continue
                        if not fast(target):
                            return False
                        checked = True
                    return checked
            return False
        targets = self.targets(root)
        wanted = _clark(element)
        return bool(targets) and all(t.tag == wanted and fast.validate(t) for t in targets)


def _log_of(schema: etree.XMLSchema) -> list[tuple[int, str | None, str]]:
    """``(line, path, message)`` of each error of the validation just made."""
    return [(entry.line, entry.path, entry.message) for entry in schema.error_log]


@functools.lru_cache(maxsize=16)
def _global_elements(directory: Path) -> frozenset[tuple[str, str]]:
    """``(namespace, name)`` of every global element the schema documents in ``directory`` declare."""
    found: set[tuple[str, str]] = set()
    for path in sorted(directory.glob("*.xsd")):
        root = parse_xml(path.read_bytes(), source=str(path))
        namespace = root.get("targetNamespace", "")
        found.update((namespace, e.get("name", "")) for e in root.iterfind(f"{{{NS_XS}}}element"))
    return frozenset(found)


def _particle_name(particle: object) -> str:
    name = getattr(particle, "name", None)
    if isinstance(name, str) and name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        prefix = KNOWN_PREFIXES.get(namespace)
        return f"{prefix}:{local}" if prefix else name
    return str(name or particle)


_PYTHON_REASONS: Final = (
    (r"invalid literal for int\(\) with base \d+: (?P<v>'.*')", "{v} is not an integer"),
    (r"could not convert string to float: (?P<v>'.*')", "{v} is not a number"),
    (r"\[<class 'decimal\.\w+'>\]", "not a decimal number"),
    (r"Invalid (?P<k>\w+) string (?P<v>'.*?') for <class '[\w.]+'>", "{v} is not a valid {k}"),
    (r"Xsd\w+\(name='(?P<n>[^']+)'\) is abstract", "{n} is abstract: give a concrete xsi:type"),
    (r"(?:Invalid isoformat string|time data): (?P<v>'.*?')(?: does not match format .*)?$",
     "{v} is not a valid date or time"),
)  # fmt: skip


def for_people(reason: str) -> str:
    """Replace Python's own conversion messages inside a validator's reason with plain words."""
    for pattern, replacement in _PYTHON_REASONS:
        reason = re.sub(pattern, lambda m, r=replacement: r.format(**m.groupdict()), reason)  # type: ignore[misc]
    return reason


def _clark(name: str) -> str:
    if name.startswith("{"):
        return name
    prefix, _, local = name.rpartition(":")
    namespaces = {p: uri for uri, p in KNOWN_PREFIXES.items()}
    return f"{{{namespaces[prefix]}}}{local}" if prefix in namespaces else local


@dataclass(frozen=True)
class FileResult:
    """The outcome for one input of :func:`validate_sources`.

    Attributes:
        source: File name or ``<stdin>``.
        issues: Schema violations (empty when valid).
        error: Why the input could not be validated at all (unreadable, unsafe XML).
    """

    source: str
    issues: tuple[ValidationIssue, ...] = ()
    error: str | None = None

    @property
    def valid(self) -> bool:
        """Whether the input was read and has no violation."""
        return self.error is None and not self.issues


@dataclass(frozen=True)
class ValidationReport:
    """Results of validating many inputs."""

    results: tuple[FileResult, ...]

    @property
    def ok(self) -> bool:
        """Whether every input was valid."""
        return all(r.valid for r in self.results)

    def lines(self) -> list[str]:
        """``FILE:LINE:COL: XPATH: reason`` per issue, ``error: ...`` per unreadable input."""
        out: list[str] = []
        for result in self.results:
            if result.error is not None:
                out.append(f"error: {result.error}")
            out.extend(str(issue) for issue in result.issues)
        return out

    def summary(self) -> str:
        """One line: how many inputs were valid, invalid, unreadable."""
        invalid = sum(1 for r in self.results if r.issues)
        unreadable = sum(1 for r in self.results if r.error is not None)
        valid = len(self.results) - invalid - unreadable
        return f"{len(self.results)} document(s): {valid} valid, {invalid} invalid, {unreadable} unreadable"

    def to_json(self) -> str:
        """The report as JSON: ``{"valid": bool, "documents": [...]}``."""
        import json

        documents = [
            {
                "source": r.source,
                "valid": r.valid,
                "error": r.error,
                "issues": [issue.as_dict() for issue in r.issues],
            }
            for r in self.results
        ]
        return json.dumps({"valid": self.ok, "documents": documents}, indent=2) + "\n"


def expand_inputs(paths: Iterable[str]) -> list[str]:
    """Expand folders to their ``*.xml`` files (recursively, sorted); keep files and ``-``."""
    expanded: list[str] = []
    for name in paths:
        path = Path(name)
        if name != "-" and path.is_dir():
            expanded.extend(str(p) for p in sorted(path.rglob("*.xml")) if p.is_file())
        else:
            expanded.append(name)
    return expanded


def validate_sources(
    validator: SchemaValidator,
    paths: Iterable[str],
    *,
    element: str | None = None,
    stdin: BinaryIO | None = None,
    max_bytes: int = 64 * 1024 * 1024,
) -> ValidationReport:
    """Validate files, folders and ``-`` (stdin); never stop at the first bad input.

    Args:
        validator: The validator.
        paths: File names, folder names, or ``-``.
        element: Expected root element (see :meth:`SchemaValidator.iter_errors`).
        stdin: Where ``-`` reads from.
        max_bytes: Largest input read.

    Returns:
        One result per input.
    """
    from boomi_soap.exceptions import XMLInputError

    results: list[FileResult] = []
    names: list[str] = []
    for name in paths:
        found = expand_inputs([name])  # each folder walked once
        if not found and name != "-" and Path(name).is_dir():
            # A folder that holds nothing to check is a mistake, not a success.
            results.append(FileResult(name, error=f"{name}: no *.xml file in this folder"))
        names += found
    for name in names:
        source = "<stdin>" if name == "-" else name
        try:
            if name == "-":
                data = stdin.read(max_bytes + 1) if stdin is not None else b""
            else:
                with open(name, "rb") as handle:
                    # read(n) sets aside n bytes first: 64 MiB per file, for files of a few KiB.
                    hint = os.fstat(handle.fileno()).st_size
                    data = handle.read(min(hint, max_bytes) + 1)
                    if hint < len(data) <= max_bytes:  # it grew, or its size is not known (st_size 0)
                        data += handle.read(max_bytes + 1 - len(data))
        except OSError as exc:
            results.append(FileResult(source, error=f"{source}: cannot read ({exc.strerror or exc})"))
            continue
        if len(data) > max_bytes:
            results.append(FileResult(source, error=f"{source}: larger than {max_bytes} bytes"))
            continue
        try:
            issues = tuple(validator.iter_errors(data, source=source, element=element))
        except XMLInputError as exc:
            results.append(FileResult(source, error=str(exc)))
            continue
        results.append(FileResult(source, issues))
    return ValidationReport(tuple(results))
