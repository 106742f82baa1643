"""One mapping between SOAP operation wrappers and Boomi's RESTish API, used both ways.

Boomi serves the same schema over SOAP and over ``/api/rest/v1/{accountId}``.  The
client keeps building and validating the SOAP request wrapper and translates it
here into a REST request (:meth:`RestMap.request`), then reads the REST answer back
into the operation's response wrapper (:meth:`RestMap.response`), so every check
made on SOAP answers applies unchanged.  The local service runs the same mapping
the other way (:meth:`RestMap.parse` and :meth:`RestMap.answer`) and dispatches to
its SOAP handlers: one set of semantics, and a symmetric bug shows up against the
OpenAPI document (``tests/boomi_soap/wire/test_restmap.py``), not just in a round trip.

Nothing here assumes a namespace layout: wrapper and child names come from the
snapshot's :class:`~boomi_soap.snapshot.contract.Contract`.

Paths (relative to ``/api/rest/v1/{accountId}``; Boomi's OpenAPI document)::

    get                GET    /{Object}/{id}
    query              POST   /{Object}/query        QueryConfig (or empty)
    queryMore          POST   /{Object}/queryMore    the bare token, text/plain
    create             POST   /{Object}              the object
    update             POST   /{Object}/{id}         the object
    delete             DELETE /{Object}/{id}         200, no body
    executeProcess     POST   /executeProcess        ProcessExecutionRequest; 200, no body
    getAssignableRoles GET    /getAssignableRoles
    cancelExecution    POST   /cancelExecution/{executionId}   202
    changeListenerStatus POST /changeListenerStatus  ChangeListenerStatusRequest; 200, no body
    execute            POST   /{Action}/execute/{id}  the object (EXECUTE_PATHS: ClearQueue, JavaRollback ...)
    (REST only)        POST   /{Object}/bulk         BulkRequest -> BulkResult
    (REST only)        GET    /ExecutionRecord/async/{requestId}   202 until the record exists

``executeProcess`` is Boomi's how-to ("Execute Process operation"), not in the
OpenAPI document.  The Partner API's sub-account child (``accountId``) travels as
``?overrideAccount=``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, unquote

from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import (
    JsonFormError,
    RequestRefusedError,
    RestError,
    UnknownRouteError,
    XMLInputError,
)
from boomi_soap.snapshot.contract import Contract, Operation, tag_of

if TYPE_CHECKING:
    from boomi_soap.wire.jsonform import JsonForm

__all__ = [
    "BULK_LIMIT",
    "BULK_UPDATE_LIMIT",
    "EXECUTE_PATHS",
    "JSON",
    "REST_ONLY",
    "XML_ONLY",
    "JsonBodies",
    "RestCall",
    "RestError",
    "RestMap",
    "UnknownRouteError",
    "check_bulk",
    "error_body",
    "error_message",
    "rest_root",
]

NS_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
_XSI_TYPE: Final = f"{{{NS_XSI}}}type"
XML: Final = "application/xml"
TEXT: Final = "text/plain; charset=utf-8"
BULK_LIMIT: Final = 100
BULK_UPDATE_LIMIT: Final = 15  # only ProcessSchedules takes a bulk UPDATE, at most 15 (Boomi's reference)
REST_ONLY: Final = ("bulk", "ExecutionRecord/async", "openapi.json")
_OVERRIDE: Final = "overrideAccount"
# Operations whose answer carries no body on REST: their response wrapper is empty.
_EMPTY_ANSWER: Final = {"executeProcess": 200, "cancelExecution": 202, "changeListenerStatus": 200}
# The EXECUTE actions: the object's type -> (the path's object name, the attribute naming the path's id).
EXECUTE_PATHS: Final = {
    "ClearQueueRequest": ("ClearQueue", "AtomId"),
    "JavaRollback": ("JavaRollback", "atomId"),
    "MergeRequest": ("MergeRequest", "id"),
    "EnvironmentMapExtension": ("EnvironmentMapExtension", "id"),
}


@dataclass(frozen=True)
class RestCall:
    """One REST request, relative to the account's REST root.

    Attributes:
        operation: The SOAP operation it stands for.
        method: ``GET``, ``POST`` or ``DELETE``.
        path: Path below the root, segments percent-encoded (``/Environment/abc``).
        body: The request body (``b""``: none).
        content_type: The body's media type, if there is a body.
        params: Query parameters (``overrideAccount``).
        object_type: The object type the call is about, if any.
    """

    operation: str
    method: str
    path: str
    body: bytes = field(default=b"", repr=False)  # it may hold an object's secret fields
    content_type: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    object_type: str | None = None


def rest_root(soap_address: str) -> str:
    """The REST root of a SOAP endpoint: ``.../api/soap/v1/{id}`` becomes ``.../api/rest/v1/{id}``.

    Raises:
        RestError: If the address is not a SOAP endpoint.
    """
    head, found, tail = soap_address.rpartition("/api/soap/v1/")
    if not found:
        raise RestError(f"{soap_address} is not an /api/soap/v1/ endpoint; no REST root to derive")
    return f"{head}/api/rest/v1/{tail}"


def error_body(message: str) -> bytes:
    """Boomi's XML error body, ``<error><message>...</message></error>``."""
    root = etree.Element("error")
    etree.SubElement(root, "message").text = message
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def error_message(body: bytes) -> str:
    """The message of a REST error body in any of Boomi's three shapes, else a short excerpt.

    ``<error><message>``, ``{"@type": "Error", "message": ...}`` and ``{"message": ...}``
    (also ``{"error": {"message": ...}}``).
    """
    text = body.strip()
    if text.startswith(b"{"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than json reads
            data = None
        if isinstance(data, dict):
            inner = data.get("error")
            found = inner.get("message") if isinstance(inner, dict) else data.get("message")
            if isinstance(found, str) and _one_line(found):
                return _one_line(found)[:_MESSAGE]
    elif text.startswith(b"<"):
        try:
            root = parse_xml(text, source="REST error")
        except XMLInputError:
            root = None
        if root is not None:
            found = root.findtext("message") if root.tag != "message" else root.text
            if found is None:
                found = next(
                    (e.text for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "message"),
                    None,
                )
            if found and _one_line(found):
                return _one_line(found)[:_MESSAGE]
    excerpt = _one_line(text[:200].decode("utf-8", "replace"))
    return excerpt or "no message"


_MESSAGE: Final = 2000
"""Longest error message kept from an answer."""


def _one_line(text: str) -> str:
    """``text`` on one line, without what an XML fault or a terminal should not carry.

    What is not printable (control characters and line breaks, lone surrogates,
    U+FFFE and U+FFFF) becomes a space: the message goes into a SOAP fault (XML) and
    into one-line errors.
    """
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


class RestMap:
    """The REST form of a contract's operations."""

    def __init__(self, contract: Contract) -> None:
        """Map the operations of ``contract``."""
        self.contract = contract
        self.data = contract.data_namespace

    # -- helpers ----------------------------------------------------------------------
    def _op(self, name: str) -> Operation:
        found = self.contract.operations.get(name)
        if found is None:
            raise RestError(f"this account's WSDL has no {name} operation")
        return found

    def _d(self, local: str) -> str:
        return f"{{{self.data}}}{local}"

    def _text(self, payload: etree._Element, op: Operation, name: str) -> str | None:
        child = op.input(name)
        found = payload.find(child.tag) if child is not None else None
        text = (found.text or "").strip() if found is not None else ""
        return text or None

    def _params(self, payload: etree._Element, op: Operation) -> dict[str, str]:
        override = self.contract.override
        value = self._text(payload, op, override) if override else None
        return {_OVERRIDE: value} if value else {}

    def _xsi_type(self, element: etree._Element) -> str:
        prefix, _, local = element.get(f"{{{NS_XSI}}}type", "").rpartition(":")
        if not local or element.nsmap.get(prefix or None) != self.data:
            raise RestError(f"{etree.QName(element).localname} has no xsi:type of the data schema")
        return local

    def _object_body(self, element: etree._Element, type_name: str) -> bytes:
        """The object element as a REST body: root ``{data}Type``, no ``xsi:type``."""
        root = etree.Element(self._d(type_name), nsmap={"bns": self.data, "xsi": NS_XSI})
        root.attrib.update({k: v for k, v in element.attrib.items() if k != f"{{{NS_XSI}}}type"})
        root.text = element.text
        for child in element:
            graft(root, child)
        return etree.tostring(root, encoding="utf-8")

    def _object_element(self, source: etree._Element, tag: str, parent: etree._Element | None) -> etree._Element:
        """A REST object (root ``{data}Type``) as a wrapper child ``tag`` with ``xsi:type``."""
        type_name = etree.QName(source).localname
        if etree.QName(source).namespace != self.data:
            raise RestError(f"the body's root {tag_of(source)} is not an object of the data schema")
        nsmap = {"bns": self.data, "xsi": NS_XSI}
        element = etree.Element(tag, nsmap=nsmap) if parent is None else etree.SubElement(parent, tag, nsmap=nsmap)
        element.set(f"{{{NS_XSI}}}type", f"bns:{type_name}")
        element.attrib.update(source.attrib)
        element.text = source.text
        for child in source:
            graft(element, child)
        return element

    @staticmethod
    def _id_of(element: etree._Element, type_name: str) -> str | None:
        """The id of an object for its ``/{Object}/{id}`` path: ``id``, ``{type}Id``, ``componentId``, else ``...Id``.

        ``componentId`` before the rest: a component's path names it (``/TradingPartnerComponent/{componentId}``),
        and its ``branchId`` sorts first.
        """
        lowered = type_name[:1].lower() + type_name[1:]
        for name in ("id", f"{lowered}Id", "componentId"):
            value = element.get(name) or element.findtext(name) or element.findtext(f"{{*}}{name}")
            if value:
                return value
        return next((v for k, v in sorted(element.attrib.items()) if k.endswith("Id") and v), None)

    # -- client side: wrapper -> REST request ------------------------------------------
    def request(self, payload: etree._Element, *, token_type: str | None = None) -> RestCall:
        """The REST request for a validated request wrapper.

        Args:
            payload: The operation's request wrapper (the SOAP Body's child).
            token_type: For ``queryMore``: the object type the token's query was about
                (REST names it in the path; SOAP does not send it).

        Raises:
            RestError: If the operation has no REST form here.
        """
        op = self.contract.by_request(tag_of(payload))
        if op is None:
            raise RestError(f"{tag_of(payload)} is not an operation wrapper of this account's WSDL")
        params = self._params(payload, op)
        name = op.name
        if name in ("get", "delete"):
            kind, key = self._text(payload, op, "objectType"), self._text(payload, op, "objectId")
            if not kind or not key:
                raise RestError(f"{name} needs objectType and objectId")
            method = "GET" if name == "get" else "DELETE"
            return RestCall(name, method, f"/{_seg(kind)}/{_seg(key)}", params=params, object_type=kind)
        if name == "query":
            kind = self._text(payload, op, "objectType")
            if not kind:
                raise RestError("query needs objectType")
            config_child = op.input("queryConfig")
            config = payload.find(config_child.tag) if config_child is not None else None
            body = b""
            if config is not None:
                root = etree.Element(self._d("QueryConfig"), nsmap={"bns": self.data, "xsi": NS_XSI})
                root.attrib.update(config.attrib)
                typed = config.get(f"{{{NS_XSI}}}type")
                if typed is not None:
                    # An xsi:type value is a QName of the wrapper's scope: the new root declares its own prefixes.
                    prefix, _, local = typed.rpartition(":")
                    if config.nsmap.get(prefix or None) == self.data:
                        root.set(f"{{{NS_XSI}}}type", f"bns:{local}")
                for child in config:
                    graft(root, child)
                body = etree.tostring(root, encoding="utf-8")
            return RestCall(name, "POST", f"/{_seg(kind)}/query", body, XML, params, kind)
        if name == "queryMore":
            token = self._text(payload, op, "queryToken")
            if not token:
                raise RestError("queryMore needs a queryToken")
            if not token_type:
                raise RestError("queryMore over REST needs the object type of the query the token came from")
            return RestCall(name, "POST", f"/{_seg(token_type)}/queryMore", token.encode(), TEXT, params, token_type)
        if name in ("create", "update"):
            slot = op.input("object")
            element = payload.find(slot.tag) if slot is not None else None
            if element is None:
                raise RestError(f"{name} needs an object")
            kind = self._xsi_type(element)
            path = f"/{_seg(kind)}"
            if name == "update":
                key = self._id_of(element, kind)
                if not key:
                    raise RestError(f"update of {kind} needs the object's id")
                path += f"/{_seg(key)}"
            return RestCall(name, "POST", path, self._object_body(element, kind), XML, params, kind)
        if name == "executeProcess":
            root = etree.Element(self._d("ProcessExecutionRequest"), nsmap={None: self.data})
            for attribute in ("processId", "processName", "atomId"):
                value = self._text(payload, op, attribute)
                if value is not None:
                    root.set(attribute, value)
            bag = payload.find(self._d("ProcessProperties"))
            if bag is not None:
                graft(root, bag)
            return RestCall(name, "POST", "/executeProcess", etree.tostring(root, encoding="utf-8"), XML, params)
        if name == "getAssignableRoles":
            return RestCall(name, "GET", "/getAssignableRoles", params=params)
        if name == "cancelExecution":
            key = self._text(payload, op, "executionId")
            if not key:
                raise RestError("cancelExecution needs an executionId")
            return RestCall(name, "POST", f"/cancelExecution/{_seg(key)}", params=params)
        if name == "changeListenerStatus":
            found = payload.find(self._d("ChangeListenerStatusRequest"))
            if found is None:
                raise RestError("changeListenerStatus needs a ChangeListenerStatusRequest")
            body = self._object_body(found, "ChangeListenerStatusRequest")
            return RestCall(name, "POST", "/changeListenerStatus", body, XML, params)
        if name == "execute":
            slot = op.input("object")
            element = payload.find(slot.tag) if slot is not None else None
            if element is None:
                raise RestError("execute needs an object")
            kind = self._xsi_type(element)
            if kind not in EXECUTE_PATHS:
                raise RestError(f"execute of {kind} has no REST form (known: {', '.join(EXECUTE_PATHS)})")
            path_object, id_attribute = EXECUTE_PATHS[kind]
            key = element.get(id_attribute) or ""
            if not key:
                raise RestError(f"execute of {kind} needs its {id_attribute}")
            path = f"/{path_object}/execute/{_seg(key)}"
            return RestCall(name, "POST", path, self._object_body(element, kind), XML, params, kind)
        raise RestError(f"the {name} operation has no REST form in this client")

    # -- client side: REST answer -> response wrapper ----------------------------------
    def response(self, call: RestCall, body: bytes) -> etree._Element:
        """The operation's response wrapper for a successful REST answer (2xx).

        Raises:
            RestError: If the answer is not what the operation answers on REST.
        """
        op = self._op(call.operation)
        wrapper = etree.Element(op.response, nsmap={"bns": self.data, "xsi": NS_XSI})
        name = op.name
        if name == "delete":
            etree.SubElement(wrapper, _out(op, "successful")).text = "true"
            return wrapper
        if name in _EMPTY_ANSWER:
            return wrapper
        root = _read(body, name)
        if name in ("query", "queryMore"):
            if tag_of(root) != self._d("QueryResult"):
                raise RestError(f"the {name} answer holds {tag_of(root)}, not a QueryResult")
            results = etree.SubElement(wrapper, _out(op, "results"))
            results.attrib.update(root.attrib)
            for child in root:
                graft(results, child)
            return wrapper
        self._adopt(root, _out(op, "result"), wrapper)
        return wrapper

    def _adopt(self, root: etree._Element, tag: str, parent: etree._Element) -> None:
        """:meth:`_object_element` for a REST answer's own root: moved, not copied (the answer is read once).

        The whole document moves, so every declaration its ``xsi:type`` values need moves
        with it; the element is renamed ``tag`` and given the ``xsi:type`` of its old name.
        """
        if None in root.nsmap or not tag.startswith("{"):
            # An unqualified name in the scope of a default namespace would change its meaning: copied.
            self._object_element(root, tag, parent)
            return
        type_name = etree.QName(root).localname
        if etree.QName(root).namespace != self.data:
            raise RestError(f"the body's root {tag_of(root)} is not an object of the data schema")
        parent.append(root)
        root.tag = tag
        if root.get(_XSI_TYPE) is None:  # a copy would take the body's own, as _object_element does
            prefix = next(p for p, uri in root.nsmap.items() if uri == self.data)  # the parent declares one
            root.set(_XSI_TYPE, f"{prefix}:{type_name}" if prefix else type_name)

    @staticmethod
    def token_of(wrapper: etree._Element) -> str | None:
        """The ``queryToken`` of a query or queryMore response wrapper, if it has one."""
        found = next((e for e in wrapper.iter() if isinstance(e.tag, str) and e.tag.endswith("}queryToken")), None)
        return (found.text or "").strip() or None if found is not None else None

    # -- service side: REST request -> wrapper ---------------------------------------
    def parse(self, method: str, path: str, params: Mapping[str, str], body: bytes) -> etree._Element:
        """The request wrapper a REST request stands for (the service's side).

        Args:
            method: The HTTP method.
            path: The path below the account's REST root (percent-encoded).
            params: Query parameters.
            body: The request body.

        Raises:
            RestError: If the request is not a REST call this mapping knows.
        """
        parts = [unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []
        values: dict[str, str | etree._Element] = {}
        head = parts[0] if parts else ""
        if method == "POST" and parts == ["executeProcess"]:
            name = "executeProcess"
            root = _read(body, name)
            if etree.QName(root).localname != "ProcessExecutionRequest" or etree.QName(root).namespace != self.data:
                raise RestError("executeProcess takes a ProcessExecutionRequest body")
            for attribute in ("processId", "processName", "atomId"):
                if root.get(attribute):
                    values[attribute] = root.get(attribute, "")
            bag = root.find(self._d("ProcessProperties"))
            if bag is not None:
                values["ProcessProperties"] = bag
        elif method == "GET" and parts == ["getAssignableRoles"]:
            name = "getAssignableRoles"
        elif method == "POST" and len(parts) == 2 and head == "cancelExecution":
            name, values["executionId"] = "cancelExecution", parts[1]
        elif method == "GET" and len(parts) == 2:
            name, values["objectType"], values["objectId"] = "get", head, parts[1]
        elif method == "DELETE" and len(parts) == 2:
            name, values["objectType"], values["objectId"] = "delete", head, parts[1]
        elif method == "POST" and len(parts) == 2 and parts[1] == "query":
            name, values["objectType"] = "query", head
            if body.strip():
                root = _read(body, name)
                if tag_of(root) != self._d("QueryConfig"):
                    raise RestError(f"query takes a QueryConfig body, not {etree.QName(root).localname}")
                values["queryConfig"] = root
        elif method == "POST" and len(parts) == 2 and parts[1] == "queryMore":
            name = "queryMore"
            token = body.decode("utf-8", "replace").strip()
            if not token:
                raise RestError("queryMore takes the queryToken as a text/plain body")
            values["queryToken"] = token
        elif method == "POST" and len(parts) in (1, 2):
            name = "create" if len(parts) == 1 else "update"
            root = _read(body, name)
            if etree.QName(root).localname != head:
                raise RestError(f"the body holds {etree.QName(root).localname}, not the {head} of the path")
            if name == "update":
                key = self._id_of(root, head)
                if key is not None and key != parts[1]:
                    raise RestError(f"the body's id {key} is not the id {parts[1]} of the path")
            values["object"] = root
        else:
            raise UnknownRouteError(f"{method} {path} is not a REST call of this service")
        override = self.contract.override
        if override and params.get(_OVERRIDE):
            values[override] = params[_OVERRIDE]
        return self._wrapper(self._op(name), values)

    def _wrapper(self, op: Operation, values: Mapping[str, str | etree._Element]) -> etree._Element:
        """Build ``op``'s request wrapper with its children in schema order."""
        wrapper = etree.Element(op.request, nsmap={"bns": self.data, "xsi": NS_XSI})
        for child in op.inputs:
            value = values.get(child.name)
            if value is None:
                continue
            if isinstance(value, str):
                etree.SubElement(wrapper, child.tag).text = value
            elif child.name == "object":
                self._object_element(value, child.tag, wrapper)
            else:
                copied = etree.SubElement(wrapper, child.tag)
                copied.attrib.update(value.attrib)
                for grandchild in value:
                    graft(copied, grandchild)
        return wrapper

    # -- service side: response wrapper -> REST answer --------------------------------
    def answer(self, operation: str, wrapper: etree._Element) -> tuple[int, bytes]:
        """The REST status and XML body for an operation's response wrapper (the service's side)."""
        op = self._op(operation)
        if operation == "delete" or operation in _EMPTY_ANSWER:
            return _EMPTY_ANSWER.get(operation, 200), b""
        if operation in ("query", "queryMore"):
            found = wrapper.find(_out(op, "results"))
            root = etree.Element(self._d("QueryResult"), nsmap={"bns": self.data, "xsi": NS_XSI})
            if found is not None:
                root.attrib.update(found.attrib)
                for child in found:
                    graft(root, child)
            return 200, etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        result = wrapper.find(_out(op, "result"))
        if result is None:
            raise RestError(f"the {operation} answer has no result")
        kind = self._xsi_type(result)
        return 200, b'<?xml version="1.0" encoding="UTF-8"?>\n' + self._object_body(result, kind)


def _seg(value: str) -> str:
    return quote(value, safe="")


def _out(op: Operation, name: str) -> str:
    child = op.output(name)
    return child.tag if child is not None else name


def graft(parent: etree._Element, source: etree._Element) -> etree._Element:
    """Append a deep copy of ``source`` to ``parent``, keeping every ``xsi:type`` resolvable.

    ``xsi:type`` values are QNames whose prefixes lxml does not see: when the copy's
    namespace declarations fold into the new parent's, a prefix can vanish, so each
    value is rewritten with a prefix in scope at its new place.
    """
    wanted = [_type_name(e) for e in source.iter()]
    copied = copy.deepcopy(source)
    parent.append(copied)
    for element, name in zip(copied.iter(), wanted, strict=True):
        if name is None:
            continue
        namespace, local = name
        prefixes = [p for p, uri in element.nsmap.items() if uri == namespace]
        if not prefixes:
            raise RestError(f"no prefix in scope for the xsi:type namespace {namespace}")
        prefix = prefixes[0]
        element.set(f"{{{NS_XSI}}}type", f"{prefix}:{local}" if prefix else local)
    return copied


def _type_name(element: etree._Element) -> tuple[str, str] | None:
    if not isinstance(element.tag, str):
        return None
    value = element.get(f"{{{NS_XSI}}}type")
    if value is None:
        return None
    prefix, _, local = value.rpartition(":")
    namespace = element.nsmap.get(prefix or None)
    return (namespace, local) if namespace else None


def _read(body: bytes, operation: str) -> etree._Element:
    if not body.strip():
        raise RestError(f"the {operation} body is empty")
    try:
        return parse_xml(body, source=f"{operation} REST body")
    except XMLInputError as exc:
        raise RestError(f"the {operation} body is not well-formed XML: {exc}") from None


def check_bulk(operation: str, ids: Iterable[str]) -> tuple[str, ...]:
    """The ids of a bulk GET, refused above :data:`BULK_LIMIT` before anything is sent.

    Raises:
        InvalidRequestError: On more than 100 ids, none, or a non-string id.
    """
    if isinstance(ids, str | bytes):
        raise RequestRefusedError(operation, "give a list of ids, not one string")
    found = tuple(ids)
    if not found:
        raise RequestRefusedError(operation, "give at least one id")
    if len(found) > BULK_LIMIT:
        raise RequestRefusedError(operation, f"{len(found)} ids; a bulk GET takes at most {BULK_LIMIT}")
    if not all(isinstance(i, str) and i for i in found):
        raise RequestRefusedError(operation, "every id must be a non-empty string")
    return found


# -- JSON bodies ------------------------------------------------------------------------

JSON: Final = "application/json"
# Boomi's REST API takes Component create, update and bulk in XML only.
XML_ONLY: Final = frozenset({"Component"})
# The XML root a JSON answer without "@type" stands for, by operation.
_JSON_ROOTS: Final = {
    "query": "QueryResult",
    "queryMore": "QueryResult",
    "getAssignableRoles": "Roles",
    "bulk": "BulkResult",
    "ExecutionRecord/async": "AsyncOperationResult",
}


class JsonBodies:
    """The JSON form of the REST bodies, both ways, through :class:`~boomi_soap.wire.jsonform.JsonForm`.

    The XML bodies stay the reference: JSON is converted to them on arrival and from
    them on departure, so both formats share every check made on XML.
    """

    def __init__(self, form: JsonForm, data_namespace: str) -> None:
        """Convert with ``form`` (the account's schemas); objects live in ``data_namespace``."""
        self.form = form
        self.data = data_namespace

    def _d(self, local: str) -> str:
        return f"{{{self.data}}}{local}"

    def to_json(self, body: bytes) -> bytes:
        """An XML REST body as Boomi's JSON form.

        Raises:
            JsonFormError: If it does not fit the schema's JSON form.
        """
        root = _read(body, "JSON")
        if etree.QName(root).localname == "ProcessExecutionRequest":
            data: dict[str, Any] = dict(root.attrib)
            bag = root.find(self._d("ProcessProperties"))
            if bag is not None:
                data["ProcessProperties"] = self.form.to_json(bag)
            return _dumps(data)
        if str(etree.QName(root)) not in self.form.elements and root.get(f"{{{NS_XSI}}}type") is None:
            # An object type without a global element: say its type, as the JSON's @type will.
            root = _typed(root, self.data)
        return _dumps(self.form.to_json(root))

    def from_json(self, body: bytes, root: str, *, max_bytes: int, lenient: bool = False) -> bytes:
        """A JSON REST body as its XML form, ``root`` the local name it stands for when it has no ``@type``.

        ``lenient``: an answer, read as it came for the tolerant reader (see
        :meth:`~boomi_soap.wire.jsonform.JsonForm.from_json`).

        Raises:
            JsonFormError: If it is not JSON or does not fit the schema.
        """
        from boomi_soap.wire.jsonform import loads, xml_text

        data = loads(body, max_bytes=max_bytes)
        if not isinstance(data, dict):
            raise JsonFormError("a JSON object is expected", path="$")
        if root == "ProcessExecutionRequest":
            element = etree.Element(self._d(root), nsmap={None: self.data})
            for name in ("processId", "processName", "atomId"):
                value = data.get(name)
                if value is not None:
                    element.set(name, xml_text(str(value), f"$.{name}"))
            unknown = sorted(set(data) - {"processId", "processName", "atomId", "ProcessProperties", "@type"})
            if unknown and not lenient:
                raise JsonFormError(f"unknown key {unknown[0]!r}", path=f"$.{unknown[0]}")
            if isinstance(data.get("ProcessProperties"), dict):
                self.form.from_json(
                    data["ProcessProperties"], self._d("ProcessProperties"), parent=element, lenient=lenient
                )
            return etree.tostring(element, encoding="utf-8")
        named = data.get("@type")
        local = named if isinstance(named, str) and named else root
        return etree.tostring(self.form.from_json(data, self._d(local), lenient=lenient), encoding="utf-8")

    def answer_root(self, operation: str, object_type: str | None) -> str:
        """The local name of the XML root a JSON answer to ``operation`` stands for, without ``@type``."""
        return _JSON_ROOTS.get(operation) or object_type or "BaseType"


def _typed(root: etree._Element, data: str) -> etree._Element:
    copied = etree.Element(root.tag, nsmap={"bns": data, "xsi": NS_XSI})
    copied.set(f"{{{NS_XSI}}}type", f"bns:{etree.QName(root).localname}")
    copied.attrib.update(root.attrib)
    for child in root:
        graft(copied, child)
    return copied


def _dumps(data: Mapping[str, Any]) -> bytes:
    from boomi_soap.wire.jsonform import dumps

    return dumps(data)
