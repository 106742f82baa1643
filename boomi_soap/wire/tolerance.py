"""The tolerant reader: read an answer that drifted from the snapshot, and say what drifted.

Boomi's answers are sparser than the OpenAPI's ``required`` lists, and a new
release adds enumeration values and fields before an account's snapshot knows them.
Every path of a client (zeep, typed bindings, REST XML and JSON, asyncio) reads its
answers through :func:`check_answer`, so they all see the same thing:

``strict``
    any misfit is a :class:`~boomi_soap.exceptions.ResponseError` naming it.
``tolerant`` (the default)
    the answer is read, and each deviation is recorded:

    ============================  ======================================================
    ``unknown-value``             an enumeration value the snapshot does not list: kept as text
    ``missing``                   a required element or attribute left out: read as absent
    ``unknown-element``           a child the type does not declare: dropped
    ``unknown-attribute``         an attribute the type does not declare: dropped
    ``out-of-order``              children out of ``xs:sequence`` order: put in order, all read
    ``invalid-value``             a value that is not of the declared type: dropped, read as absent
    ``unexpected-text``           text inside an element that holds only elements: dropped
    ``unqualified-type``          an ``xsi:type`` without a prefix: the type of that name in the
                                  element's namespace (as Boomi's own XML examples write it)
    ``misspelt-type``             an ``xsi:type`` (or JSON ``@type``) no declaration names, one
                                  letter or so off exactly one type (:func:`respelt`): that type
    ============================  ======================================================
``off``
    nothing is checked.

Not tolerated, in any mode: the wrong wrapper (the callers check it), a SOAP fault,
XML that is not well-formed, and what no reader could build a result from (an
``xsi:type`` no declaration names and none is close to, an abstract type without one).

Only an answer libxml2 rejects pays for more than one validation: the repair runs a
few rounds of validate, fix what was found, validate again.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from lxml import etree

from boomi_soap.exceptions import ResponseError
from boomi_soap.validate import xpath_of

if TYPE_CHECKING:
    from boomi_soap.settings import ResponseMode
    from boomi_soap.validate import Declarations, Finding, SchemaValidator

__all__ = ["KINDS", "Deviation", "Deviations", "check_answer", "refusal", "respelt"]

_log = logging.getLogger("boomi_soap.deviations")
KINDS: Final = (
    "unknown-value",
    "missing",
    "unknown-element",
    "unknown-attribute",
    "out-of-order",
    "invalid-value",
    "unexpected-text",
    "unqualified-type",
    "misspelt-type",
)
# How alike a misspelt type name must be to the one it is read as (difflib's ratio): Boomi's
# examples write AtomConnectionFieldeExtensionSummary (0.99); two real names are further apart.
_SPELLING: Final = 0.9
# Each round fixes what libxml2 saw; what it saw next is one level deeper at most.
_ROUNDS: Final = 16
_XS_ANY: Final = "{http://www.w3.org/2001/XMLSchema}any"
_XSI_TYPE: Final = "{http://www.w3.org/2001/XMLSchema-instance}type"


@dataclass(frozen=True, order=True)
class Deviation:
    """One way an answer differed from the snapshot (never its value).

    Attributes:
        operation: The operation whose answer it was (``query``, ``get`` ...).
        type: The schema type holding the field (``Atom``, ``ExecutionRecord``).
        field: The element or attribute's local name.
        kind: One of :data:`KINDS`.
    """

    operation: str
    type: str
    field: str
    kind: str

    def __str__(self) -> str:
        return f"{self.type}.{self.field} {self.kind} (in a {self.operation} answer)"


class Deviations:
    """What a client's tolerant reads saw, counted; shared by its threads, views and async twin.

    The first time a (type, field, kind) is seen it is logged at WARNING on the
    ``boomi_soap.deviations`` logger; every time it is counted.
    """

    def __init__(self) -> None:
        """Start empty."""
        self._counts: Counter[Deviation] = Counter()
        self._logged: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()

    def add(self, deviation: Deviation) -> None:
        """Count one deviation (logged the first time its type, field and kind are seen)."""
        key = (deviation.type, deviation.field, deviation.kind)
        with self._lock:
            self._counts[deviation] += 1
            first = key not in self._logged
            self._logged.add(key)
        if first:
            _log.warning(
                "%s answer: %s.%s is %s; read on (responses='tolerant')",
                deviation.operation, deviation.type, deviation.field, _WORDS[deviation.kind],
            )  # fmt: skip

    def counts(self) -> dict[Deviation, int]:
        """Each deviation seen with how many times, in a stable order."""
        with self._lock:
            return dict(sorted(self._counts.items()))

    def __iter__(self) -> Iterator[Deviation]:
        return iter(self.counts())

    def __len__(self) -> int:
        with self._lock:
            return len(self._counts)

    @property
    def total(self) -> int:
        """How many deviations were counted in all."""
        with self._lock:
            return sum(self._counts.values())

    def clear(self) -> None:
        """Forget what was seen (the WARNINGs are given again)."""
        with self._lock:
            self._counts.clear()
            self._logged.clear()

    def summary(self) -> str:
        """One line for people: ``2 deviations from the snapshot: Atom.status unknown-value (x3), ...``."""
        counts: Counter[tuple[str, str, str]] = Counter()
        for deviation, seen in self.counts().items():
            counts[(deviation.type, deviation.field, deviation.kind)] += seen
        if not counts:
            return "answers fit the snapshot: no deviation"
        shown = ", ".join(f"{t}.{f} {k} (x{n})" for (t, f, k), n in sorted(counts.items()))
        total = sum(counts.values())
        return f"{total} deviation{'s' if total != 1 else ''} from the snapshot: {shown}"

    def __repr__(self) -> str:
        return f"Deviations(total={self.total}, distinct={len(self)})"


_WORDS: Final = {
    "unknown-value": "a value the snapshot does not list (kept as text)",
    "missing": "missing though the snapshot requires it (read as absent)",
    "unknown-element": "an element the snapshot does not declare (skipped)",
    "unknown-attribute": "an attribute the snapshot does not declare (skipped)",
    "out-of-order": "out of the snapshot's order (read in order)",
    "invalid-value": "not of the snapshot's type (skipped, read as absent)",
    "unexpected-text": "text where the snapshot allows only elements (skipped)",
    "unqualified-type": "named without a namespace prefix (read in the element's namespace)",
    "misspelt-type": "a type name the snapshot does not have, one letter or so off one it has (read as that one)",
}


def respelt(name: str, names: Iterable[str]) -> str | None:
    """The one name of ``names`` that ``name`` misspells (a letter or so off), else ``None``.

    Only a name that is not itself one of ``names`` is respelt, and only to a single
    candidate: two close names, or none, leave it unread.
    """
    import difflib

    known = list(names)
    if name in known:
        return None
    close = difflib.get_close_matches(name, known, n=2, cutoff=_SPELLING)
    return close[0] if len(close) == 1 else None


def check_answer(
    validator: SchemaValidator,
    answer: etree._Element,
    *,
    mode: ResponseMode,
    operation: str,
    deviations: Deviations,
) -> None:
    """Check an answer (a response wrapper or a REST document) before it is read.

    In ``tolerant`` mode the answer is repaired in place (see the module) and each
    deviation added to ``deviations``.

    Raises:
        ResponseError: In ``strict`` mode for any misfit; in every mode but ``off`` for
            an answer no reader could build a result from.
    """
    if mode == "off":
        return
    findings = validator.findings(answer)
    if not findings:
        return
    if mode == "strict":
        raise refusal(validator, answer, operation)
    declarations = validator.declarations
    if declarations is None:
        raise refusal(validator, answer, operation)
    _Repair(declarations, validator, answer, operation, deviations).run(findings)


def refusal(
    validator: SchemaValidator, answer: etree._Element, operation: str, finding: Finding | None = None
) -> ResponseError:
    """The error for an answer that is not read: the validator's account of ``finding`` (else its first issue)."""
    wanted = xpath_of(finding.element) if finding is not None else None
    issues = list(validator.iter_errors(answer, source=f"{operation} answer"))
    issue = next((i for i in issues if wanted is None or i.path.startswith(wanted)), issues[0] if issues else None)
    if issue is None:  # never pass what libxml2 rejects
        reason = finding.reason if finding is not None else "it does not match the schema"
        return ResponseError(operation, f"the answer does not fit the schema: {reason}")
    where = f" (line {issue.line})" if issue.line else ""
    hint = f" (expected: {', '.join(issue.expected)})" if issue.expected else ""
    return ResponseError(operation, f"the answer does not fit the schema at {issue.path}{where}: {issue.reason}{hint}")


