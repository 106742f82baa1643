"""The REST actions the OpenAPI declares beside the object routes.

``POST /changeListenerStatus``, ``POST /ClearQueue/execute/{id}``,
``POST /async/ListenerStatus/query`` with ``GET /async/ListenerStatus/response/{token}``,
and ``POST /cloudAttachmentSecretsConfiguration/{containerId}``.  Each checks what its
page asks for (the Runtime named exists, the action is one of the schema's) and
answers as the page's example does; a method the page does not declare gets a
fault naming the path.  Nothing runs on a Runtime: the service has none.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Final

from lxml import etree

from boomi_soap.exceptions import XMLInputError
from boomi_soap.jsonform import loads
from boomi_soap.localservice.contract import NS_DATA, NS_XSI
from boomi_soap.localservice.errors import ApiFault, FaultCode
from boomi_soap.localservice.store import AccountStore
from boomi_soap.xmlsafe import parse_xml

__all__ = ["ActionReply", "answer", "is_action"]

_ACTIONS: Final = ("restart", "restart_all", "pause", "pause_all", "resume", "resume_all")
_PROVIDERS: Final = ("AWS", "AZURE", "GCP")
_TOKENS_KEPT: Final = 1000
_tokens: OrderedDict[str, str] = OrderedDict()  # ListenerStatus token -> account id
_lock = threading.Lock()


@dataclass(frozen=True)
class ActionReply:
    """An action's answer: the HTTP status and the body, as XML and as JSON."""

    status: int
    root: str = ""
    attributes: tuple[tuple[str, str | int], ...] = ()
    children: tuple[etree._Element, ...] = ()
    json_extra: tuple[tuple[str, Any], ...] = ()

    def xml(self) -> bytes:
        """The XML body (empty when the action answers nothing)."""
        if not self.root:
            return b""
        element = etree.Element(f"{{{NS_DATA}}}{self.root}", nsmap={"bns": NS_DATA, "xsi": NS_XSI})
        for name, value in self.attributes:
            element.set(name, str(value))
        element.extend(self.children)
        return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)

    def json(self) -> bytes:
        """The JSON body (empty when the action answers nothing)."""
        if not self.root:
            return b""
        data: dict[str, Any] = {"@type": self.root, **dict(self.attributes), **dict(self.json_extra)}
        return json.dumps(data).encode()


def is_action(parts: list[str]) -> bool:
    """Whether a REST path (split on ``/``, after the account) is one of these actions."""
    return (
        parts == ["changeListenerStatus"]
        or (len(parts) == 3 and parts[:2] == ["ClearQueue", "execute"])
        or parts[:2] == ["async", "ListenerStatus"]
        or (len(parts) == 2 and parts[0] == "cloudAttachmentSecretsConfiguration")
    )


def _fields(body: bytes, root: str) -> tuple[dict[str, Any], etree._Element | None]:
    """A request body's top-level values (JSON keys or XML attributes), and the XML root if XML."""
    text = body.strip()
    if not text:
        return {}, None
    if text.startswith(b"{"):
        try:
            data = loads(text)
        except ValueError as exc:
            raise ApiFault(FaultCode.INVALID_REQUEST, f"Invalid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ApiFault(FaultCode.INVALID_REQUEST, f"A {root} is a JSON object")
        wrapped = data.get(root)  # Boomi's example sends the request both wrapped in its name and flat
        return (
            {**wrapped, **{k: v for k, v in data.items() if k != root}} if isinstance(wrapped, dict) else data
        ), None
    try:
        element = parse_xml(text, source=root)
    except XMLInputError as exc:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"Malformed request: {exc}") from None
    return dict(element.attrib), element


def _atom(store: AccountStore, key: object, label: str) -> str:
    text = str(key or "").strip()
    if not text:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"{label} is required")
    if store.get("Atom", text) is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"Atom with id {text} does not exist")
    return text


def _change_listener_status(store: AccountStore, body: bytes) -> ActionReply:
    values, _ = _fields(body, "ChangeListenerStatusRequest")
    action = str(values.get("action") or "")
    if action not in _ACTIONS:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"action must be one of {', '.join(_ACTIONS)}, not {action!r}")
    _atom(store, values.get("containerId"), "containerId")
    if not action.endswith("_all") and not str(values.get("listenerId") or "").strip():
        raise ApiFault(FaultCode.INVALID_REQUEST, f"listenerId is required for {action}")
    return ActionReply(200)  # "an empty changeListenerStatusResponse to indicate acceptance"


