"""The REST-only calls: bulk GET, ExecutionRecord by request id, the account's OpenAPI description.

They have no WSDL operation, so they go around the call core: their REST request is
built here, sent by the sync driver (:class:`~boomi_soap._transports.sync.SafeTransport`)
through the same gate, retries and bounds as every call, with the client's REST wire's
HTTP Basic header, and the answer checked against the schema like every answer.
:func:`fault` is the SOAP fault standing for a REST error (the local service's and the
readers' tests use it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, Protocol
from urllib.parse import quote

import requests
from lxml import etree

from boomi_soap._transports.sync import CallRecord, SafeTransport
from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import (
    InvalidRequestError,
    JsonFormError,
    RequestValidationError,
    ResponseError,
    XMLInputError,
)
from boomi_soap.settings import ClientSettings
from boomi_soap.wire.bulk import BulkItem, BulkResults
from boomi_soap.wire.jsonform import loads
from boomi_soap.wire.rest import RestWire, rest_code, rest_error
from boomi_soap.wire.restmap import (
    XML,
    RestCall,
    check_bulk,
)
from boomi_soap.wire.tolerance import check_answer

if TYPE_CHECKING:
    from boomi_soap.settings import ClientSettings
    from boomi_soap.snapshot.contract import Contract
    from boomi_soap.validate import SchemaValidator
    from boomi_soap.wire.tolerance import Deviations


class RestCaller(Protocol):
    """What the REST-only calls need of the client that makes them."""

    settings: ClientSettings
    validator: SchemaValidator
    deviations: Deviations

    @property
    def contract(self) -> Contract:
        """The operations of the account's WSDL."""
        ...

    def from_xml(self, element: etree._Element) -> Any:
        """An answer's XML element as the client's objects."""
        ...


__all__ = ["BulkItem", "BulkResults", "bulk_get", "execution_record", "fault", "openapi"]

NS_ENVELOPE: Final = "http://schemas.xmlsoap.org/soap/envelope/"
NS_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
# The fault detail the client reads a stable code from (see boomi_soap.wire.faults).
NS_FAULT: Final = "http://api.platform.boomi.com/"


def fault(status: int, message: str) -> bytes:
    """A SOAP fault envelope standing for a REST error answer (the code a SOAP call would carry)."""
    envelope = etree.Element(f"{{{NS_ENVELOPE}}}Envelope", nsmap={"S": NS_ENVELOPE})
    body = etree.SubElement(envelope, f"{{{NS_ENVELOPE}}}Body")
    element = etree.SubElement(body, f"{{{NS_ENVELOPE}}}Fault")
    code = rest_code(status, message)
    side = "Client" if code is not None else "Server"
    etree.SubElement(element, "faultcode").text = f"S:{side}"
    etree.SubElement(element, "faultstring").text = message
    detail = etree.SubElement(element, "detail")
    if code is not None:
        info = etree.SubElement(detail, f"{{{NS_FAULT}}}ApiFault", nsmap={"ns2": NS_FAULT})
        etree.SubElement(info, "code").text = code
        etree.SubElement(info, "message").text = message
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


# -- REST-only calls --------------------------------------------------------------------


class _Rest:
    """A REST-only call's driver, wire and account gate."""

    def __init__(self, transport: SafeTransport, wire: RestWire | None, gate: str, operation: str) -> None:
        if wire is None:
            raise InvalidRequestError(operation, "REST-only: build the client with transport='rest'")
        self.transport, self.wire, self.gate = transport, wire, gate

    def begin(self, operation: str) -> CallRecord:
        return self.transport.begin(operation)

    def exchange(self, call: RestCall) -> requests.Response:
        """Send one REST request (gate, retries, bounds as for SOAP); the answer, JSON read as XML."""
        request = self.wire.outgoing(call)
        response = self.transport.send(
            request.method, request.url, request.body, request.headers, account_address=self.gate
        )
        attempts = self.transport._record().attempts
        response._content = self.wire.as_xml(request.call, response.status_code, response.content, attempts)
        return response


def _raise_for(client: RestCaller, operation: str, response: requests.Response, record: CallRecord) -> None:
    """Raise the typed error a SOAP call would raise for this REST error answer."""
    raise rest_error(operation, response.status_code, response.content, record)


