"""Output of ``boomi-soap call``: results as JSON or XML, and ``--filter`` parsing."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lxml import etree
from zeep.helpers import serialize_object

from boomi_soap.exceptions import QueryFilterError
from boomi_soap.query import Expression, F

if TYPE_CHECKING:
    from boomi_soap.client import Client

__all__ = ["load_object", "parse_filters", "render_json_line", "render_results", "render_xml", "stream_results"]

_SYMBOLS = {"=": "EQUALS", "==": "EQUALS", "!=": "NOT_EQUALS", "<": "LESS_THAN", "<=": "LESS_THAN_OR_EQUAL",
            ">": "GREATER_THAN", ">=": "GREATER_THAN_OR_EQUAL"}  # fmt: skip


def parse_filters(filters: Sequence[str]) -> Expression | None:
    """Parse ``PROPERTY OPERATOR [VALUE...]`` conditions, joined with ``and``.

    Raises:
        QueryFilterError: On a condition without an operator.
    """
    expression: Expression | None = None
    for text in filters:
        try:
            words = shlex.split(text)
        except ValueError as exc:  # an unclosed quote
            raise QueryFilterError(f"filter {text!r}: {exc} (close the quote, or escape it)") from None
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


def _data(result: Any) -> Any:
    data = serialize_object(result, dict)  # type: ignore[no-untyped-call]
    if isinstance(data, dict):
        data = {"@type": type(result).__name__, **{k: v for k, v in data.items() if k != "_value_1"}}
    return data


def render_json_line(result: Any) -> str:
    """One result as one line of JSON (with the object's ``@type``)."""
    return json.dumps(_data(result), default=_plain)


def render_xml(client: Client, result: Any) -> str:
    """One result as a ``<result type="...">`` element, its children in the data namespace as ``api:``."""
    from zeep.exceptions import Error as ZeepError

    from boomi_soap.exceptions import ResponseError

    element = etree.Element("result", type=type(result).__name__)
    try:
        result._xsd_type.render(element, result)
    except ZeepError as exc:  # an answer zeep read but will not write back: say which, not a traceback
        raise ResponseError("result", f"a {type(result).__name__} cannot be printed as XML: {exc}") from None
    etree.cleanup_namespaces(element, top_nsmap={"api": client.contract.data_namespace})
    return etree.tostring(element, pretty_print=True, encoding="unicode")


def stream_results(client: Client, results: Iterable[Any], output: str, write: Callable[[str], None]) -> int:
    """Write each result as soon as it arrives: JSON lines, or XML inside one ``<results>`` element.

    Returns:
        How many results were written.
    """
    count = 0
    if output == "xml":
        write("<results>\n")
    try:
        for result in results:
            write(render_json_line(result) + "\n" if output == "json" else render_xml(client, result))
            count += 1
    finally:
        if output == "xml":
            write("</results>\n")
    return count


def render_results(client: Client, results: list[Any], output: str) -> str:
    """Render results as a JSON array (with each object's ``@type``) or as XML elements."""
    if output == "json":
        return json.dumps([_data(r) for r in results], indent=2, default=_plain) + "\n"
    parts: list[str] = []
    stream_results(client, results, "xml", parts.append)
    return "".join(parts)


def load_object(client: Client, data: bytes, *, source: str, object_type: str | None = None) -> Any:
    """Read an object for ``create`` or ``update`` from XML or JSON.

    XML is an object element with ``xsi:type`` (``<object xsi:type="api:Environment">``),
    or an element of the data namespace named after its type (``<api:Environment>``).
    JSON is an object whose ``@type`` (or ``object_type``) names the type, as
    ``call get`` prints it.

    Raises:
        XMLInputError: If the XML is unsafe or malformed.
        InvalidRequestError: If the type is missing or unknown, or a field does not exist.
    """
    from boomi_soap._xml.safe import parse_xml
    from boomi_soap.exceptions import InvalidRequestError, JsonFormError

    if not data.strip():
        raise InvalidRequestError("object", f"{source}: empty input; give an object as XML or JSON")
    if data.lstrip().startswith(b"<"):
        root = parse_xml(data, source=source)
        if root.tag == "results" and len(root) == 1:  # what call get --format xml prints
            root = root[0]
        namespace = client.contract.data_namespace
        xsi_type = "{http://www.w3.org/2001/XMLSchema-instance}type"
        name = object_type or (root.get("type") if root.tag == "result" else etree.QName(root).localname)
        if root.get(xsi_type) is None and (root.tag == "result" or etree.QName(root).namespace == namespace):
            # <api:Environment> or <result type="Environment">: rewrite as the
            # <object xsi:type="api:Environment"> a call's result carries.
            wrapper = etree.Element("object", nsmap={"api": namespace})
            wrapper.attrib.update({k: v for k, v in root.attrib.items() if not (root.tag == "result" and k == "type")})
            wrapper.set(xsi_type, f"api:{name}")
            wrapper.extend(list(root))
            root = wrapper
        return client.from_xml(root)
    from boomi_soap.wire.jsonform import loads  # bounds the nesting, which zeep then walks recursively

    try:
        fields = loads(data)
    except JsonFormError as exc:
        raise InvalidRequestError("object", f"{source}: neither XML nor JSON ({exc})") from None
    if not isinstance(fields, dict):
        raise InvalidRequestError("object", f"{source}: want a JSON object, not {type(fields).__name__}")
    name = object_type or fields.pop("@type", None)
    fields.pop("@type", None)
    if not isinstance(name, str) or not name:
        raise InvalidRequestError("object", f'{source}: say the object\'s type with "@type" or --type')
    return client.new_object(name, **{k: v for k, v in fields.items() if v is not None})
