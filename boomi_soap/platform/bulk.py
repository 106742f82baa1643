"""Bulk GET and the ProcessSchedules bulk UPDATE, over REST, and the loop that stands in for bulk GET over SOAP.

Boomi's bulk GET (``POST /{Object}/bulk``, up to 100 ids) exists only in REST; the WSDL
has no bulk operation.  A ``transport="rest"`` client sends it as one call to the
account's REST root through the caller's ``post_linked`` (its origin, credentials, rate
limiter and size cap; asked again after a failure, as every read is, see
:func:`boomi_soap.platform.reads.read`).  Over SOAP :func:`bulk_get` gets the ids one at a
time, each a real ``get`` through the client's rate limiter (so 100 ids take 20 s at
Boomi's 5 calls/s), and says so once at INFO.  Either way the answer is a
:class:`BulkResults` in request order, with the per-id errors Boomi's bulk answer gives
(an unknown id is a 400 item, not an exception).  :func:`update_schedules` is Boomi's one
bulk UPDATE (up to 15 ProcessSchedules), always REST.  Each is a generator of steps
(:mod:`boomi_soap.platform.steps`), so the sync and the async client run the same code.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from lxml import etree

from boomi_soap._xml.redact import redact_url
from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import (
    NotFoundError,
    RequestRefusedError,
    RequestValidationError,
    ResponseError,
)
from boomi_soap.platform import steps
from boomi_soap.platform.reads import answer_root, logged, override_query, read, url_of
from boomi_soap.platform.steps import Steps, drive
from boomi_soap.wire.bulk import BulkItem, BulkResults
from boomi_soap.wire.records import CallRecord
from boomi_soap.wire.rest import rest_error
from boomi_soap.wire.restmap import BULK_UPDATE_LIMIT, XML, XML_ONLY, check_bulk, error_message, rest_root

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Account, Caller

__all__ = [
    "BulkItem",
    "BulkResults",
    "bulk_get",
    "bulk_get_steps",
    "update_schedules",
    "update_schedules_steps",
]

_log = logging.getLogger("boomi_soap.bulk")
NS_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"


def bulk_get(client: Caller, object_type: str, ids: Iterable[str]) -> BulkResults:
    """Get up to 100 objects: one REST bulk call (``transport="rest"``), or one ``get`` per id over SOAP.

    An id the service does not know is a 400 item, as in Boomi's bulk answer; any other
    error (authentication, outage, a limit) is raised.

    Raises:
        InvalidRequestError: With no id, more than 100, or an id that is not a non-empty
            string (refused before sending); for a type Boomi has no bulk GET of.
    """
    return drive(client, bulk_get_steps(client, object_type, ids))


def bulk_get_steps(client: Account, object_type: str, ids: Iterable[str]) -> Steps[BulkResults]:
    """The steps of :func:`bulk_get`."""
    wanted = check_bulk("bulk", ids)
    if getattr(client, "transport", "soap") == "rest":
        return (yield from _rest_bulk_get(client, object_type, wanted))
    _log.info(
        "bulk %s over SOAP: the WSDL has no bulk operation, so %d GETs, one per id, under the rate limit",
        object_type,
        len(wanted),
    )
    items: list[BulkItem] = []
    for index, key in enumerate(wanted):
        try:
            items.append(BulkItem(key, index, 200, (yield steps.get(object_type, key))))
        except NotFoundError as exc:
            items.append(BulkItem(key, index, 400, error=exc.faultstring))
    return BulkResults(tuple(items))


def _rest_bulk_get(client: Account, object_type: str, wanted: Sequence[str]) -> Steps[BulkResults]:
    """``POST /{Object}/bulk`` with a ``BulkRequest type="GET"``, validated before it is sent."""
    operation = "bulk"
    if getattr(client, "format", "xml") == "json" and object_type in XML_ONLY:
        # Boomi's REST API takes this type in XML only; a JSON client is refused it, as for its writes.
        raise RequestRefusedError(
            operation, f"{object_type} {operation} takes XML only on Boomi's REST API; use format='xml'"
        )
    data = client.contract.data_namespace
    request = etree.Element(f"{{{data}}}BulkRequest", nsmap={"bns": data, "xsi": NS_XSI}, type="GET")
    for key in wanted:
        etree.SubElement(request, f"{{{data}}}request", {f"{{{NS_XSI}}}type": "bns:BulkId", "id": key})
    _validated(client, request, operation, "bulk request")
    url = url_of(client, f"/{quote(object_type, safe='')}/bulk", operation)
    record = CallRecord(operation)
    return (yield from logged(record, _sent_bulk_get(client, url, request, wanted, record)))


def _sent_bulk_get(
    client: Account, url: str, request: etree._Element, wanted: Sequence[str], record: CallRecord
) -> Steps[BulkResults]:
    operation, data, limit = record.operation, client.contract.data_namespace, client.settings.max_response_bytes
    body = etree.tostring(request, encoding="utf-8")
    step = steps.post_linked(url, body, content_type=XML, max_bytes=limit, operation=operation)
    status, answer = yield from read(client, step, record)
    if status != 200:
        raise rest_error(operation, status, answer, record)
    root = answer_root(client, operation, status, answer, record)
    if root.tag != f"{{{data}}}BulkResult":
        raise ResponseError(operation, f"the answer holds {etree.QName(root).localname}, not a BulkResult")
    items: list[BulkItem] = []
    for position, item in enumerate(root.iterfind(f"{{{data}}}response")):
        index = _integer(item, "index", position, record)
        key = item.get("id") or (wanted[index] if 0 <= index < len(wanted) else "")
        code = _integer(item, "statusCode", 200, record)
        found = item.find(f"{{{data}}}Result")
        if code == 200 and found is not None:
            items.append(BulkItem(key, index, code, client.from_xml(found)))
        else:
            items.append(BulkItem(key, index, code, error=item.get("errorMessage") or f"HTTP {code}"))
    return BulkResults(tuple(items))


def _integer(item: etree._Element, name: str, default: int, record: CallRecord) -> int:
    """An integer attribute of a bulk answer's item (``default`` when absent); a ResponseError if not one."""
    text = item.get(name)
    if text is None:
        return default
    value = text.strip()
    if not (value.isascii() and value.removeprefix("-").isdigit() and len(value) < 19):
        raise ResponseError("bulk", f"the answer's {name} is not an integer", attempts=record.attempts)
    return int(value)