def _answer(client: RestCaller, operation: str, response: requests.Response, record: CallRecord) -> etree._Element:
    try:
        root = parse_xml(response.content, source=f"{operation} answer")
    except XMLInputError:
        raise ResponseError(
            operation, f"HTTP {response.status_code}: the answer is not XML", attempts=record.attempts
        ) from None
    check_answer(
        client.validator, root, mode=client.settings.responses, operation=operation, deviations=client.deviations
    )
    return root


def _override(client: RestCaller) -> dict[str, str]:
    """``?overrideAccount=`` for a sub-account view (these calls have no wrapper to carry it)."""
    sub = getattr(client, "sub_account", None)
    return {"overrideAccount": sub} if sub else {}


def bulk_get(
    client: RestCaller, via: tuple[SafeTransport, RestWire | None, str], object_type: str, ids: Iterable[str]
) -> BulkResults:
    """``POST /{Object}/bulk`` with ``BulkRequest type="GET"``; see :meth:`Client.bulk_get`."""
    operation = "bulk"
    transport = _Rest(*via, operation)
    wanted = check_bulk(operation, ids)
    data = client.contract.data_namespace
    request = etree.Element(f"{{{data}}}BulkRequest", nsmap={"bns": data, "xsi": NS_XSI}, type="GET")
    for key in wanted:
        etree.SubElement(request, f"{{{data}}}request", {f"{{{NS_XSI}}}type": "bns:BulkId", "id": key})
    if client.settings.validate_requests:
        issues = tuple(client.validator.iter_errors(request, source="bulk request"))
        if issues:
            raise RequestValidationError(operation, issues)
    record = transport.begin(operation)
    body = etree.tostring(request, encoding="utf-8")
    path = f"/{quote(object_type, safe='')}/bulk"
    call = RestCall(operation, "POST", path, body, XML, params=_override(client), object_type=object_type)
    response = transport.exchange(call)
    if response.status_code != 200:
        _raise_for(client, operation, response, record)
    root = _answer(client, operation, response, record)
    if root.tag != f"{{{data}}}BulkResult":
        raise ResponseError(operation, f"the answer holds {etree.QName(root).localname}, not a BulkResult")
    items: list[BulkItem] = []
    for position, item in enumerate(root.iterfind(f"{{{data}}}response")):
        index = _integer(item, "index", position, record)
        key = item.get("id") or (wanted[index] if 0 <= index < len(wanted) else "")
        status = _integer(item, "statusCode", 200, record)
        found = item.find(f"{{{data}}}Result")
        if status == 200 and found is not None:
            items.append(BulkItem(key, index, status, client.from_xml(found)))
        else:
            items.append(BulkItem(key, index, status, error=item.get("errorMessage") or f"HTTP {status}"))
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


def execution_record(
    client: RestCaller, via: tuple[SafeTransport, RestWire | None, str], request_id: str
) -> tuple[Any, ...] | None:
    """``GET /ExecutionRecord/async/{requestId}``; see :meth:`Client.execution_record`."""
    operation = "ExecutionRecord/async"
    transport = _Rest(*via, operation)
    if not request_id:
        raise InvalidRequestError(operation, "give the request id of an ExecutionRequest")
    record = transport.begin(operation)
    path = f"/ExecutionRecord/async/{quote(request_id, safe='')}"
    response = transport.exchange(RestCall(operation, "GET", path, params=_override(client)))
    if response.status_code not in (200, 202):
        _raise_for(client, operation, response, record)
    if response.status_code == 202 and not response.content.strip():
        return None
    root = _answer(client, operation, response, record)
    if root.get("responseStatusCode") == "202":
        return None
    data = client.contract.data_namespace
    return tuple(client.from_xml(found) for found in root.iterfind(f"{{{data}}}result"))


def openapi(client: RestCaller, via: tuple[SafeTransport, RestWire | None, str]) -> dict[str, Any]:
    """``GET /openapi.json``: the account's OpenAPI description; see :meth:`Client.openapi`."""
    operation = "openapi.json"
    transport = _Rest(*via, operation)
    record = transport.begin(operation)
    response = transport.exchange(RestCall(operation, "GET", "/openapi.json"))
    if response.status_code != 200:
        _raise_for(client, operation, response, record)
    try:
        document = loads(response.content, max_bytes=client.settings.max_response_bytes)
    except JsonFormError as exc:
        raise ResponseError(operation, f"the answer is not JSON ({exc})", attempts=record.attempts) from None
    if not isinstance(document, dict) or "paths" not in document:
        raise ResponseError(operation, "the answer is not an OpenAPI description", attempts=record.attempts)
    return document
