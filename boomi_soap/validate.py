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
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

from lxml import etree

from boomi_soap.exceptions import DocumentInvalidError
from boomi_soap.schema import SchemaBundle
from boomi_soap.xmlsafe import parse_xml

__all__ = [
    "KNOWN_PREFIXES",
    "FileResult",
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
_BODY: Final = f"{{{NS_ENVELOPE}}}Body"
_log = logging.getLogger("boomi_soap.validate")
_ATTRIBUTE: Final = r"^attribute (?P<name>[^\s=]+)="


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
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        tag = node.tag
        assert isinstance(tag, str)
        namespace, _, local = tag[1:].partition("}") if tag[:1] == "{" else ("", "", tag)
        prefix = KNOWN_PREFIXES.get(namespace) or (node.prefix if namespace else None)
        if prefix:
            step = f"{prefix}:{local}"
        elif namespace:
            step = f"*[local-name()='{local}']"
        else:
            step = local
        parent = node.getparent()
        if parent is not None:
            same = [sibling for sibling in parent if sibling.tag == tag]  # cheaper than itersiblings(tag)
            if len(same) > 1:
                step += f"[{same.index(node) + 1}]"
        steps.append(step)
        node = parent
    path = "/" + "/".join(reversed(steps))
    return f"{path}/@{attribute}" if attribute else path


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
        name = etree.QName(element).localname
        starts = list(re.finditer(rf"<([\w.-]+:)?{re.escape(name)}(?=[\s/>])", text))
        if not starts:
            return None
        match = starts[0]
        if len(starts) > 1:  # the n-th start tag of that name on the line is the n-th such element there
            root = element.getroottree().getroot()
            same = [e for e in root.iter() if e.sourceline == line and etree.QName(e).localname == name]
            position = same.index(element) if element in same else 0
            match = starts[position] if position < len(starts) else match
        if attribute is not None:
            local = attribute.rpartition(":")[2]
            found = re.compile(rf"\s((?:[\w.-]+:)?{re.escape(local)})\s*=").search(text, match.end())
            if found is not None:
                return found.start(1) + 1
        return match.start() + 1


@dataclass
class _Finding:
    """One problem as libxml2 reported it, in the words of an issue.

    ``complete`` is false when xmlschema would add something libxml2 does not say
    (a missing child libxml2 does not name, the other faults of an abstract type, a
    message this module does not recognise).
    """

    element: etree._Element
    reason: str
    attribute: str | None = None
    expected: tuple[str, ...] = ()
    value: str | None = None
    complete: bool = True


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


def _translate(element: etree._Element, message: str) -> _Finding:
    """Turn one libxml2 message about ``element`` into a finding."""
    match = re.match(_LIBXML2, message)
    if match is None:
        return _Finding(element, message, complete=False)
    attribute = match.group("attribute")
    text = match.group("text").strip()
    shown = _short(attribute) if attribute else None
    on = f"attribute {shown}=" if shown else ""
    if found := re.match(_ENUMERATION, text):
        value = found.group("value")
        reason = f"value must be one of [{found.group('set')}]"
        return _Finding(element, f"{on}{value!r}: {reason}" if on else reason, shown, value=value)
    if found := re.match(_ATOMIC, text):
        value, kind = found.group("value"), found.group("type")
        words = _WORDS.get(kind.removeprefix("xs:")) if kind.startswith("xs:") else None
        reason = f"{value!r} {words or f'is not a valid value of type {_short(kind)}'}"
        return _Finding(element, f"{on}{value!r}: {reason}" if on else reason, shown, value=value)
    if found := re.match(_FACET, text):
        value = found.group("value")
        reason = f"{value!r} {found.group('rest')} (facet {found.group('facet')})"
        return _Finding(element, f"{on}{value!r}: {reason}" if on else reason, shown, value=value)
    if found := re.match(_REQUIRED, text):
        return _Finding(element, f"missing required attribute {_short(found.group('name'))!r}")
    if found := re.match(_NOT_ALLOWED, text):
        return _Finding(element, f"{_short(found.group('name'))!r} attribute not allowed for element")
    if found := re.match(_UNEXPECTED, text):
        parent = element.getparent()
        position = (list(parent).index(element) + 1) if parent is not None else 1
        expected = _names(found.group("expected"))
        reason = f"Unexpected child with tag {_short(match.group('element'))!r} at position {position}."
        # libxml2 lists what its automaton could still take; no list: nothing more is allowed.
        return _Finding(element, reason, expected=expected)
    if found := re.match(_MISSING, text):
        expected = _names(found.group("expected"))
        wanted = f" Tag {expected[0]!r} expected." if len(expected) == 1 else ""
        if len(expected) > 1:
            wanted = f" One of {', '.join(repr(e) for e in expected)} expected."
        reason = f"The content of element {_short(match.group('element'))!r} is not complete.{wanted}"
        return _Finding(element, reason, expected=expected, complete=bool(expected))
    if text == _CHARACTER_DATA:
        return _Finding(element, "character data between child elements not allowed")
    if text.startswith("No matching global declaration") or _UNRESOLVED_TYPE in text:
        return _Finding(element, text)
    if text == "The type definition is abstract.":
        # xmlschema names the type, and finds the faults libxml2 stops before.
        return _Finding(element, "the type is abstract: give a concrete xsi:type", complete=False)
    return _Finding(element, message, complete=False)


class _Locator:
    """Finds the element a libxml2 error names: by libxml2's own path, else by line."""

    def __init__(self, target: etree._Element) -> None:
        self.target = target

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
        # the step is not the only one of its kind.
        node = self.target
        for step in path.split("/")[2:]:
            name, _, index = step.partition("[")
            position = int(index[:-1]) if index else 1
            if name == "*":
                children = [c for c in node if isinstance(c.tag, str)]
            else:
                prefix, _, local = name.rpartition(":")
                if prefix:
                    ending = "}" + local
                    children = [c for c in node if c.prefix == prefix and str(c.tag).endswith(ending)]
                else:
                    children = list(node.iterchildren(local))  # no namespace: the tag is the bare name
            if not 0 < position <= len(children):
                return None
            node = children[position - 1]
        return node


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

    def __repr__(self) -> str:
        return f"SchemaValidator({self.schema.directory})"

    def targets(self, root: etree._Element) -> list[etree._Element]:
        """The elements validated in a document: the Body's children of an envelope, else the root."""
        if root.tag != _ENVELOPE:
            return [root]
        for child in root:  # Header, Body: shorter than find() or iterchildren() set up
            if child.tag == _BODY:
                return [c for c in child if isinstance(c.tag, str)]
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
        root = parse_xml(data, source=source) if data is not None else document
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
        root, data, source = self._open(document, source)
        targets = self.targets(root)
        fast = self.schema.checker()
        if element is None and targets:  # the usual case, kept short
            for index, target in enumerate(targets):
                if not fast.validate(target):
                    # Read now: the next validation in this thread clears the log.
                    return self._issues(root, data, source, targets[index:], None, _log_of(fast))
            return iter(())
        return self._issues(root, data, source, targets, element, None)

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
            findings = [_Finding(target, "the document does not match the schema")]
        unclear = {id(f.element) for f in findings if not f.complete}
        resolvable = not any(_UNRESOLVED_TYPE in f.reason for f in findings)  # xmlschema raises on those
        explained: dict[int, list[ValidationIssue]] = {}
        if unclear and resolvable and budget[0] > 0:
            explained = self._explained(target, source, text, unclear, budget)
        replaced = set(explained)
        issues: list[ValidationIssue] = []
        for finding in findings:
            key = id(finding.element)
            if key in explained:  # xmlschema's account of that element replaces libxml2's, once
                issues += explained.pop(key)
                continue
            if key in replaced:
                continue
            issues.append(
                ValidationIssue(
                    source, xpath_of(finding.element, finding.attribute), finding.reason, finding.element.sourceline,
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
                if id(failing) in elements:
                    found.setdefault(id(failing), []).append(issue)
                    budget[0] -= 1
        except (LookupError, ValueError, TypeError) as exc:
            # xmlschema fails on some inputs libxml2 reports cleanly: libxml2's words then.
            _log.debug("xmlschema could not explain %s: %r", source, exc)
            return {}
        return found

    def _misplaced(self, target: etree._Element) -> str | None:
        """Say so when the root is declared, but in another namespace (the other wrapper layout)."""
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
                source, xpath_of(failing, attribute), reason, failing.sourceline,
                text.column(failing, attribute), expected, value,
            )  # fmt: skip

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
        root = parse_xml(document, source=source or "<document>") if isinstance(document, bytes) else None
        if root is None:
            root = self._open(document, source)[0]
        targets = self.targets(root)
        if not targets:
            return False
        validate = self.schema.lxml.validate
        if element:
            wanted = _clark(element)
            return all(t.tag == wanted and validate(t) for t in targets)
        return all(validate(target) for target in targets)


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
    for name in paths:
        # A folder that holds nothing to check is a mistake, not a success.
        if name != "-" and Path(name).is_dir() and not expand_inputs([name]):
            results.append(FileResult(name, error=f"{name}: no *.xml file in this folder"))
    for name in expand_inputs(paths):
        source = "<stdin>" if name == "-" else name
        try:
            if name == "-":
                data = stdin.read(max_bytes + 1) if stdin is not None else b""
            else:
                with open(name, "rb") as handle:
                    data = handle.read(max_bytes + 1)
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
