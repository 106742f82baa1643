"""The REST wire: a validated request wrapper to a REST request record, a REST answer to the answer element.

Sans-IO: nothing here sends, sleeps or opens a socket.  :class:`RestWire` turns a
request wrapper (the element a SOAP call would put in its Body) into a
:class:`RestRequest` (method, URL, headers, XML or JSON body) with the account
contract's REST mapping (:mod:`boomi_soap.wire.restmap`), and reads the answer back
into the response wrapper the SOAP call would return, or raises the typed error of
the one fault table (:func:`boomi_soap.wire.faults.fault_error`).  No SOAP envelope is
built on the way.  The sync and the async facade share one instance per client, so
what they send and how they read it cannot drift apart.
"""

from __future__ import annotations

import base64
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Final
from urllib.parse import urlencode

from lxml import etree

from boomi_soap.credentials import Credentials
from boomi_soap.exceptions import JsonFormError, RequestRefusedError, ResponseError, SoapFaultError
from boomi_soap.wire.faults import fault_error
from boomi_soap.wire.records import CallRecord
from boomi_soap.wire.restmap import (
    JSON,
    XML,
    XML_ONLY,
    JsonBodies,
    RestCall,
    RestError,
    RestMap,
    error_message,
)

__all__ = ["CODES", "RestRequest", "RestWire", "rest_code"]

# REST status -> the fault code a SOAP call would carry (503 has none: rate limit or
# quota, which the fault table tells apart as it does for SOAP).
CODES: Final = {
    400: "INVALID_REQUEST",
    401: "AUTHENTICATION",
    403: "PERMISSION",
    404: "NOT_FOUND",
    405: "INVALID_REQUEST",
    410: "INVALID_REQUEST",
    415: "INVALID_REQUEST",
}
# Boomi answers an unknown id with 400 (its API errors page: "... does not exist"; its bulk
# pages: "No such process"): such a 400 is read as NOT_FOUND, as the SOAP fault would say.
_UNKNOWN_ID: Final = re.compile(
    r" with (?:id|requestId) .* does not exist|\btoken \S+ does not exist|^No (?:such|OAuth2) "
)
_TOKENS: Final = 1024  # queryTokens remembered, with the object type of their query


def rest_code(status: int, message: str) -> str | None:
    """The ``ApiFault`` code a SOAP call would carry for a REST error answer, if any."""
    return "NOT_FOUND" if status == 400 and _UNKNOWN_ID.search(message) else CODES.get(status)


def rest_error(operation: str, status: int, content: bytes, record: CallRecord) -> SoapFaultError:
    """The typed error a SOAP call would raise for this REST error answer (the one fault table)."""
    message = error_message(content)
    code = rest_code(status, message)
    return fault_error(
        operation,
        message,
        "S:Client" if code else "S:Server",
        None,
        status=record.status,
        attempts=record.attempts,
        code=code,
    )


@dataclass(frozen=True)
class RestRequest:
    """One REST request as sent: the call, its absolute URL and its headers (the auth header included).

    Attributes:
        call: The REST call (in the wire's body format).
        url: Root, path and query string.
        headers: What goes with it.
    """

    call: RestCall
    url: str
    headers: dict[str, str] = field(repr=False)  # HTTP Basic

    @property
    def method(self) -> str:
        """``GET``, ``POST`` or ``DELETE``."""
        return self.call.method

    @property
    def body(self) -> bytes:
        """The body (``b""``: none)."""
        return self.call.body


