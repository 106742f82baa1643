"""Query filters: ``QueryConfig/QueryFilter/expression`` compiled to a predicate.

Grammar (data schema)::

    QueryFilter        := expression
    SimpleExpression   := @operator @property argument*
    GroupingExpression := @operator ("and" | "or") nestedExpression*

Operators and their argument counts follow Boomi's query-filter page: EQUALS 1,
NOT_EQUALS 1, LIKE 1 (``%`` matches any run of characters), STARTS_WITH 1,
CONTAINS 1, NOT_CONTAINS 1, BETWEEN 2 (inclusive), GREATER_THAN[_OR_EQUAL] 1,
LESS_THAN[_OR_EQUAL] 1, IS_NULL 0, IS_NOT_NULL 0.  ``ENDS_WITH`` exists only in
the ``next`` release's schema; the service honours whatever the schema let through.
Numbers compare as numbers, ``xs:dateTime`` values as instants, other values as
strings; a repeated field matches when any of its values does.

:func:`run_query` works on the store's references, so a result set of seeded records
holds positions, not records, and reads them a field at a time: a seed source that
can (:class:`~boomi_soap.localservice.store.ColumnSource`) answers a field of every
record without building one, so only the records of the page written are built.  A
sort is one stable pass per field, least significant first, on native keys.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar

from lxml import etree

from boomi_soap.localservice.contract import NS_DATA, NS_XSI, Field, ObjectRules, TypeInfo
from boomi_soap.localservice.errors import ApiFault, FaultCode
from boomi_soap.localservice.model import Record, field_values
from boomi_soap.localservice.store import AccountStore, ColumnSource, Page, Ref

__all__ = ["Predicate", "compile_filter", "run_query", "sort_records"]

Predicate = Callable[[Record], bool]

_ARGUMENTS: Final = {
    "EQUALS": 1,
    "NOT_EQUALS": 1,
    "LIKE": 1,
    "STARTS_WITH": 1,
    "ENDS_WITH": 1,
    "CONTAINS": 1,
    "NOT_CONTAINS": 1,
    "BETWEEN": 2,
    "GREATER_THAN": 1,
    "GREATER_THAN_OR_EQUAL": 1,
    "LESS_THAN": 1,
    "LESS_THAN_OR_EQUAL": 1,
    "IS_NULL": 0,
    "IS_NOT_NULL": 0,
}
_ARG: Final = f"{{{NS_DATA}}}argument"
_NESTED: Final = f"{{{NS_DATA}}}nestedExpression"
_XSI_TYPE: Final = f"{{{NS_XSI}}}type"

Comparable = Decimal | datetime | str


def _coerce(field: Field, raw: str, *, argument: bool) -> Comparable:
    """Convert a value to what it compares as; a bad argument is a fault, a bad stored value a string."""
    text = raw.strip()
    if field.numeric:
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return number
        if argument:  # NaN and Infinity are no xs:int or xs:long, and NaN compares as nothing
            raise ApiFault(FaultCode.INVALID_REQUEST, f"'{raw}' is not a number for {field.name}")
        return text
    if field.builtin and field.type_name == "dateTime":
        try:
            instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            if argument:
                raise ApiFault(FaultCode.INVALID_REQUEST, f"'{raw}' is not a date-time for {field.name}") from None
            return text
        if instant.tzinfo is None:
            if argument:  # a local time is no instant: it cannot be compared with stored ones
                raise ApiFault(
                    FaultCode.INVALID_REQUEST,
                    f"'{raw}' is not a date-time with a time zone for {field.name}; add Z or an offset such as +01:00",
                )
            instant = instant.replace(tzinfo=UTC)
        return instant
    if field.builtin and field.type_name == "boolean":
        return text.lower()
    return raw


def _compare(left: Comparable, right: Comparable) -> int:
    if type(left) is not type(right):
        left, right = str(left), str(right)
    try:
        if left < right:  # type: ignore[operator]
            return -1
        return 1 if left > right else 0  # type: ignore[operator]
    except (TypeError, ArithmeticError):  # never a crashed handler: compare what cannot compare as text
        return _compare(str(left), str(right))


def _like(pattern: str) -> Callable[[str], bool]:
    """Match Boomi's LIKE (``%``: any run of characters) in linear time.

    The literal parts between ``%`` are found left to right, each at its first
    occurrence after the previous one: the earliest match leaves the most room for
    the rest, so no choice is ever revisited (a regex ``.*`` backtracks instead, and
    ``%e%e%e%e%e%Z`` over 200 characters takes it minutes).
    """
    if "%" not in pattern:
        return lambda value: value == pattern
    head, *middle, tail = pattern.split("%")

    def match(value: str) -> bool:
        end = len(value) - len(tail)
        if end < len(head) or not value.startswith(head) or not value.endswith(tail):
            return False
        position = len(head)
        for part in middle:
            found = value.find(part, position, end)
            if found < 0:
                return False
            position = found + len(part)
        return True

    return match


def _resolve(info: TypeInfo, rules: ObjectRules | None, prop: str) -> Field | None:
    allowed = rules.filter_properties if rules else ()
    if allowed and prop.casefold() not in {p.casefold() for p in allowed}:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"{prop} does not exist")
    found = info.lookup(prop) or info.lookup("component" + prop)
    if found is None and not allowed:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"{prop} does not exist")
    return found  # an allowed property the type does not carry is always null


RowTest = Callable[[Sequence[str]], bool]
"""Whether one record's values of a field (several for a repeated element) match."""


