"""A small query-filter builder: ``F("name") == "Orders"``, combined with ``&`` and ``|``; and the paging iterators.

Expressions are plain values; the client turns them into the schema's
``SimpleExpression`` and ``GroupingExpression`` (with the right ``xsi:type``) and
checks their operators against the account's schema, suggesting the closest match
for a misspelt one.  :class:`QueryResults` and :class:`AsyncQueryResults` follow a
query's ``queryToken`` pages over a ``more(token)`` callable, one page held at a time.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from boomi_soap.exceptions import QueryFilterError

__all__ = [
    "AsyncQueryResults",
    "Expression",
    "F",
    "Grouping",
    "QueryResults",
    "Simple",
    "check_expression",
    "check_operators",
]

Argument = str | int | float | bool | date | datetime


def _text(value: Argument) -> str:
    """An argument as Boomi reads it: dates and date-times as ``xs:dateTime`` in UTC with ``Z``.

    Raises:
        QueryFilterError: On a naive ``datetime`` (its time zone would be a guess).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise QueryFilterError(
                f"datetime {value.isoformat()} has no time zone; pass an aware one (e.g. tzinfo=datetime.UTC)"
            )
        return value.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    return str(value)


class _Combinable:
    def __and__(self, other: Expression) -> Grouping:
        return Grouping("and", (*_flatten(self, "and"), *_flatten(other, "and")))  # type: ignore[arg-type]

    def __or__(self, other: Expression) -> Grouping:
        return Grouping("or", (*_flatten(self, "or"), *_flatten(other, "or")))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Simple(_Combinable):
    """``SimpleExpression``: one property, one operator, its arguments."""

    operator: str
    property: str
    arguments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Grouping(_Combinable):
    """``GroupingExpression``: ``and`` / ``or`` over nested expressions."""

    operator: str
    items: tuple[Simple | Grouping, ...]


Expression = Simple | Grouping


def _flatten(expression: Expression, operator: str) -> tuple[Expression, ...]:
    if isinstance(expression, Grouping) and expression.operator == operator:
        return expression.items
    return (expression,)


class F:
    """A query property; comparisons and methods make expressions.

    Dates and date-times are sent as ``xs:dateTime`` in UTC (``2026-11-01T00:00:00Z``);
    a naive ``datetime`` is refused.  Strings are sent as written.

    >>> (F("status") == "ERROR") & F("executionTime").between(date(2026, 11, 1), date(2026, 11, 2))
    """

    __hash__ = None  # type: ignore[assignment]  # == builds an expression, so no hashing

    def __init__(self, name: str) -> None:
        """Name the property (as the platform's query filters spell it)."""
        self.name = name

    def op(self, operator: str, *arguments: Argument) -> Simple:
        """Any operator by name (checked against the schema when the query runs)."""
        return Simple(operator, self.name, tuple(_text(a) for a in arguments))

    def __eq__(self, value: Argument) -> Simple:  # type: ignore[override]
        return self.op("EQUALS", value)

    def __ne__(self, value: Argument) -> Simple:  # type: ignore[override]
        return self.op("NOT_EQUALS", value)

    def __gt__(self, value: Argument) -> Simple:
        return self.op("GREATER_THAN", value)

    def __ge__(self, value: Argument) -> Simple:
        return self.op("GREATER_THAN_OR_EQUAL", value)

    def __lt__(self, value: Argument) -> Simple:
        return self.op("LESS_THAN", value)

    def __le__(self, value: Argument) -> Simple:
        return self.op("LESS_THAN_OR_EQUAL", value)

    def like(self, pattern: str) -> Simple:
        """``LIKE`` with ``%`` wildcards."""
        return self.op("LIKE", pattern)

    def starts_with(self, prefix: str) -> Simple:
        """``STARTS_WITH``."""
        return self.op("STARTS_WITH", prefix)

    def ends_with(self, suffix: str) -> Simple:
        """``ENDS_WITH`` (only where the account's schema has it)."""
        return self.op("ENDS_WITH", suffix)

    def contains(self, text: str) -> Simple:
        """``CONTAINS``."""
        return self.op("CONTAINS", text)

    def not_contains(self, text: str) -> Simple:
        """``NOT_CONTAINS``."""
        return self.op("NOT_CONTAINS", text)

    def between(self, low: Argument, high: Argument) -> Simple:
        """``BETWEEN`` low and high, inclusive."""
        return self.op("BETWEEN", low, high)

    def is_null(self) -> Simple:
        """``IS_NULL``."""
        return self.op("IS_NULL")

    def is_not_null(self) -> Simple:
        """``IS_NOT_NULL``."""
        return self.op("IS_NOT_NULL")