def _clear_queue(store: AccountStore, atom_id: str, body: bytes) -> ActionReply:
    values, _ = _fields(body, "ClearQueueRequest")
    atom = _atom(store, values.get("AtomId") or atom_id, "AtomId")
    queue = str(values.get("QueueName") or "").strip()
    if not queue:
        raise ApiFault(FaultCode.INVALID_REQUEST, "QueueName is required")
    message = f"Request submitted to atom id: {atom} to clear atom queue: {queue}"
    return ActionReply(200, "QueueMessageResponse", (("message", message),))


def _listener_query(store: AccountStore, account_id: str) -> ActionReply:
    token = f"ListenerStatus-{uuid.uuid4()}"
    with _lock:
        _tokens[token] = account_id
        while len(_tokens) > _TOKENS_KEPT:
            _tokens.popitem(last=False)
    child = etree.Element(f"{{{NS_DATA}}}asyncToken", token=token)
    extra = (("asyncToken", {"@type": "AsyncToken", "token": token}),)
    return ActionReply(200, "AsyncOperationTokenResult", (("responseStatusCode", 202),), (child,), extra)


def _listener_response(store: AccountStore, account_id: str, token: str) -> ActionReply:
    with _lock:
        owner = _tokens.get(token)
    if owner != account_id:
        raise ApiFault(FaultCode.NOT_FOUND, f"ListenerStatus token {token} does not exist")
    listeners = store.all("ListenerStatus")
    children = []
    results = []
    for record in listeners:
        child = etree.Element(f"{{{NS_DATA}}}result", dict(record.element.attrib))
        child.set(f"{{{NS_XSI}}}type", "bns:ListenerStatus")
        children.append(child)
        results.append({"@type": "ListenerStatus", **dict(record.element.attrib)})
    attributes = (("responseStatusCode", 200), ("numberOfResults", len(children)))
    return ActionReply(200, "AsyncOperationResult", attributes, tuple(children), (("result", results),))


def _secrets(store: AccountStore, container_id: str, body: bytes) -> ActionReply:
    values, element = _fields(body, "CloudAttachmentSecretsConfigurationRequest")
    container = _atom(store, values.get("containerId") or container_id, "containerId")
    if element is not None:
        holder = element.find(f"{{{NS_DATA}}}secretsManagerProvider")
        given = [etree.QName(c).localname for c in holder if isinstance(c.tag, str)] if holder is not None else []
    else:
        provider = values.get("secretsManagerProvider")
        given = list(provider) if isinstance(provider, dict) else []
    named = [p for p in given if p in _PROVIDERS]
    if len(named) != 1:
        raise ApiFault(FaultCode.INVALID_REQUEST, "secretsManagerProvider must name one of AWS, AZURE, GCP")
    message = f"{named[0]} secrets configuration sent successfully to cloud attachment {container}"
    return ActionReply(200, "CloudAttachmentSecretsConfigurationResponse", (("statusCode", 200), ("message", message)))


def answer(store: AccountStore, account_id: str, method: str, parts: list[str], body: bytes) -> ActionReply:
    """Run one action (``parts`` passed :func:`is_action`).

    Raises:
        ApiFault: For what the action's page refuses, or a method it does not declare.
    """
    path = "/" + "/".join(parts)
    if method == "POST" and parts == ["changeListenerStatus"]:
        return _change_listener_status(store, body)
    if method == "POST" and parts[:2] == ["ClearQueue", "execute"]:
        return _clear_queue(store, parts[2], body)
    if method == "POST" and parts == ["async", "ListenerStatus", "query"]:
        return _listener_query(store, account_id)
    if method == "GET" and len(parts) == 4 and parts[2] == "response":
        return _listener_response(store, account_id, parts[3])
    if method == "POST" and parts[0] == "cloudAttachmentSecretsConfiguration":
        return _secrets(store, parts[1], body)
    raise ApiFault(FaultCode.UNSUPPORTED, f"{method} {path} is not an operation of the platform API")