def _coercer(field: Field) -> Callable[[str], Comparable]:
    """``_coerce(field, ..., argument=False)`` as one short function per kind of field (the same results)."""
    if field.numeric:
        return _as_number
    if field.builtin and field.type_name == "dateTime":
        return _as_instant
    if field.builtin and field.type_name == "boolean":
        return _as_boolean
    return _as_text  # the value itself


def _as_text(raw: str) -> Comparable:
    return raw


def _as_number(raw: str) -> Comparable:
    text = raw.strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return number if number.is_finite() else text


def _as_instant(raw: str) -> Comparable:
    text = raw.strip()
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def _as_boolean(raw: str) -> Comparable:
    return raw.strip().lower()


def _simple(expr: etree._Element, info: TypeInfo, rules: ObjectRules | None) -> tuple[Field | None, RowTest]:
    """A simple expression as the field it reads and the test of that field's values (no field: a constant)."""
    operator = expr.get("operator", "")
    prop = expr.get("property", "")
    expected = _ARGUMENTS.get(operator)
    if expected is None:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"Unsupported operator {operator}")
    arguments = [a.text or "" for a in expr.iterchildren(_ARG)]
    if len(arguments) != expected:
        raise ApiFault(
            FaultCode.INVALID_REQUEST,
            f"Operator {operator} takes {expected} argument(s), {len(arguments)} given for property {prop}",
        )
    field = _resolve(info, rules, prop)
    if field is None:
        constant = operator == "IS_NULL"
        return None, lambda values: constant
    if operator in ("IS_NULL", "IS_NOT_NULL"):
        want_null = operator == "IS_NULL"
        return field, lambda values: (not any(v.strip() for v in values)) == want_null
    args = [_coerce(field, a, argument=True) for a in arguments]
    test = _operator_test(operator, args, arguments)
    negated = operator in ("NOT_EQUALS", "NOT_CONTAINS")
    coerce = _coercer(field)
    if coerce is _as_text and operator in ("EQUALS", "NOT_EQUALS") and isinstance(args[0], str):
        wanted = args[0]  # text against text: _compare's 0 is plain equality

        def equal_text(values: Sequence[str]) -> bool:
            return (wanted in values) is not negated

        return field, equal_text

    def row_test(values: Sequence[str]) -> bool:
        for value in values:
            if test(coerce(value)):
                return not negated
        return negated

    return field, row_test


def _operator_test(operator: str, args: Sequence[Comparable], raw: Sequence[str]) -> Callable[[Comparable], bool]:
    first = args[0] if args else ""
    if operator in ("EQUALS", "NOT_EQUALS"):
        return lambda v: _compare(v, first) == 0
    if operator == "LIKE":
        matches = _like(raw[0])
        return lambda v: matches(str(v))
    if operator == "STARTS_WITH":
        return lambda v: str(v).startswith(raw[0])
    if operator == "ENDS_WITH":
        return lambda v: str(v).endswith(raw[0])
    if operator in ("CONTAINS", "NOT_CONTAINS"):
        return lambda v: raw[0] in str(v)
    if operator == "BETWEEN":
        low, high = args
        return lambda v: _compare(v, low) >= 0 and _compare(v, high) <= 0
    accept: frozenset[int] = {
        "GREATER_THAN": frozenset({1}),
        "GREATER_THAN_OR_EQUAL": frozenset({0, 1}),
        "LESS_THAN": frozenset({-1}),
        "LESS_THAN_OR_EQUAL": frozenset({-1, 0}),
    }[operator]
    return lambda v: _compare(v, first) in accept


