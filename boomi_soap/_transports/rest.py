"""The RESTish transport: the same client calls, sent to ``/api/rest/v1/{accountId}``.

zeep (or :meth:`~boomi_soap.client.Client.call_xml`) builds and validates the SOAP
request exactly as for SOAP; :class:`RestTransport` takes the request wrapper out of
the envelope (the WS-Security header is dropped; HTTP Basic auth carries the same
credentials), sends its REST form (:mod:`boomi_soap.wire.restmap`) through the same gate,
retries and bounds as SOAP calls, and hands zeep back a SOAP envelope holding the
response wrapper, or a fault carrying the REST error.  Answer validation, typed
results, paging, fault mapping and the at-most-once rules are then the SOAP path's.

REST-only calls (:func:`bulk_get`, :func:`execution_record`, :func:`openapi`) go
through the same transport.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, Protocol
from urllib.parse import quote

import requests
from lxml import etree

from boomi_soap._transports.sync import CallRecord, SafeTransport
from boomi_soap._xml.redact import debug_body, redact_headers, redact_url
from boomi_soap._xml.safe import parse_xml
from boomi_soap.credentials import Credentials
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
    JsonBodies,
    RestCall,
    RestMap,
    check_bulk,
    error_message,
    rest_root,
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


__all__ = ["BulkItem", "BulkResults", "RestTransport", "bulk_get", "execution_record", "fault", "openapi"]

NS_ENVELOPE: Final = "http://schemas.xmlsoap.org/soap/envelope/"
NS_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
# The fault detail the client reads a stable code from (see boomi_soap.wire.faults).
NS_FAULT: Final = "http://api.platform.boomi.com/"


class RestTransport(SafeTransport):
    """A :class:`~boomi_soap._transports.sync.SafeTransport` that speaks Boomi's RESTish API."""

    def __init__(
        self,
        settings: ClientSettings,
        session: requests.Session | None,
        *,
        restmap: RestMap,
        credentials: Credentials,
        soap_address: str,
        json: JsonBodies | None = None,
    ) -> None:
        """Build the transport.

        Args:
            settings: As for SOAP.
            session: HTTP session (a new one by default).
            restmap: The account contract's REST mapping.
            credentials: Sent as HTTP Basic auth (``BOOMI_TOKEN.<email>`` + token, or user + password).
            soap_address: The account's SOAP endpoint; the REST root is derived from it,
                and its account gate counts REST calls.
            json: Send and read JSON through these (``None``: XML).
        """
        super().__init__(settings, session)
        self.restmap = restmap
        self.soap_address = soap_address
        self.root = rest_root(soap_address)
        self.json = json
        self.wire = RestWire(
            restmap,
            credentials,
            self.root,
            json=json,
            max_response_bytes=settings.max_response_bytes,
            lenient=settings.responses != "strict",
        )

    def __repr__(self) -> str:
        return f"RestTransport(root={self.root!r})"

    # -- the REST exchange --------------------------------------------------------------
    def exchange(self, call: RestCall) -> requests.Response:
        """Send one REST request (gate, retries, bounds as for SOAP); the raw answer."""
        call, url, headers = self.outgoing(call)
        response = self.send(call.method, url, call.body, headers, account_address=self.soap_address)
        response._content = self.read_json(call, response.status_code, response.content, self._record().attempts)
        return response

    def outgoing(self, call: RestCall, root: str | None = None) -> tuple[RestCall, str, dict[str, str]]:
        """What is sent for ``call`` (nothing is): the call in this transport's format, its URL and headers.

        Raises:
            InvalidRequestError: If the call has no JSON form and this transport speaks JSON.
        """
        request = self.wire.outgoing(call, root)
        return request.call, request.url, request.headers

    def read_json(self, call: RestCall, status: int, content: bytes, attempts: int) -> bytes:
        """A successful JSON answer in its XML form (:meth:`RestWire.as_xml`)."""
        return self.wire.as_xml(call, status, content, attempts)

    def post(self, address: str, message: bytes | str, headers: dict[str, str]) -> requests.Response:
        """Send a SOAP envelope's request wrapper as REST; answer with a SOAP envelope.

        Raises:
            InvalidRequestError: If the operation has no REST form.
            ResponseError: If the REST answer cannot be read as the operation's answer.
        """
        record = self._record()
        call = self.translate(message, record.operation)
        response = self.exchange(call)
        record.mapped = True
        response.status_code, response._content = self.answer(call, response.status_code, response.content, record)
        response.headers["Content-Type"] = "text/xml; charset=utf-8"
        return response

    def answer(self, call: RestCall, status: int, content: bytes, record: CallRecord) -> tuple[int, bytes]:
        """The SOAP status and envelope zeep reads for a REST answer (in XML): the response wrapper, or a fault.

        Raises:
            ResponseError: If the answer cannot be read as the operation's answer.
        """
        wrapper = self.wire.wrapper(call, status, content, record)
        if wrapper is None:
            return 503 if status == 503 else 500, fault(status, error_message(content))
        return 200, _envelope(wrapper)

    def translate(self, message: bytes | str, operation: str = "call") -> RestCall:
        """The REST request for a validated SOAP request envelope (nothing is sent).

        Raises:
            InvalidRequestError: If the operation has no REST form.
        """
        try:
            envelope = parse_xml(message if isinstance(message, bytes) else message.encode(), source="request")
        except XMLInputError as exc:  # our own envelope: a bug, said plainly
            raise InvalidRequestError(operation, f"the request envelope is unreadable: {exc}") from None
        body = envelope.find(f"{{{NS_ENVELOPE}}}Body")
        payload = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
        if payload is None:
            raise InvalidRequestError(operation, "the request envelope has no Body child")
        return self.wire.call_for(payload, operation)

    def prepare(self, call: RestCall) -> requests.PreparedRequest:
        """The HTTP request :meth:`exchange` sends for ``call`` (auth header included; nothing is sent)."""
        call, url, headers = self.outgoing(call)
        return self.session.prepare_request(requests.Request(call.method, url, data=call.body, headers=headers))

    def describe(self, envelope: etree._Element) -> str:
        """The REST request a validated envelope becomes, for a dry run: method, URL, headers, body, secrets masked."""
        prepared = self.prepare(self.translate(etree.tostring(envelope, encoding="utf-8")))
        body = prepared.body or b""
        shown = debug_body(body if isinstance(body, bytes) else body.encode(), self.client_settings.debug_body_limit)
        return f"{prepared.method} {redact_url(prepared.url or '')}\n{redact_headers(prepared.headers)}\n\n{shown}\n"


