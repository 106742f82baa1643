"""The RESTish API of the local service, on the same store and limits as its SOAP API.

Routes (``{root}`` is ``/api/rest/v1/{account}``, or ``/partner/api/rest/v1/{account}``
on the Partner contract, where ``?overrideAccount=`` names a sub-account)::

    GET    {root}/{Object}/{id}          POST {root}/{Object}/query     POST {root}/{Object}/queryMore
    POST   {root}/{Object}               POST {root}/{Object}/{id}      DELETE {root}/{Object}/{id}
    POST   {root}/{Object}/bulk          POST {root}/executeProcess     GET  {root}/getAssignableRoles
    POST   {root}/cancelExecution/{id}   GET  {root}/ExecutionRecord/async/{requestId}
    GET    {root}/openapi.json
    POST   {root}/changeListenerStatus  POST {root}/ClearQueue/execute/{id}
    POST   {root}/async/ListenerStatus/query  GET {root}/async/ListenerStatus/response/{token}
    POST   {root}/cloudAttachmentSecretsConfiguration/{containerId}   (see :mod:`.actions`)

Each call is mapped to the operation's request wrapper (:mod:`boomi_soap.wire.restmap`),
run by the SOAP endpoint's own code (sign-in, limits, validation, override, handlers;
:func:`~boomi_soap.localservice.soap.handle_soap`), and its response wrapper mapped
back: one store, one set of semantics, and SOAP and REST calls count against the
same rate limit and quota.  HTTP Basic auth (password, or ``BOOMI_TOKEN.<login>`` +
API token); errors as Boomi's ``<error><message>...</message></error>``.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qs, quote, unquote, urlsplit

from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import JsonFormError, XMLInputError
from boomi_soap.localservice import actions, executions, jsonin
from boomi_soap.localservice.answers import sparse_document
from boomi_soap.localservice.contract import NS_DATA, NS_XSI, Release
from boomi_soap.localservice.errors import STORE_FULL, ApiFault, FaultCode
from boomi_soap.localservice.injection import Injection
from boomi_soap.localservice.soap import NS_ENVELOPE, NS_WSSE, PASSWORD_TEXT, handle_soap
from boomi_soap.wire.jsonform import JsonForm, dumps, loads
from boomi_soap.wire.restmap import (
    BULK_LIMIT,
    JSON,
    XML_ONLY,
    JsonBodies,
    RestError,
    RestMap,
    UnknownRouteError,
    error_body,
    error_message,
    graft,
)

if TYPE_CHECKING:
    from boomi_soap.localservice.config import User
    from boomi_soap.localservice.host import ServiceHost
    from boomi_soap.localservice.store import AccountStore

__all__ = ["RestReply", "basic_credentials", "is_rest", "refusal", "respond", "rest_prefix"]

_XML: Final = "application/xml; charset=utf-8"
_STATUS: Final = {
    FaultCode.AUTHENTICATION: 401,
    FaultCode.PERMISSION: 403,
    # An unknown id is a bad request on Boomi (its API errors page: 400 "... does not exist"; its
    # bulk pages: statusCode 400); 404 is for a path that is no endpoint, which no OpenAPI path is.
    FaultCode.NOT_FOUND: 400,
    FaultCode.INVALID_REQUEST: 400,
    FaultCode.UNSUPPORTED: 400,
    FaultCode.RATE_LIMIT: 503,
    FaultCode.QUOTA: 503,
    FaultCode.SERVER: 500,
    FaultCode.INJECTED: 503,
}
_OPENAPI: Final = "platformOpenAPISv3.0.3.json"
# What XML 1.0 cannot carry (lxml raises on it): path segments and query values become
# element text, so a request holding one is refused before anything is built from it.
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_maps: dict[int, RestMap] = {}
_forms: dict[int, tuple[Release, JsonBodies]] = {}
_log = logging.getLogger("boomi_soap.localservice")


@dataclass
class RestReply:
    """An HTTP answer to a REST request.

    Attributes:
        status: HTTP status (0 with a drop injected: no answer).
        body: The body.
        content_type: Its media type.
        headers: Extra headers.
        injected: A drop or truncation that shapes the write.
    """

    status: int
    body: bytes = b""
    content_type: str | None = _XML
    headers: dict[str, str] = field(default_factory=dict)
    injected: Injection | None = None


def rest_prefix(release: Release) -> str:
    """The REST path prefix beside the release's SOAP one (``/api/rest/v1/``, ``/partner/api/rest/v1/``)."""
    return release.path_prefix.replace("/api/soap/", "/api/rest/")


