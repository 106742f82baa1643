"""Output of ``boomi-soap call``: results as JSON or XML, and ``--filter`` parsing."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lxml import etree
from zeep.helpers import serialize_object

from boomi_soap.exceptions import QueryFilterError
from boomi_soap.filters import Expression, F

if TYPE_CHECKING:
    from boomi_soap.client import Client

__all__ = ["parse_filters", "render_results"]

_SYMBOLS = {"=": "EQUALS", "==": "EQUALS", "!=": "NOT_EQUALS", "<": "LESS_THAN", "<=": "LESS_THAN_OR_EQUAL",
            ">": "GREATER_THAN", ">=": "GREATER_THAN_OR_EQUAL"}  # fmt: skip


def parse_filters(filters: Sequence[str]) -> Expression | None:
    """Parse ``PROPERTY OPERATOR [VALUE...]`` conditions, joined with ``and``.

    Raises:
        QueryFilterError: On a condition without an operator.
    """
    expression: Expression | None = None
    for text in filters:
        words = shlex.split(text)
        if len(words) < 2:
            raise QueryFilterError(f"filter {text!r}: want PROPERTY OPERATOR [VALUE...]")
        prop, operator, *values = words
        node = F(prop).op(_SYMBOLS.get(operator, operator.upper()), *values)
        expression = node if expression is None else expression & node
    return expression


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, etree._Element):
        return etree.tostring(value, encoding="unicode")
    return str(value)


def render_results(client: Client, results: list[Any], output: str) -> str:
    """Render results as a JSON array (with each object's ``@type``) or as XML elements."""
    if output == "json":
        items = []
        for result in results:
            data = serialize_object(result, dict)  # type: ignore[no-untyped-call]
            if isinstance(data, dict):
                data = {"@type": type(result).__name__, **{k: v for k, v in data.items() if k != "_value_1"}}
            items.append(data)
        return json.dumps(items, indent=2, default=_plain) + "\n"
    root = etree.Element("results", count=str(len(results)))
    for result in results:
        result_type = result._xsd_type
        element = etree.SubElement(root, "result", type=type(result).__name__)
        result_type.render(element, result)
    return etree.tostring(root, pretty_print=True, encoding="unicode")
