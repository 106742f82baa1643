"""Input of the command line: files and stdin, ``--filter``, time values, NAME=VALUE pairs, object types.

Every check here runs before anything is sent, and a mistake is a usage error (exit 2)
naming the flag or argument, with a "did you mean" from the snapshot where one is close.
"""

from __future__ import annotations

import difflib
import re
import shlex
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from boomi_soap.exceptions import QueryFilterError, RequestRefusedError

if TYPE_CHECKING:
    from boomi_soap.client import Client
    from boomi_soap.query import Argument, Expression

__all__ = [
    "FILTER_HELP",
    "ZonedDateTime",
    "check_fields",
    "check_object_type",
    "load_object",
    "pairs",
    "parse_filters",
    "parse_time",
    "read_input",
]

_SYMBOLS = {"=": "EQUALS", "==": "EQUALS", "!=": "NOT_EQUALS", "<": "LESS_THAN", "<=": "LESS_THAN_OR_EQUAL",
            ">": "GREATER_THAN", ">=": "GREATER_THAN_OR_EQUAL"}  # fmt: skip

# How many values each of Boomi's query operators takes (the platform API's reference): a
# condition with the wrong count is refused here, not by the service after a round trip.
# An operator not listed is left to the schema check and the service.
_VALUES: Final = {
    **dict.fromkeys(("EQUALS", "NOT_EQUALS", "LIKE", "STARTS_WITH", "ENDS_WITH", "CONTAINS", "NOT_CONTAINS"), 1),
    **dict.fromkeys(("GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL"), 1),
    "BETWEEN": 2,
    "IS_NULL": 0,
    "IS_NOT_NULL": 0,
}

#: How ``--filter`` reads its value, for ``--help``.
FILTER_HELP = (
    "A condition PROPERTY OPERATOR [VALUE...], e.g. 'status = ERROR', 'name LIKE Orders%' or"
    " 'executionTime BETWEEN 2026-01-01 2026-01-02T12:00:00Z' (repeatable: all must hold). Quote the whole"
    " condition for the shell; a value with spaces gets its own inner quotes:"
    " --filter \"name = 'Orders - Shopify to SAP'\". Times are ISO 8601 with a zone (Z, +01:00), or a plain"
    " date meaning 00:00 UTC. Properties are checked against the snapshot."
)

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?")
_FORMS = "an ISO 8601 date (2026-01-02) or date-time with a zone (2026-01-02T03:04:05Z, 2026-01-02T03:04:05+01:00)"


def parse_time(text: str) -> datetime:
    """An ISO 8601 date-time with its zone, or a plain date meaning 00:00 UTC.

    Raises:
        ValueError: If ``text`` is neither, or a date-time has no zone (which zone was
            meant would be a guess, and Boomi refuses naive date-times anyway).
    """
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not {_FORMS}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"{text!r} has no time zone; add Z (UTC) or an offset such as +01:00")
    return parsed