def is_rest(release: Release, target: str) -> bool:
    """Whether a request target is under the REST prefix."""
    return urlsplit(target).path.startswith(rest_prefix(release))


def _map(release: Release) -> RestMap:
    found = _maps.get(id(release.contract))
    if found is None or found.contract is not release.contract:
        found = _maps[id(release.contract)] = RestMap(release.contract)
    return found


def _xml_safe(text: str) -> str:
    """``text`` with what XML cannot carry replaced (a message may quote the request)."""
    return _NOT_XML.sub("\ufffd", text)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> RestReply:
    return RestReply(status, error_body(_xml_safe(message)), _XML, headers or {})


def refusal(headers: dict[str, str], status: int, message: str, extra: dict[str, str] | None = None) -> RestReply:
    """An error answer in the form the request asked for (JSON when it accepts JSON, else XML)."""
    if JSON in (headers.get("accept") or ""):
        body = json.dumps({"@type": "Error", "message": message}).encode()
        return RestReply(status, body, JSON, extra or {})
    return _error(status, message, extra)


def _from_fault(fault: ApiFault) -> RestReply:
    status = _STATUS.get(fault.code, 500)
    if fault.code is FaultCode.INVALID_REQUEST and "is offline" in fault.message:
        status = 410  # Boomi: "410 ... the specified Runtime is offline"
    if fault.code is FaultCode.INVALID_REQUEST and STORE_FULL in fault.message:
        status = 413  # the account's store is full: this body is too large for it
    headers = {"WWW-Authenticate": 'Basic realm="AtomSphere API"'} if status == 401 else None
    return _error(status, fault.message, headers)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """The user name and secret of an HTTP Basic ``Authorization`` header, if it is one."""
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, sep, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except ValueError:  # binascii.Error, UnicodeDecodeError, or a character beyond ASCII
        return None
    return (username, secret) if sep else None


def _signed_envelope(username: str, secret: str, payload: etree._Element) -> bytes:
    """The SOAP request the REST call stands for, signed with the Basic credentials."""
    envelope = etree.Element(f"{{{NS_ENVELOPE}}}Envelope", nsmap={"soapenv": NS_ENVELOPE, "wsse": NS_WSSE})
    header = etree.SubElement(envelope, f"{{{NS_ENVELOPE}}}Header")
    token = etree.SubElement(etree.SubElement(header, f"{{{NS_WSSE}}}Security"), f"{{{NS_WSSE}}}UsernameToken")
    etree.SubElement(token, f"{{{NS_WSSE}}}Username").text = username
    etree.SubElement(token, f"{{{NS_WSSE}}}Password", Type=PASSWORD_TEXT).text = secret
    etree.SubElement(envelope, f"{{{NS_ENVELOPE}}}Body").append(payload)
    return etree.tostring(envelope, encoding="utf-8")


@dataclass(frozen=True)
class _Call:
    service: ServiceHost
    account_id: str
    username: str
    secret: str = field(repr=False)
    params: dict[str, str] = field(default_factory=dict)

    def soap(self, payload: etree._Element, admit: Callable[[], None] | None = None) -> etree._Element:
        """Run a request wrapper through the SOAP endpoint; the answer's Body child (wrapper or Fault)."""
        service = self.service
        account = service.account(self.account_id)
        reply = handle_soap(
            _signed_envelope(self.username, self.secret, payload),
            account_id=self.account_id,
            config=service.config,
            release=service.release,
            store=account.store if account else None,
            endpoint=service.endpoint(self.account_id),
            admit=admit or (account.limits.admit if account else (lambda: None)),
            sub_accounts=service.sub_accounts,
            store_of=lambda other: found.store if (found := service.account(other)) else None,
        )
        answer = parse_xml(reply.body, source="SOAP answer")
        body = answer.find(f"{{{NS_ENVELOPE}}}Body")
        return next(c for c in body if isinstance(c.tag, str)) if body is not None else answer


def _fault_of(child: etree._Element) -> ApiFault:
    code = child.findtext(f"detail/{{{NS_DATA}}}ApiFault/code") or "SERVER"
    message = child.findtext("faultstring") or "Internal server error"
    try:
        return ApiFault(FaultCode(code), message)
    except ValueError:
        return ApiFault(FaultCode.SERVER, message)