class _Repair:
    """Rounds of: sort what libxml2 found, record it, fix what can be fixed in the tree."""

    def __init__(
        self,
        declarations: Declarations,
        validator: SchemaValidator,
        answer: etree._Element,
        operation: str,
        sink: Deviations,
    ) -> None:
        self.declarations = declarations
        self.validator = validator
        self.answer = answer
        self.root_type = declarations.root_type(answer)
        self.operation = operation
        self.sink = sink
        self.seen: set[Deviation] = set()

    def note(self, holder: etree._Element, field: str, kind: str) -> None:
        kind_of = self.declarations.type_at(self.answer, self.root_type, holder) if self.root_type else None
        deviation = Deviation(self.operation, self.declarations.type_name(kind_of, holder), field, kind)
        if deviation not in self.seen:  # once per answer: a query page of 100 drifted records is one
            self.seen.add(deviation)
            self.sink.add(deviation)

    def refuse(self, finding: Finding) -> ResponseError:
        return refusal(self.validator, self.answer, self.operation, finding)

    def run(self, findings: list[Finding]) -> None:
        for _ in range(_ROUNDS):
            changed = False
            arranged: set[etree._Element] = set()
            for finding in findings:
                if self.attached(finding.element):
                    changed |= self.fix(finding, arranged)
            if not changed:
                return
            findings = self.validator.findings(self.answer)
            if not findings:
                return
        raise ResponseError(self.operation, "the answer drifted too far from the schema to be read")

    def attached(self, node: etree._Element) -> bool:
        while node is not self.answer:
            parent = node.getparent()
            if parent is None:
                return False
            node = parent
        return True

    def fix(self, finding: Finding, arranged: set[etree._Element]) -> bool:
        """Record one finding; whether the tree changed."""
        element, kind = finding.element, finding.kind
        if kind in ("enumeration", "value", "missing-attribute", "unknown-attribute") and finding.name:
            name = finding.name
            field = etree.QName(name).localname if name.startswith("{") else name.rpartition(":")[2]
            recorded = {
                "enumeration": "unknown-value",
                "value": "invalid-value",
                "missing-attribute": "missing",
                "unknown-attribute": "unknown-attribute",
            }[kind]
            self.note(element, field, recorded)
            if kind in ("value", "unknown-attribute"):
                return element.attrib.pop(_attribute_key(element, name), None) is not None
            return False
        if kind in ("enumeration", "value"):  # the text of a leaf element
            parent = element.getparent()
            if parent is None:
                raise self.refuse(finding)
            self.note(
                parent, etree.QName(element).localname, "unknown-value" if kind == "enumeration" else "invalid-value"
            )
            if kind == "value":
                parent.remove(element)
                return True
            return False
        if kind in ("unexpected", "incomplete", "unexpected-children"):
            holder = element.getparent() if kind == "unexpected" else element
            if holder is None:
                raise self.refuse(finding)
            if holder in arranged:
                return False
            arranged.add(holder)
            return self.arrange(holder, finding)
        if kind == "type" and (self.qualify(element) or self.respell(element)):
            return True
        if kind == "abstract" and element.get(_XSI_TYPE) is not None:
            return False  # named, if not resolvable yet: the type finding on it decides
        if kind == "text":
            self.note(element, etree.QName(element).localname, "unexpected-text")
            element.text = None
            for child in element:
                child.tail = None
            return True
        raise self.refuse(finding)

    def qualify(self, element: etree._Element) -> bool:
        """Read an unprefixed ``xsi:type`` (no default namespace) as the type of that name in the element's namespace.

        Boomi's own XML examples write ``xsi:type="AS2ConnectorRecord"`` under a
        ``bns:`` prefix; the name then means no namespace, where no type is declared.
        """
        given = element.get(_XSI_TYPE)
        namespace = etree.QName(element).namespace
        if not given or ":" in given or None in element.nsmap or not namespace:
            return False
        if f"{{{namespace}}}{given}" not in self.declarations.types:
            # Boomi's examples spell some types in another case (EDICustomConnectorRecord), as its JSON does
            folded = [t for t in self.declarations.types if t.casefold() == f"{{{namespace}}}{given}".casefold()]
            if len(folded) != 1:
                return False
            given = etree.QName(folded[0]).localname
        prefix = next((p for p, uri in element.nsmap.items() if uri == namespace and p), None)
        if prefix is None:
            return False
        element.set(_XSI_TYPE, f"{prefix}:{given}")
        deviation = Deviation(self.operation, given, "xsi:type", "unqualified-type")
        if deviation not in self.seen:
            self.seen.add(deviation)
            self.sink.add(deviation)
        return True

    def respell(self, element: etree._Element) -> bool:
        """Read an ``xsi:type`` that names no type as the one type it misspells (:func:`respelt`)."""
        given = element.get(_XSI_TYPE) or ""
        prefix, _, local = given.rpartition(":")
        namespace = element.nsmap.get(prefix or None)
        if not local or not namespace or f"{{{namespace}}}{local}" in self.declarations.types:
            return False
        names = [etree.QName(t).localname for t in self.declarations.types if etree.QName(t).namespace == namespace]
        meant = respelt(local, names)
        if meant is None:
            return False
        element.set(_XSI_TYPE, f"{prefix}:{meant}" if prefix else meant)
        deviation = Deviation(self.operation, meant, "xsi:type", "misspelt-type")
        if deviation not in self.seen:
            self.seen.add(deviation)
            self.sink.add(deviation)
        return True

    def arrange(self, holder: etree._Element, finding: Finding) -> bool:
        """Drop undeclared children, put the rest in schema order, record the required ones missing."""
        kind = self.declarations.type_at(self.answer, self.root_type, holder) if self.root_type else None
        content = self.declarations.content(kind) if kind is not None else None
        if kind is None or content is None:
            raise self.refuse(finding)
        order = {name: index for index, name in enumerate(content)}
        node = kind if isinstance(kind, etree._Element) else self.declarations.types.get(kind)
        wildcard = node is not None and next(node.iter(_XS_ANY), None) is not None
        changed = False
        children = [c for c in holder if isinstance(c.tag, str)]
        kept = []
        for child in children:
            if str(child.tag) in order or wildcard:
                kept.append(child)
                continue
            self.note(holder, etree.QName(child).localname, "unknown-element")
            holder.remove(child)
            changed = True
        positions = [order.get(str(c.tag), len(order)) for c in kept]
        if positions != sorted(positions):
            highest = -1
            for child, position in zip(kept, positions, strict=True):
                if position < highest:
                    self.note(holder, etree.QName(child).localname, "out-of-order")
                    break
                highest = position
            for child in sorted(kept, key=lambda c: order.get(str(c.tag), len(order))):
                holder.append(child)  # moves it, with its tail
            changed = True
        present = {str(c.tag) for c in kept}
        missing = [name for name in self.declarations.required(kind) if name not in present]
        for name in missing:
            self.note(holder, etree.QName(name).localname, "missing")
        if not changed and not missing and finding.kind == "incomplete" and finding.expected:
            # A choice left empty: libxml2 names what it wanted.
            self.note(holder, finding.expected[0].rpartition(":")[2], "missing")
        return changed


def _attribute_key(element: etree._Element, name: str) -> str:
    """The key lxml keeps an attribute under, from the name libxml2 gave (``{ns}local``, ``p:local`` or bare)."""
    if name.startswith("{") or ":" not in name:
        return name
    prefix, _, local = name.partition(":")
    namespace = element.nsmap.get(prefix)
    return f"{{{namespace}}}{local}" if namespace else name