MAX_DEPTH: Final = 256
"""Deepest nesting of groupings sent (the schema's XML is read with libxml2's limit of 256)."""
# What XML 1.0 cannot carry: control characters, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _walk(expression: Expression) -> Iterator[Expression]:
    """Every node of ``expression``, depth first, without recursion (a nesting can be deep)."""
    pending: list[Expression] = [expression]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, Grouping):
            pending.extend(reversed(node.items))


def check_operators(expression: Expression, simple: Sequence[str], grouping: Sequence[str]) -> None:
    """Refuse operators the schema does not list, suggesting the closest.

    Args:
        expression: The filter.
        simple: ``SimpleExpressionOperator`` values of the schema.
        grouping: ``GroupingExpressionOperator`` values of the schema.

    Raises:
        QueryFilterError: On the first unknown operator.
    """
    for node in _walk(expression):
        allowed = simple if isinstance(node, Simple) else grouping
        if allowed and node.operator not in allowed:
            close = difflib.get_close_matches(node.operator.upper(), list(allowed), n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]}?" if close else f"; use one of {', '.join(allowed)}"
            where = f" on {node.property}" if isinstance(node, Simple) else ""
            raise QueryFilterError(f"operator {node.operator}{where} is not in this account's schema{hint}")


def check_expression(where: object) -> None:
    """Refuse anything but an expression built with :class:`F` (or ``None``).

    Raises:
        QueryFilterError: On a string or another value, naming what was given; on a
            filter nested deeper than :data:`MAX_DEPTH`, or with text XML cannot carry.
    """
    if where is None:
        return
    if isinstance(where, Simple | Grouping):
        _check_nodes(where)
        return
    hint = ' (build it with F, e.g. F("status") == "ERROR")'
    if isinstance(where, str):
        raise QueryFilterError(f"a query filter is an expression, not the string {where!r}{hint}")
    raise QueryFilterError(f"a query filter is an expression, not {type(where).__name__}{hint}")