def respond(service: ServiceHost, method: str, target: str, headers: dict[str, str], body: bytes) -> RestReply:
    """Answer one REST request (``target`` is under :func:`rest_prefix`)."""
    split = urlsplit(target)
    account_raw, _, tail = split.path[len(rest_prefix(service.release)) :].partition("/")
    account_id, path = unquote(account_raw), "/" + tail  # path segments stay encoded for the mapping
    params = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
    if not account_id:
        return _error(404, "Endpoint is invalid or no longer exists.")
    if any(_NOT_XML.search(text) for text in (unquote(path), *params, *params.values())):
        return _error(400, "The path or query holds a character XML cannot carry")
    # The SOAP endpoint's fault injections (see .injection) apply here too: the same
    # client tests run over both transports.
    injected = service.injections.take()
    if injected is Injection.DROP_BEFORE:
        return RestReply(0, injected=injected)
    if service.injections.latency:
        time.sleep(service.injections.latency)
    if injected is Injection.HTTP_503:
        return _error(503, "Service Unavailable (injected)")
    if injected is Injection.HTML_ERROR:
        page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
        return RestReply(502, page, "text/html; charset=utf-8")
    if injected is Injection.SOAP_FAULT:
        return _error(500, "Internal server error (injected)")
    reply = _answer(service, method, account_id, path, params, headers, body)
    if JSON in (headers.get("accept") or "") and not path.endswith("/openapi.json"):
        xml_reply = reply
        reply = as_json(service.release, reply)
        if reply.status == 500 and xml_reply.status < 400 and unquote(path.strip("/").partition("/")[0]) in XML_ONLY:
            reply = xml_reply  # Boomi's Component object has an XML form only: its answers stay XML
        if path.rstrip("/").endswith("/bulk") and reply.status == 200 and reply.content_type == JSON:
            reply = _bulk_items_typed(reply)
    if injected is Injection.NOT_XML:
        return RestReply(200, b"Service temporarily degraded; try again\x00\xff")
    reply.injected = injected
    return reply


def _answer(
    service: ServiceHost,
    method: str,
    account_id: str,
    path: str,
    params: dict[str, str],
    headers: dict[str, str],
    body: bytes,
) -> RestReply:
    credentials = basic_credentials(headers.get("authorization"))
    if credentials is None:
        return _error(401, "Authentication required.", {"WWW-Authenticate": 'Basic realm="AtomSphere API"'})
    call = _Call(service, account_id, credentials[0], credentials[1], params)
    parts = path.strip("/").split("/")
    named = [unquote(p) for p in parts]
    if actions.is_action(named):
        try:
            done = actions.answer(_admit(call), service.release, call.account_id, method, named, body)
        except ApiFault as fault:
            return _from_fault(fault)
        if JSON in (headers.get("accept") or "") and not done.schema_json:  # else respond() converts the XML
            text = done.json()
            return RestReply(done.status, text, JSON if text else None)
        text = done.xml()
        if text and service.config.answers == "documented":
            text = sparse_document(text, service.release.index)
        return RestReply(done.status, text, _XML if text else None)
    if (headers.get("content-type") or "").startswith(JSON) and body.strip() and parts[-1] == "queryMore":
        body = _token_of(body)  # the token is plain text; a JSON client may send it as a JSON string
    elif (headers.get("content-type") or "").startswith(JSON) and parts[0] == "cancelExecution":
        body = b""  # cancelExecution reads its path only
    elif (headers.get("content-type") or "").startswith(JSON) and body.strip():
        kind = unquote(parts[0]) if parts else ""
        if kind in XML_ONLY and method == "POST" and len(parts) <= 2 and parts[-1] not in ("query", "queryMore"):
            # 400, not 415: Boomi declares no 415 on these paths; its API errors page says 400 for invalid input.
            return _error(400, f"{kind} create, update and bulk take XML only; send application/xml")
        try:
            body = _from_json(service, parts, body)
        except JsonFormError as exc:
            return _error(400, f"Invalid JSON: {exc}")
        except RecursionError:
            return _error(400, "Invalid JSON: it nests too deep")
        except ValueError:  # a value XML cannot carry (a lone surrogate, a control character)
            return _error(400, "Invalid JSON: a value holds a character XML cannot carry")
    try:
        if method == "GET" and parts == ["openapi.json"]:
            _admit(call)
            document = resources.files("boomi_soap.localservice").joinpath("openapi", _OPENAPI).read_bytes()
            return RestReply(200, document, "application/json")
        if method == "GET" and len(parts) == 3 and parts[:2] == ["ExecutionRecord", "async"]:
            store = _admit(call)
            answer = executions.async_record(store, service.release, unquote(parts[2]))
            if service.config.answers == "documented":
                answer = sparse_document(answer, service.release.index)
            pending = b'responseStatusCode="202"' in answer
            return RestReply(202 if pending else 200, answer)
        if method == "POST" and len(parts) == 2 and parts[1] == "bulk":
            return _bulk(call, unquote(parts[0]), body)
        restmap = _map(service.release)
        try:
            payload = restmap.parse(method, path, params, body)
        except UnknownRouteError:
            return _error(404, "Endpoint is invalid or no longer exists.")
        except RestError as exc:
            return _error(400, str(exc))
        except ValueError:  # lxml: a character XML cannot carry, taken from the path, query or body
            return _error(400, "The request holds a character XML cannot carry")
        child = call.soap(payload)
        if child.tag == f"{{{NS_ENVELOPE}}}Fault":
            return _from_fault(_fault_of(child))
        operation = restmap.contract.by_request(str(etree.QName(payload)))
        assert operation is not None  # parse built one of its wrappers
        if operation.name == "create":
            _rest_links(service, account_id, child)
        if (
            operation.name == "delete"
            and (child.findtext(".//{*}successful") or child.findtext("successful")) == "false"
        ):
            kind, key = (unquote(p) for p in parts[:2])
            return _error(400, f"{kind} with id {key} does not exist")
        code, text = restmap.answer(operation.name, child)
        return RestReply(code, text, _XML if text else None)
    except ApiFault as fault:
        return _from_fault(fault)