class ZonedDateTime(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2 (setup.cfg: >=8.1)
    """A time option: ISO 8601 with a zone (``Z``, ``+01:00``), or a plain date meaning 00:00 UTC."""

    name = "datetime"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        """How ``--help`` shows the value."""
        return "YYYY-MM-DD|YYYY-MM-DDTHH:MM:SS(Z|+HH:MM)"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        """Parse ``value``; a usage error (exit 2) names the option and the accepted forms."""
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                self.fail(
                    f"{value.isoformat()!r} has no time zone; add Z (UTC) or an offset such as +01:00", param, ctx
                )
            return value
        try:
            return parse_time(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _argument(text: str) -> Argument:
    """A filter value: a time when it reads as one (sent as UTC with ``Z``), else the text as written."""
    if not _TIME.fullmatch(text):
        return text
    try:
        return parse_time(text)
    except ValueError as exc:
        raise QueryFilterError(f"filter value {exc}") from None


def parse_filters(filters: Sequence[str]) -> Expression | None:
    """Parse ``PROPERTY OPERATOR [VALUE...]`` conditions, joined with ``and``.

    Values are split as a shell splits words (quote a value with spaces); dates and
    date-times become times in UTC (see :func:`parse_time`).

    Raises:
        QueryFilterError: On a condition without an operator, an unclosed quote, or a time without a zone.
    """
    from boomi_soap.query import F

    expression: Expression | None = None
    for text in filters:
        try:
            words = shlex.split(text)
        except ValueError as exc:  # an unclosed quote
            raise QueryFilterError(f"filter {text!r}: {exc} (close the quote, or escape it)") from None
        if len(words) < 2:
            raise QueryFilterError(f"filter {text!r}: want PROPERTY OPERATOR [VALUE...]")
        prop, operator, *values = words
        name = _SYMBOLS.get(operator, operator.upper())
        wanted = _VALUES.get(name)
        if wanted is not None and len(values) != wanted:
            hint = " (quote a value with spaces: 'Orders - Shopify to SAP')" if len(values) > wanted > 0 else ""
            raise QueryFilterError(f"filter {text!r}: {name} takes {wanted} value(s), {len(values)} given{hint}")
        node = F(prop).op(name, *(_argument(v) for v in values))
        expression = node if expression is None else expression & node
    return expression


def pairs(values: Iterable[str], flag: str) -> dict[str, str]:
    """``NAME=VALUE`` options as a dict; a value without ``=`` is a usage error naming ``flag``."""
    found = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint=f"'{flag}'")
        found[name] = text
    return found


def read_input(source: str) -> tuple[bytes, str]:
    """The bytes of a file, or of stdin for ``-``; an unreadable file is a one-line error."""
    if source == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    try:
        return Path(source).read_bytes(), source
    except OSError as exc:
        raise click.ClickException(f"{source}: cannot read ({exc.strerror or exc})") from None


# -- object types and their fields, from the snapshot ----------------------------------------
_XS = "http://www.w3.org/2001/XMLSchema"


@cache
def _types(directory: Path, namespace: str) -> dict[str, frozenset[str]]:
    """The data schema's complex types, each with the names of its elements and attributes (bases included)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    declared: dict[str, tuple[set[str], set[str]]] = {}  # name -> (fields, base types)
    for path in sorted([*directory.glob("*.xsd"), *directory.glob("*.wsdl")]):
        try:
            root = etree.parse(str(path), parser=parser).getroot()
        except (OSError, etree.XMLSyntaxError):
            continue
        for schema in root.iter(f"{{{_XS}}}schema"):
            if schema.get("targetNamespace") != namespace:
                continue
            for complex_type in schema.iterfind(f"{{{_XS}}}complexType[@name]"):
                names = {e.get("name", "") for e in complex_type.iter(f"{{{_XS}}}element", f"{{{_XS}}}attribute")}
                bases = {b.get("base", "").rpartition(":")[2] for b in complex_type.iter(f"{{{_XS}}}extension")}
                declared[complex_type.get("name", "")] = (names - {""}, bases - {""})

    def fields(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        own, bases = declared.get(name, (set(), set()))
        return own.union(*(fields(b, seen | {name}) for b in bases if b not in seen))

    return {name: frozenset(fields(name)) for name in declared}


def _schema_types(client: Client) -> dict[str, frozenset[str]]:
    return _types(client.schema.directory, client.contract.data_namespace)


def _close(word: str, choices: Iterable[str]) -> str:
    found = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean {found[0]}?" if found else ""


def check_object_type(client: Client, object_type: str, *, where: str = "TYPE") -> None:
    """Refuse, before sending, a type the account's schema does not have (with a "did you mean").

    Raises:
        click.BadParameter: Naming ``where`` (the argument or flag) and the closest type.
    """
    types = _schema_types(client)
    if types and object_type not in types:
        raise click.BadParameter(
            f"{object_type!r} is not an object type of this account's schema{_close(object_type, types)}",
            param_hint=f"'{where}'",
        )


def check_fields(client: Client, object_type: str, names: Iterable[str], *, where: str) -> None:
    """Refuse, before sending, a field that ``object_type`` does not have (with a "did you mean").

    Raises:
        click.BadParameter: Naming ``where`` (the flag) and the closest field.
    """
    fields = _schema_types(client).get(object_type)
    if not fields:  # a type the check cannot read: the service judges
        return
    for name in names:
        if name not in fields:
            raise click.BadParameter(
                f"{object_type} has no field {name!r}{_close(name, fields)}", param_hint=f"'{where}'"
            )


def filter_properties(expression: Expression | None) -> list[str]:
    """The property names a filter expression uses."""
    from boomi_soap.query import Grouping, Simple

    if expression is None:
        return []
    if isinstance(expression, Simple):
        return [expression.property]
    assert isinstance(expression, Grouping)
    return [name for item in expression.items for name in filter_properties(item)]


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
    from lxml import etree

    from boomi_soap._xml.safe import parse_xml
    from boomi_soap.exceptions import JsonFormError

    if not data.strip():
        raise RequestRefusedError("object", f"{source}: empty input; give an object as XML or JSON")
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
        raise RequestRefusedError("object", f"{source}: neither XML nor JSON ({exc})") from None
    if not isinstance(fields, dict):
        raise RequestRefusedError("object", f"{source}: want a JSON object, not {type(fields).__name__}")
    name = object_type or fields.pop("@type", None)
    fields.pop("@type", None)
    if not isinstance(name, str) or not name:
        raise RequestRefusedError("object", f'{source}: say the object\'s type with "@type" or --type')
    return client.new_object(name, **{k: v for k, v in fields.items() if v is not None})