class RestWire:
    """Encodes request wrappers as REST requests and decodes REST answers, in XML or JSON.

    Attributes:
        restmap: The account contract's REST mapping.
        root: The account's REST root (``.../api/rest/v1/{accountId}``).
        json: The JSON bodies, or ``None`` for XML.
    """

    def __init__(
        self,
        restmap: RestMap,
        credentials: Credentials,
        root: str,
        *,
        json: JsonBodies | None = None,
        max_response_bytes: int,
        lenient: bool,
    ) -> None:
        """Build the wire for one account's credentials and REST root."""
        self.restmap = restmap
        self.root = root
        self.json = json
        self._max_bytes = max_response_bytes
        self._lenient = lenient
        pair = f"{credentials.username}:{credentials.secret}".encode()
        self._authorization = "Basic " + base64.b64encode(pair).decode("ascii")
        self._tokens: OrderedDict[str, str] = OrderedDict()
        self._tokens_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RestWire(root={self.root!r}, format={'json' if self.json else 'xml'!r})"

    # -- encode -------------------------------------------------------------------------
    def call_for(self, payload: etree._Element, operation: str = "call") -> RestCall:
        """The REST call of a validated request wrapper (in XML; nothing is sent).

        Raises:
            InvalidRequestError: If the operation has no REST form.
        """
        try:
            return self.restmap.request(payload, token_type=self._token_type(payload))
        except RestError as exc:
            raise RequestRefusedError(operation, f"over REST: {exc}") from None

    def encode(self, payload: etree._Element, operation: str = "call", *, root: str | None = None) -> RestRequest:
        """The request record of a validated request wrapper (nothing is sent).

        Raises:
            InvalidRequestError: If the operation has no REST form (or no JSON form, over JSON).
        """
        return self.outgoing(self.call_for(payload, operation), root)

    def outgoing(self, call: RestCall, root: str | None = None) -> RestRequest:
        """The request record of ``call`` in this wire's format, to ``root`` (default: the account's).

        Raises:
            InvalidRequestError: If the call has no JSON form and this wire speaks JSON.
        """
        call = self._as_json(call)
        url = (root or self.root) + call.path + (f"?{urlencode(dict(call.params))}" if call.params else "")
        headers = {"Authorization": self._authorization, "Accept": XML if self.json is None else JSON}
        if call.content_type is not None:
            headers["Content-Type"] = call.content_type
        return RestRequest(call, url, headers)

    def _as_json(self, call: RestCall) -> RestCall:
        if self.json is None:
            return call
        if call.object_type in XML_ONLY and call.operation in ("create", "update", "bulk"):
            raise RequestRefusedError(
                call.operation,
                f"{call.object_type} {call.operation} takes XML only on Boomi's REST API; use format='xml'",
            )
        if call.content_type != XML or not call.body:
            return call
        try:
            body = self.json.to_json(call.body)
        except (JsonFormError, RestError) as exc:
            raise RequestRefusedError(call.operation, f"no JSON form: {exc}") from None
        return replace(call, body=body, content_type=JSON)

    # -- decode -------------------------------------------------------------------------
    def as_xml(self, call: RestCall, status: int, content: bytes, attempts: int) -> bytes:
        """A successful JSON answer in its XML form, so the XML checks apply (any other answer unchanged).

        Raises:
            ResponseError: If the JSON answer does not fit the schema.
        """
        if self.json is None or not 200 <= status < 300 or call.operation == "openapi.json" or not content.strip():
            return content
        root = self.json.answer_root(call.operation, call.object_type)
        try:
            return self.json.from_json(content, root, max_bytes=self._max_bytes, lenient=self._lenient)
        except JsonFormError as exc:
            raise ResponseError(
                call.operation, f"HTTP {status}: the JSON answer does not fit the schema: {exc}", attempts=attempts
            ) from None

    def wrapper(self, call: RestCall, status: int, content: bytes, record: CallRecord) -> etree._Element | None:
        """The response wrapper of a REST answer in XML; ``None`` for an error answer (see :func:`rest_error`).

        Raises:
            ResponseError: If the answer cannot be read as the operation's answer.
        """
        missing = status == 404 or (status == 400 and _UNKNOWN_ID.search(error_message(content) or "") is not None)
        if not (200 <= status < 300 or (call.operation == "delete" and missing)):
            return None
        try:
            wrapper = self.restmap.response(call, content)
        except RestError as exc:
            raise ResponseError(record.operation, f"HTTP {status}: {exc}", attempts=record.attempts) from None
        if missing:  # delete of what does not exist: SOAP says successful=false
            for child in wrapper:
                child.text = "false"
        self._remember(call, wrapper)
        return wrapper

    def decode(self, request: RestRequest, status: int, content: bytes, record: CallRecord) -> etree._Element:
        """The response wrapper the SOAP call would return for this REST answer.

        Raises:
            ResponseError: If the answer cannot be read as the operation's answer.
            SoapFaultError: The typed error of a REST error answer (its subclasses).
        """
        content = self.as_xml(request.call, status, content, record.attempts)
        wrapper = self.wrapper(request.call, status, content, record)
        if wrapper is None:
            raise rest_error(record.operation, status, content, record)
        return wrapper

    # -- queryMore's object type --------------------------------------------------------
    def _token_type(self, payload: etree._Element) -> str | None:
        op = self.restmap.contract.by_request(str(etree.QName(payload)))
        if op is None or op.name != "queryMore":
            return None
        token = RestMap.token_of(payload)
        with self._tokens_lock:
            return self._tokens.get(token or "")

    def _remember(self, call: RestCall, wrapper: etree._Element) -> None:
        if call.operation not in ("query", "queryMore") or call.object_type is None:
            return
        token = RestMap.token_of(wrapper)
        if token:
            with self._tokens_lock:
                self._tokens[token] = call.object_type
                while len(self._tokens) > _TOKENS:
                    self._tokens.popitem(last=False)