def _check_nodes(expression: Expression) -> None:
    """Refuse a filter the request could not carry: too deep, a foreign item, text XML does not allow."""
    pending: list[tuple[object, int]] = [(expression, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise QueryFilterError(f"the filter nests groupings deeper than {MAX_DEPTH} levels")
        if isinstance(node, Grouping):
            if not isinstance(node.items, tuple):
                raise QueryFilterError(
                    f"a grouping's items are a tuple of expressions, not {type(node.items).__name__}"
                )
            pending.extend((item, depth + 1) for item in node.items)
            texts: tuple[object, ...] = (node.operator,)
        elif isinstance(node, Simple):
            texts = (node.operator, node.property, *node.arguments)
        else:
            raise QueryFilterError(f"a grouping holds {type(node).__name__}, not an expression built with F")
        for text in texts:
            if not isinstance(text, str):
                raise QueryFilterError(
                    f"a filter's operator, property and arguments are text, not {type(text).__name__}"
                )
            bad = _NOT_XML.search(text)
            if bad is not None:
                raise QueryFilterError(f"character U+{ord(bad.group()):04X} in a filter cannot be sent in XML")


class _Pages:
    """What both paging iterators hold: the page being read, how to ask for the next, the counts."""

    def __init__(
        self, first: Callable[[], Any], more: Callable[[str], Any], on_page: Callable[[int, int], None] | None
    ) -> None:
        self._next_page: Callable[[], Any] | None = first
        self._more = more
        self._buffer: list[Any] = []
        self._on_page = on_page
        self.pages = 0
        self.seen = 0
        self.exhausted = False

    def _take(self, page: Any) -> None:
        """Hold a page's results; the next page is ``more(queryToken)``, or none after the last."""
        self.pages += 1
        self._buffer = list(page.result or []) if page is not None else []
        token = page.queryToken if page is not None else None
        self._next_page = (lambda t=token: self._more(t)) if token else None
        if self._on_page is not None:
            self._on_page(self.pages, self.seen + len(self._buffer))

    def _pop(self) -> Any:
        self.seen += 1
        return self._buffer.pop(0)


class QueryResults(_Pages, Iterator[Any]):
    """A lazy iterator over every result of a query, following ``queryMore`` pages.

    Only one page (at most 100 results) is held at a time.

    Attributes:
        pages: Pages fetched so far.
        seen: Results yielded so far.
        exhausted: Whether the last page was reached.
    """

    def __init__(
        self,
        first: Callable[[], Any],
        more: Callable[[str], Any],
        on_page: Callable[[int, int], None] | None,
        limit: int | None = None,
    ) -> None:
        """Page with ``first()``, then ``more(queryToken)``; ``on_page(pages, results)`` after each page."""
        super().__init__(first, more, on_page)
        self._limit = limit

    def __iter__(self) -> QueryResults:
        return self

    def __repr__(self) -> str:
        state = "exhausted" if self.exhausted else "more to read" if self._next_page or self._buffer else "last page"
        limit = f", limit={self._limit}" if self._limit is not None else ""
        return f"QueryResults(pages={self.pages}, seen={self.seen}{limit}, {state})"

    def __getitem__(self, index: slice) -> list[Any]:
        """``results[:10]``: the next results of a slice, read from the pages as needed (they are consumed).

        Raises:
            TypeError: For an index or a negative bound (the total is not known until the last page).
        """
        if not isinstance(index, slice):
            raise TypeError("QueryResults takes a slice (results[:10]); it is read once, front to back")
        if any(bound is not None and bound < 0 for bound in (index.start, index.stop, index.step)):
            raise TypeError("QueryResults slices take no negative bound: the total is known only at the last page")
        return list(itertools.islice(self, index.start, index.stop, index.step))

    def __next__(self) -> Any:
        if self._limit is not None and self.seen >= self._limit:
            self.exhausted = True
            raise StopIteration
        while not self._buffer:
            if self._next_page is None:
                self.exhausted = True
                raise StopIteration
            self._take(self._next_page())
        return self._pop()

    def count(self) -> int:
        """Page through what is left and return the total number of results."""
        for _ in self:
            pass
        return self.seen


class AsyncQueryResults(_Pages, AsyncIterator[Any]):
    """``async for`` over every result of a query, following ``queryMore`` pages lazily (as :class:`QueryResults`).

    Attributes:
        pages: Pages fetched so far.
        seen: Results yielded so far.
        exhausted: Whether the last page was reached.
    """

    def __init__(
        self,
        first: Callable[[], Awaitable[Any]],
        more: Callable[[str], Awaitable[Any]],
        on_page: Callable[[int, int], None] | None,
    ) -> None:
        """Page with ``await first()``, then ``await more(queryToken)``."""
        super().__init__(first, more, on_page)

    def __aiter__(self) -> AsyncQueryResults:
        return self

    async def __anext__(self) -> Any:
        while not self._buffer:
            if self._next_page is None:
                self.exhausted = True
                raise StopAsyncIteration
            self._take(await self._next_page())
        return self._pop()

    async def count(self) -> int:
        """Page through what is left and return the total number of results."""
        async for _ in self:
            pass
        return self.seen