def _from_json(service: ServiceHost, parts: list[str], body: bytes) -> bytes:
    """The XML form of a JSON body; a query config or bulk request read as Boomi reads it (:mod:`.jsonin`)."""
    root = _json_root(parts)
    limit = service.config.max_body_bytes
    if root in ("QueryConfig", "BulkRequest"):
        data = loads(body, max_bytes=limit)
        if isinstance(data, dict):
            data = jsonin.envelope(data)
            if (
                root == "QueryConfig"
                and data.get("@type") in (None, "", "QueryConfig")
                and not any(v is not None for k, v in data.items() if k != "@type")
            ):
                return b""  # {} or an empty QueryFilter: everything, as Boomi's PublishedApi example asks
            body = dumps(data)
    return _json(service.release).from_json(body, root, max_bytes=limit)


def _token_of(body: bytes) -> bytes:
    """A queryMore body sent as JSON: the token a JSON string holds, else the body as sent."""
    if not body.strip().startswith(b'"'):
        return body  # only a string is decoded: nothing else can be a token, and nothing nests
    try:
        value = json.loads(body)
    except ValueError:
        return body
    return value.encode() if isinstance(value, str) else body


def _rest_links(service: ServiceHost, account_id: str, answer: etree._Element) -> None:
    """Point an ExecutionRequest's ``recordUrl`` at the REST API it was asked through, as Boomi's example does."""
    soap_root = service.endpoint(account_id)
    rest_root = soap_root.replace(service.release.path_prefix, rest_prefix(service.release), 1)
    for node in answer.iter():
        url = node.get("recordUrl")
        if url is not None and url.startswith(soap_root + "/"):
            node.set("recordUrl", rest_root + url[len(soap_root) :])
        if node.tag == f"{{{NS_DATA}}}recordUrl" and (node.text or "").startswith(soap_root + "/"):
            node.text = rest_root + (node.text or "")[len(soap_root) :]


def _json_root(parts: list[str]) -> str:
    """The XML root a JSON request body to ``parts`` stands for, when it has no ``@type``."""
    if parts == ["executeProcess"]:
        return "ProcessExecutionRequest"
    if len(parts) == 2 and parts[1] == "query":
        return "QueryConfig"
    if len(parts) == 2 and parts[1] == "bulk":
        return "BulkRequest"
    return unquote(parts[0]) if parts else "BaseType"


def as_json(release: Release, reply: RestReply) -> RestReply:
    """The JSON form of an XML reply (errors as ``{"@type": "Error", "message": ...}``)."""
    if reply.content_type is None or not reply.content_type.startswith("application/xml") or not reply.body:
        return reply
    if reply.status >= 400:
        body = json.dumps({"@type": "Error", "message": error_message(reply.body)}).encode()
        return RestReply(reply.status, body, JSON, reply.headers, reply.injected)
    try:
        converted = _json(release).to_json(reply.body)
    except (JsonFormError, RestError) as exc:
        _log.warning("no JSON form for an answer: %s", exc)
        return _error(500, "The answer has no JSON form")
    return RestReply(reply.status, converted, JSON, reply.headers, reply.injected)


def _json(release: Release) -> JsonBodies:
    found = _forms.get(id(release))
    if found is None or found[0] is not release:
        form = JsonForm.from_files(
            release.folder / name for kind, name in release.names.items() if kind in release.files
        )
        found = _forms[id(release)] = (release, JsonBodies(form, NS_DATA))
    return found[1]