def _validated(client: Account, request: etree._Element, operation: str, source: str) -> None:
    """Check a request the WSDL does not describe against the snapshot's schema, as every request is.

    Raises:
        RequestValidationError: If it does not fit (and the client validates requests).
    """
    validator = getattr(client, "validator", None)
    if client.settings.validate_requests and validator is not None:
        issues = tuple(validator.iter_errors(request, source=source))
        if issues:
            raise RequestValidationError(operation, issues)


def update_schedules(client: Caller, schedules: Sequence[Any]) -> BulkResults:
    """Update up to 15 ProcessSchedules in one call: Boomi's one bulk UPDATE (REST, whatever the transport).

    Each schedule is a ``ProcessSchedules`` object (zeep's, or the lxml element) as the
    UPDATE of one would send it: its ``id``, ``atomId``, ``processId`` and every schedule
    (an UPDATE replaces them all).  The request is validated against the snapshot's schema
    before it is sent; the answer has one item per schedule, in order, with the updated
    object or the per-item error.

    Raises:
        InvalidRequestError: With no schedule, more than 15, or one that is not a ProcessSchedules.
        RequestValidationError: If the request does not fit the schema.
        ResponseError: If the answer is not a ``BulkResult``.
    """
    return drive(client, update_schedules_steps(client, schedules))


def update_schedules_steps(client: Account, schedules: Sequence[Any]) -> Steps[BulkResults]:
    """The steps of :func:`update_schedules` (a write: sent once, never repeated)."""
    operation = "bulk update"
    if isinstance(schedules, str | bytes) or not 1 <= len(schedules) <= BULK_UPDATE_LIMIT:
        raise RequestRefusedError(operation, f"give 1 to {BULK_UPDATE_LIMIT} ProcessSchedules (a list)")
    data = client.contract.data_namespace
    request = etree.Element(f"{{{data}}}BulkRequest", nsmap={"bns": data, "xsi": NS_XSI}, type="UPDATE")
    for schedule in schedules:
        element = _schedule_element(client, schedule, data)
        element.tag = f"{{{data}}}request"
        element.set(f"{{{NS_XSI}}}type", "bns:ProcessSchedules")
        request.append(element)
    _validated(client, request, operation, "bulk update request")
    if not hasattr(client, "post_linked"):
        raise RequestRefusedError(operation, "this client cannot POST to the account's REST root")
    url = f"{rest_root(client.address)}/ProcessSchedules/bulk{override_query(client)}"
    status, body = yield steps.post_linked(
        url,
        etree.tostring(request, encoding="utf-8"),
        content_type=XML,
        max_bytes=client.settings.max_response_bytes,
        operation=operation,
    )
    if status != 200:
        raise ResponseError(operation, f"HTTP {status} from {redact_url(url)}: {error_message(body)}")
    root = parse_xml(body, source=f"{operation} answer")
    if root.tag != f"{{{data}}}BulkResult":
        raise ResponseError(operation, f"the answer holds {etree.QName(root).localname}, not a BulkResult")
    items: list[BulkItem] = []
    for position, item in enumerate(root.iterfind(f"{{{data}}}response")):
        key = item.get("id", "")
        code = int(item.get("statusCode", "200")) if item.get("statusCode", "200").isdigit() else 0
        found = item.find(f"{{{data}}}Result")
        if code == 200 and found is not None:
            found.tag = f"{{{data}}}ProcessSchedules"
            items.append(BulkItem(key, position, code, client.from_xml(found)))
        else:
            items.append(BulkItem(key, position, code, error=item.get("errorMessage") or f"HTTP {code}"))
    return BulkResults(tuple(items))


def _schedule_element(client: Account, schedule: Any, data: str) -> etree._Element:
    """A ProcessSchedules as the element an UPDATE of it sends (a copy; the caller's object is untouched)."""
    if isinstance(schedule, etree._Element):
        if schedule.tag != f"{{{data}}}ProcessSchedules":
            raise RequestRefusedError(
                "bulk update", f"expected a ProcessSchedules, not {etree.QName(schedule).localname}"
            )
        return copy.deepcopy(schedule)
    if type(schedule).__name__ != "ProcessSchedules":
        raise RequestRefusedError("bulk update", f"expected a ProcessSchedules, not {type(schedule).__name__}")
    envelope = getattr(client, "envelope", None)
    if envelope is None:
        raise RequestRefusedError("bulk update", "give the ProcessSchedules as lxml elements to this client")
    wrapper = envelope("update", object=schedule)  # the UPDATE this schedule would be: zeep renders it, exactly
    found = next(iter(wrapper.iterfind(".//{*}update/{*}object")), None)
    if found is None:
        raise RequestRefusedError("bulk update", "the UPDATE of this schedule holds no object")
    element: etree._Element = copy.deepcopy(found)
    return element
