"""Stage 5: validate documents against an account's schema, with precise errors.

One implementation, :meth:`SchemaValidator.iter_errors`, behind three calls
(``iter_errors``, ``validate``, ``is_valid``).  It accepts an lxml element, bytes or
a file; a SOAP 1.1 envelope has its Body's children validated (prefixes declared
on the Envelope are honoured), any other document its root, which must then be a
global element of the schema (``Process``, ``QueryConfig``, ``get`` ...).

libxml2 decides first (fast); only when it finds a problem does xmlschema explain
it, so every issue carries the XPath of the failing node, the reason, what was
expected, the offending value, and the line and column when the document came
from text.  If the two engines ever disagree on an invalid document, libxml2's
own messages are reported: a document libxml2 rejects is never passed as valid.
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
_log = logging.getLogger("boomi_soap.validate")
_ATTRIBUTE: Final = re.compile(r"^attribute (?P<name>[^\s=]+)=")


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
        qname = etree.QName(node)
        namespace = qname.namespace
        prefix = KNOWN_PREFIXES.get(namespace or "") or (node.prefix if namespace else None)
        if namespace and not prefix:
            step = f"*[local-name()='{qname.localname}']"
        else:
            step = f"{prefix}:{qname.localname}" if prefix else qname.localname
        parent = node.getparent()
        if parent is not None:
            same = [sibling for sibling in parent if sibling.tag == node.tag]
            if len(same) > 1:
                step += f"[{same.index(node) + 1}]"
        steps.append(step)
        node = parent
    path = "/" + "/".join(reversed(steps))
    return f"{path}/@{attribute}" if attribute else path


class _Text:
    """Source lines of a document, to give columns (lxml keeps only lines)."""

    def __init__(self, data: bytes | None) -> None:
        self.lines = data.decode("utf-8", "replace").splitlines() if data is not None else None

    def column(self, element: etree._Element, attribute: str | None) -> int | None:
        line = element.sourceline
        if self.lines is None or line is None or not 0 < line <= len(self.lines):
            return None
        text = self.lines[line - 1]
        name = etree.QName(element).localname
        match = re.search(rf"<([\w.-]+:)?{re.escape(name)}(?=[\s/>])", text)
        if match is None:
            return None
        if attribute is not None:
            found = re.compile(rf"\s((?:[\w.-]+:)?{re.escape(attribute)})\s*=").search(text, match.end())
            if found is not None:
                return found.start(1) + 1
        return match.start() + 1


class SchemaValidator:
    """Validates documents against one schema bundle."""

    def __init__(self, schema: SchemaBundle) -> None:
        """Use ``schema`` (engines compile on first use)."""
        self.schema = schema

    def __repr__(self) -> str:
        return f"SchemaValidator({self.schema.directory})"

    def targets(self, root: etree._Element) -> list[etree._Element]:
        """The elements validated in a document: the Body's children of an envelope, else the root."""
        if root.tag == f"{{{NS_ENVELOPE}}}Envelope":
            body = root.find(f"{{{NS_ENVELOPE}}}Body")
            return [] if body is None else [child for child in body if isinstance(child.tag, str)]
        return [root]

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

        Yields:
            The issues.

        Raises:
            XMLInputError: If the bytes or file are not safe, well-formed XML.
        """
        data: bytes | None = None
        if isinstance(document, Path):
            source = source or str(document)
            data = document.read_bytes()
        elif isinstance(document, bytes):
            data = document
        source = source or "<document>"
        root = parse_xml(data, source=source) if data is not None else document
        assert isinstance(root, etree._Element)
        text = _Text(data)
        targets = self.targets(root)
        if not targets:
            yield ValidationIssue(source, xpath_of(root), "the SOAP Body has no element to validate", root.sourceline)
            return
        wanted = _clark(element) if element else None
        for target in targets:
            if wanted is not None and target.tag != wanted:
                yield ValidationIssue(
                    source, xpath_of(target), f"element {etree.QName(target).text} is not the expected {wanted}",
                    target.sourceline,
                    text.column(target, None), (wanted,),
                )  # fmt: skip
                continue
            yield from self._check(target, source, text)

    def _check(self, target: etree._Element, source: str, text: _Text) -> Iterator[ValidationIssue]:
        fast = self.schema.lxml
        if fast.validate(target):
            return
        misplaced = self._misplaced(target)
        if misplaced is not None:
            yield ValidationIssue(source, xpath_of(target), misplaced, target.sourceline, text.column(target, None))
            return
        native = [entry for entry in fast.error_log]
        try:
            explained = sorted(self._explain(target, source, text), key=lambda i: (i.line or 0, i.column or 0))
        except (LookupError, ValueError, TypeError) as exc:
            # xmlschema fails on some inputs libxml2 reports cleanly (an unknown xsi:type).
            _log.debug("xmlschema could not explain %s: %r", source, exc)
            explained = []
        if explained:
            yield from explained
            return
        parent = target.getparent()
        for entry in native:  # never pass what libxml2 rejects; its own words then
            path = xpath_of(target)
            if entry.path and entry.path != "/*":
                path = (xpath_of(parent) if parent is not None else "") + entry.path
            yield ValidationIssue(source, path, entry.message, entry.line or None)

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

    def _explain(self, target: etree._Element, source: str, text: _Text) -> Iterable[ValidationIssue]:
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
            match = _ATTRIBUTE.match(reason)
            if match:
                attribute = match.group("name")
            elif isinstance(index, int) and 0 <= index < len(failing) and "nexpected child" in reason:
                failing = failing[index]
            expected = tuple(_particle_name(p) for p in getattr(error, "expected", None) or ())
            value = error.obj if isinstance(error.obj, str) else None
            yield ValidationIssue(
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
        """Whether a document has no violation."""
        return next(self.iter_errors(document, source=source, element=element), None) is None


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
    (re.compile(r"invalid literal for int\(\) with base \d+: (?P<v>'.*')"), "{v} is not an integer"),
    (re.compile(r"could not convert string to float: (?P<v>'.*')"), "{v} is not a number"),
    (re.compile(r"\[<class 'decimal\.\w+'>\]"), "not a decimal number"),
    (re.compile(r"Invalid (?P<k>\w+) string (?P<v>'.*?') for <class '[\w.]+'>"), "{v} is not a valid {k}"),
    (re.compile(r"Xsd\w+\(name='(?P<n>[^']+)'\) is abstract"), "{n} is abstract: give a concrete xsi:type"),
    (re.compile(r"(?:Invalid isoformat string|time data): (?P<v>'.*?')(?: does not match format .*)?$"),
     "{v} is not a valid date or time"),
)  # fmt: skip


def for_people(reason: str) -> str:
    """Replace Python's own conversion messages inside a validator's reason with plain words."""
    for pattern, replacement in _PYTHON_REASONS:
        reason = pattern.sub(lambda m, r=replacement: r.format(**m.groupdict()), reason)  # type: ignore[misc]
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