def compile_filter(expression: etree._Element, info: TypeInfo, rules: ObjectRules | None) -> Predicate:
    """Compile a (schema-valid) filter expression into a predicate over records.

    Args:
        expression: An ``expression`` or ``nestedExpression`` element.
        info: The queried object type.
        rules: The type's published rules (allowed filter properties), if known.

    Returns:
        A function telling whether a record matches.

    Raises:
        ApiFault: For an unknown property, a wrong argument count, or an argument
            that does not fit the property's type.
    """
    kind = _kind(expression)
    if kind == "SimpleExpression":
        field, row_test = _simple(expression, info, rules)
        if field is None:
            constant = row_test(())
            return lambda record: constant
        return lambda record: row_test(field_values(record, field))
    parts = [compile_filter(nested, info, rules) for nested in expression.iterchildren(_NESTED)]
    if expression.get("operator") == "or":
        return lambda record: any(p(record) for p in parts)
    return lambda record: all(p(record) for p in parts)


def _kind(expression: etree._Element) -> str:
    kind = expression.get(_XSI_TYPE, "").rpartition(":")[2]
    if kind not in ("SimpleExpression", "GroupingExpression"):
        raise ApiFault(FaultCode.INVALID_REQUEST, f"Unsupported expression type '{kind or 'none'}'")
    return kind


class _View:
    """A result set read one field at a time: seeded records are never built for a filter or a sort.

    Rows are indices into the store's :meth:`~AccountStore.refs`; a seeded position is read
    from its source's :meth:`~ColumnSource.column` when it has one, a stored record from its element.
    """

    def __init__(self, store: AccountStore, type_name: str, refs: Sequence[Ref]) -> None:
        self.refs = refs
        source = store.seed_source(type_name)
        self._columns = source if isinstance(source, ColumnSource) else None
        self._build = functools.partial(store.resolve, type_name)
        # Each field's values by row, as far as read: a field named twice (an OR of EQUALS, a
        # filter then a sort) is read once.  Only for this query: nothing outlives it.
        self._read: dict[str, list[Sequence[str] | None]] = {}
        self._seeded_only = isinstance(refs, range) or all(type(ref) is int for ref in refs)

    def values(self, field: Field, rows: Sequence[int]) -> list[Sequence[str]]:
        """The values of ``field`` in each of ``rows``, in order."""
        read = self._read.get(field.name)
        if read is None:
            read = self._read[field.name] = [None] * len(self.refs)
        missing = [row for row in rows if read[row] is None]
        if missing:
            for row, values in zip(missing, self._fetch(field, missing), strict=True):
                read[row] = values
        return [read[row] or () for row in rows]

    def _fetch(self, field: Field, rows: Sequence[int]) -> list[Sequence[str]]:
        refs, columns = self.refs, self._columns
        if columns is not None and self._seeded_only:  # no stored record among them: one column read
            return [() if text is None else (text,) for text in columns.column(field.name, [refs[r] for r in rows])]  # type: ignore[misc]
        out: list[Sequence[str]] = []
        seeded: list[int] = []  # where in ``out`` the seeded positions go
        positions: list[int] = []
        for at, row in enumerate(rows):
            ref = refs[row]
            if isinstance(ref, Record):
                out.append(field_values(ref, field))
            elif columns is None:
                out.append(field_values(self._build(ref), field))
            else:
                out.append(())
                seeded.append(at)
                positions.append(ref)
        if columns is not None and seeded:
            texts = columns.column(field.name, positions)
            for at, text in zip(seeded, texts, strict=True):
                if text is not None:
                    out[at] = (text,)
        return out


Selector = Callable[[_View, list[int]], list[int]]


def _selector(expression: etree._Element, info: TypeInfo, rules: ObjectRules | None) -> Selector:
    """As :func:`compile_filter`, but over a :class:`_View`'s rows, a field at a time (same answers)."""
    if _kind(expression) == "SimpleExpression":
        field, row_test = _simple(expression, info, rules)
        if field is None:
            keep = row_test(())
            return lambda view, rows: rows if keep else []

        def simple(view: _View, rows: list[int]) -> list[int]:
            return [row for row, values in zip(rows, view.values(field, rows), strict=True) if row_test(values)]

        return simple
    parts = [_selector(nested, info, rules) for nested in expression.iterchildren(_NESTED)]
    if expression.get("operator") == "or":

        def either(view: _View, rows: list[int]) -> list[int]:
            found: set[int] = set()
            left = rows
            for part in parts:  # each part reads only the rows no earlier part matched
                matched = part(view, left)
                found.update(matched)
                left = [row for row in left if row not in found] if matched else left
            return [row for row in rows if row in found]

        return either

    def every(view: _View, rows: list[int]) -> list[int]:
        for part in parts:
            rows = part(view, rows)
        return rows

    return every