def _envelope(wrapper: etree._Element) -> bytes:
    envelope = etree.Element(f"{{{NS_ENVELOPE}}}Envelope", nsmap={"S": NS_ENVELOPE})
    etree.SubElement(envelope, f"{{{NS_ENVELOPE}}}Body").append(wrapper)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


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


def _rest(transport: object, operation: str) -> RestTransport:
    if not isinstance(transport, RestTransport):
        raise InvalidRequestError(operation, "REST-only: build the client with transport='rest'")
    return transport


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


def bulk_get(client: RestCaller, transport: object, object_type: str, ids: Iterable[str]) -> BulkResults:
    """``POST /{Object}/bulk`` with ``BulkRequest type="GET"``; see :meth:`Client.bulk_get`."""
    operation = "bulk"
    transport = _rest(transport, operation)
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


def execution_record(client: RestCaller, transport: object, request_id: str) -> tuple[Any, ...] | None:
    """``GET /ExecutionRecord/async/{requestId}``; see :meth:`Client.execution_record`."""
    operation = "ExecutionRecord/async"
    transport = _rest(transport, operation)
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


def openapi(client: RestCaller, transport: object) -> dict[str, Any]:
    """``GET /openapi.json``: the account's OpenAPI description; see :meth:`Client.openapi`."""
    operation = "openapi.json"
    transport = _rest(transport, operation)
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