def _user(call: _Call) -> User:
    user = call.service.config.authenticate(call.username, call.secret)
    if user is None:
        raise ApiFault(FaultCode.AUTHENTICATION, "The credentials could not be authenticated")
    return user


def _admit(call: _Call) -> AccountStore:
    """Sign in, check the account (and override), count the call; the store it acts on."""
    service = call.service
    user = _user(call)
    account = service.account(call.account_id)
    if account is None or call.account_id not in user.accounts:
        raise ApiFault(FaultCode.PERMISSION, "Access denied due to insufficient permissions.")
    account.limits.admit()
    target = call.params.get("overrideAccount") if service.release.contract.override else None
    if target and target != call.account_id:
        found = service.account(target)
        if target not in service.sub_accounts(call.account_id) or target not in user.accounts or found is None:
            raise ApiFault(FaultCode.PERMISSION, "Access denied due to insufficient permissions.")
        return found.store
    return account.store


def _bulk(call: _Call, object_type: str, body: bytes) -> RestReply:
    """``POST /{Object}/bulk``: one call (one count against the limits), a result per id."""
    _admit(call)
    try:
        request = parse_xml(body, source="BulkRequest")
    except XMLInputError as exc:
        return _error(400, f"Malformed request: {exc}")
    if request.tag != f"{{{NS_DATA}}}BulkRequest":
        return _error(400, f"A bulk call takes a BulkRequest, not {etree.QName(request).localname}")
    if request.get("type") != "GET":
        return _error(400, f"Bulk {request.get('type') or '(no type)'} is not supported by this service; use GET")
    info = call.service.release.index.object_type(object_type)
    rules = call.service.release.rules.get(info.name) if info is not None else None
    if info is None or (rules is None and call.service.release.rules):  # as operations._object_type
        return _error(400, f"Invalid object type: {object_type}")
    if rules is not None and "BULK" not in rules.operations:
        return _error(400, f"The {info.name} object does not support the BULK operation")
    ids = [r.get("id", "") for r in request.iterfind(f"{{{NS_DATA}}}request")]
    if len(ids) > BULK_LIMIT:
        return _error(400, f"A bulk request takes at most {BULK_LIMIT} ids, not {len(ids)}")
    restmap = _map(call.service.release)
    result = etree.Element(f"{{{NS_DATA}}}BulkResult", nsmap={"bns": NS_DATA, "xsi": NS_XSI})
    for index, key in enumerate(ids):
        item = etree.SubElement(result, f"{{{NS_DATA}}}response", index=str(index), id=key)
        payload = restmap.parse("GET", f"/{_quote(object_type)}/{_quote(key)}", call.params, b"")
        child = call.soap(payload, admit=lambda: None)  # counted once, above
        if child.tag == f"{{{NS_ENVELOPE}}}Fault":
            fault = _from_fault(_fault_of(child))
            # Boomi's bulk pages answer an unknown id with statusCode 400 ("No such process").
            item.set("statusCode", str(fault.status))
            item.set("errorMessage", child.findtext("faultstring") or "")
            continue
        item.set("statusCode", "200")
        found = next((c for c in child if isinstance(c.tag, str)), None)
        if found is not None:
            copied = etree.SubElement(item, f"{{{NS_DATA}}}Result")
            copied.attrib.update(found.attrib)
            copied.set(f"{{{NS_XSI}}}type", _data_type(found))
            for grandchild in found:
                graft(copied, grandchild)
    return RestReply(200, etree.tostring(result, xml_declaration=True, encoding="UTF-8"))


def _bulk_items_typed(reply: RestReply) -> RestReply:
    """Each item of a JSON bulk answer tagged ``"@type": "BulkResponse"``, as Boomi's bulk pages show."""
    data = loads(reply.body, max_bytes=len(reply.body) + 1)
    if isinstance(data, dict) and isinstance(data.get("response"), list):
        for item in data["response"]:
            if isinstance(item, dict):
                item["@type"] = "BulkResponse"
    return RestReply(reply.status, dumps(data), reply.content_type, reply.headers, reply.injected)


def _data_type(element: etree._Element) -> str:
    prefix, _, local = element.get(f"{{{NS_XSI}}}type", "").rpartition(":")
    return f"bns:{local}" if element.nsmap.get(prefix or None) == NS_DATA else element.get(f"{{{NS_XSI}}}type", "")


def _quote(value: str) -> str:
    return quote(value, safe="")