def sort_records(records: list[Record], info: TypeInfo, fields: Sequence[tuple[str, bool]]) -> list[Record]:
    """Sort records as ``QuerySort/sortField`` asks (missing values last, stable).

    Args:
        records: The records to sort.
        info: Their type.
        fields: ``(fieldName, descending)`` pairs, most significant first.

    Returns:
        A new sorted list.

    Raises:
        ApiFault: If the type has no such field.
    """
    keys = _sort_keys(info, fields)
    return [record for _, record in _sorted([(keys(r), r) for r in records], fields)]


_SortKey = tuple[Comparable | None, ...]
_T = TypeVar("_T")


def _resolved(info: TypeInfo, fields: Sequence[tuple[str, bool]]) -> list[Field]:
    resolved: list[Field] = []
    for name, _ in fields:
        found = info.lookup(name)
        if found is None:
            raise ApiFault(FaultCode.INVALID_REQUEST, f"{name} does not exist")
        resolved.append(found)
    return resolved


def _sort_keys(info: TypeInfo, fields: Sequence[tuple[str, bool]]) -> Callable[[Record], _SortKey]:
    resolved = _resolved(info, fields)

    def keys(record: Record) -> _SortKey:
        # The first value of each field, as it compares; None when the field is missing.
        out: list[Comparable | None] = []
        for found in resolved:
            values = field_values(record, found)
            out.append(_coerce(found, values[0], argument=False) if values else None)
        return tuple(out)

    return keys


def _sorted(keyed: list[tuple[_SortKey, _T]], fields: Sequence[tuple[str, bool]]) -> list[tuple[_SortKey, _T]]:
    descending = [d for _, d in fields]

    def compare(a: tuple[_SortKey, _T], b: tuple[_SortKey, _T]) -> int:
        for left, right, down in zip(a[0], b[0], descending, strict=True):
            if left is None or right is None:
                order = (left is None) - (right is None)
            else:
                order = _compare(left, right)
                order = -order if down else order
            if order:
                return order
        return 0

    return sorted(keyed, key=functools.cmp_to_key(compare))


def _by(column: list[Any]) -> Callable[[int], Any]:
    """A sort key reading ``column`` at a row (its values all of one kind, none missing)."""
    return column.__getitem__


def _order(view: _View, rows: list[int], info: TypeInfo, fields: Sequence[tuple[str, bool]]) -> list[int]:
    """Sort rows as :func:`sort_records` does, each field a stable pass with native keys where they allow it."""
    resolved = _resolved(info, fields)
    columns: list[list[Comparable | None]] = []
    for found in resolved:
        coerce = _coercer(found)
        columns.append([coerce(values[0]) if values else None for values in view.values(found, rows)])
    if any(len({type(k) for k in column if k is not None}) > 1 for column in columns):
        # Values of mixed kinds compare as text pairwise, which no key reproduces: the one-pass sort.
        keyed = [(tuple(column[at] for column in columns), row) for at, row in enumerate(rows)]
        return [row for _, row in _sorted(keyed, fields)]
    order = list(range(len(rows)))
    for column, (_, down) in zip(reversed(columns), reversed(fields), strict=True):
        # Least significant first: a stable sort keeps the later fields' order among equal values.
        present = [at for at in order if column[at] is not None]
        present.sort(key=_by(column), reverse=down)  # reverse keeps equal keys in order too
        order = present + [at for at in order if column[at] is None]  # missing values last, either way
    return [rows[at] for at in order]


def run_query(store: AccountStore, info: TypeInfo, rules: ObjectRules | None, config: etree._Element | None) -> Page:
    """Run a ``query`` over an account's records and return its first page.

    Args:
        store: The account's store.
        info: The queried object type.
        rules: The type's published rules (allowed filter properties), if known.
        config: The request's ``queryConfig`` element, if any.

    Returns:
        The first page; later pages are the store's, by ``queryToken``.

    Raises:
        ApiFault: For a filter or sort the type cannot answer.
    """
    refs: Sequence[Ref] = store.refs(info.name)
    if config is not None:
        view = _View(store, info.name, refs)
        rows = list(range(len(refs)))
        expression = config.find(f"{{{NS_DATA}}}QueryFilter/{{{NS_DATA}}}expression")
        if expression is not None:
            rows = _selector(expression, info, rules)(view, rows)
        fields = [
            (f.get("fieldName", ""), (f.get("sortOrder") or "ASC").upper() == "DESC")
            for f in config.iterfind(f"{{{NS_DATA}}}QuerySort/{{{NS_DATA}}}sortField")
        ]
        if fields:
            rows = _order(view, rows, info, fields)
        if expression is not None or fields:
            refs = [refs[row] for row in rows]
    return store.first_page(refs, info.name)
