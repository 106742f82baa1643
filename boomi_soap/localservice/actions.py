"""The REST actions the OpenAPI declares beside the object routes.

``POST /changeListenerStatus``, ``POST /ClearQueue/execute/{id}``,
``POST /async/ListenerStatus/query`` with ``GET /async/ListenerStatus/response/{token}``,
the Runtime-scoped asynchronous GETs (``GET /async/{Type}/{id}`` then
``GET /async/{Type}/response/{token}``, for the types in :data:`ASYNC_TYPES`),
``POST /cloudAttachmentSecretsConfiguration/{containerId}``,
``POST /refreshSecretsManager`` and ``POST /EnvironmentMapExtension/execute/{id}`` (the
stored extension, as its GET answers: the service reaches no endpoint application),
``POST /JavaRollback/execute/{id}`` (an online Runtime) and ``POST /MergeRequest/execute/{id}``
(MERGE, REVERT, RETRY_DRAFTING from the stages Boomi's page names).
Each checks what its page asks for (the Runtime named exists, the action is one of
the schema's) and answers as the page's example does; an async response lists the
account's stored records of that type for that Runtime, or, with none stored, what the
Runtime holds (:mod:`boomi_soap.localservice.runtimes`: its listeners, queues and disk space;
changeListenerStatus, ClearQueue and MoveQueueRequest change them).  A method a page does
not declare gets a fault naming the path.
Nothing runs on a Runtime: the service has none.

The CREATEs of :data:`ACTION_CREATES` are actions too, done by :func:`create` and never
stored (each request answers anew, as on Boomi): ``ExecutionArtifacts`` answers a
``LogDownload`` whose URL the service serves (a zip), ``RerunDocument`` starts a run (its
``requestId`` and ``recordUrl`` as an ``ExecutionRequest``'s), ``InstallerToken`` answers a
token of its ``installType`` valid for ``durationMinutes`` (30 to 1440), ``accountId`` the
account's id; ``MoveQueueRequest`` moves a queue's messages and ``RuntimeRestartRequest``
restarts a Runtime (both answer the page's message); ``AtomWorkerLog`` answers a
``LogDownload`` of the worker's log and ``ConnectorDocument`` a ``ConnectorDocumentDownload``
of a stored GenericConnectorRecord's document, both served as a log is (202 while held).
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import XMLInputError
from boomi_soap.localservice import executions
from boomi_soap.localservice.contract import NS_DATA, NS_XSI, Release, TypeInfo
from boomi_soap.localservice.errors import ApiFault, FaultCode
from boomi_soap.localservice.model import Record, build_object, emit, with_field
from boomi_soap.localservice.runtimes import runtimes
from boomi_soap.localservice.store import AccountStore
from boomi_soap.wire.jsonform import loads

__all__ = ["ACTION_CREATES", "ASYNC_TYPES", "ActionReply", "answer", "create", "hold_tokens", "is_action"]

# Object types whose CREATE does something and stores nothing.
ACTION_CREATES: Final = frozenset(
    {
        "AtomWorkerLog",
        "ConnectorDocument",
        "ExecutionArtifacts",
        "InstallerToken",
        "MoveQueueRequest",
        "RerunDocument",
        "RuntimeRestartRequest",
    }
)
_DOCUMENT_BYTES: Final = 4096  # a worker log's size
_RESTART_HINT: Final = "Use the Atom object to retrieve the current runtime status."
_TOKEN_MINUTES: Final = (30, 1440)

# The types the OpenAPI reads through GET /async/{Type}/{id} and /async/{Type}/response/{token}.
ASYNC_TYPES: Final = frozenset(
    {
        "AccountCloudAttachmentProperties",
        "AccountCloudAttachmentPropertiesDefault",
        "AtomCounters",
        "AtomDiskSpace",
        "AtomSecurityPolicies",
        "CloudAttachmentProperties",
        "ListQueues",
        "PersistedProcessProperties",
        "RuntimeObservabilitySettings",
        "RuntimeProperties",
    }
)
_EXECUTED: Final = ("JavaRollback", "MergeRequest")
# MergeRequest EXECUTE: action -> (the stages it starts from, the stage it leaves).
_MERGE_ACTIONS: Final = {
    "MERGE": (("REVIEWING", "FAILED_TO_MERGE"), "MERGED"),
    "REVERT": (("MERGED", "DELETED"), "REVERTED"),
    "RETRY_DRAFTING": (("FAILED_TO_DRAFT", "FAILED_TO_REDRAFT"), "DRAFTED"),
}
_RUNTIME_KEYS: Final = ("atomId", "containerId", "runtimeId", "id")

_Scope = tuple[tuple[str, ...], tuple[str, ...]]
_LISTENER_FILTERS: Final = ("containerId", "listenerId")
_ACTIONS: Final = ("restart", "restart_all", "pause", "pause_all", "resume", "resume_all")
_PROVIDERS: Final = ("AWS", "AZURE", "GCP")
_TOKENS_KEPT: Final = 1000
# token -> (account id, Runtime id or, for a ListenerStatus query, the container and listener ids it names)
_tokens: OrderedDict[str, tuple[str, str | _Scope]] = OrderedDict()
_lock = threading.Lock()
# Boomi's answer is 202 "in progress" until the Runtime reports: per store, how many polls each
# new token answers so first; per token, how many are left.
_token_holds: dict[int, int] = {}
_not_ready: dict[str, int] = {}


def hold_tokens(store: AccountStore, polls: int) -> None:
    """Make each async token ``store`` issues from now on answer 202 (in progress) ``polls`` times first."""
    if polls < 0:
        raise ValueError("polls must not be negative")
    key = id(store)
    with _lock:
        if key not in _token_holds:
            weakref.finalize(store, _token_holds.pop, key, None)
        _token_holds[key] = polls


@dataclass(frozen=True)
class ActionReply:
    """An action's answer: the HTTP status and the body, as XML and as JSON.

    ``schema_json``: the root is an element of the schema, so the JSON form is the
    schema's (the REST layer converts the XML); otherwise :meth:`json` writes it.
    """

    status: int
    root: str = ""
    attributes: tuple[tuple[str, str | int], ...] = ()
    children: tuple[etree._Element, ...] = ()
    json_extra: tuple[tuple[str, Any], ...] = ()
    schema_json: bool = False
    element: etree._Element | None = None  # a whole answer, written as is

    def xml(self) -> bytes:
        """The XML body (empty when the action answers nothing)."""
        if self.element is not None:
            return etree.tostring(self.element, xml_declaration=True, encoding="UTF-8", standalone=True)
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
        or (len(parts) in (3, 4) and parts[0] == "async" and parts[1] in ASYNC_TYPES)
        or (len(parts) == 2 and parts[0] == "cloudAttachmentSecretsConfiguration")
        or parts == ["refreshSecretsManager"]
        or (len(parts) == 3 and parts[:2] == ["EnvironmentMapExtension", "execute"])
        or (len(parts) == 3 and parts[0] in _EXECUTED and parts[1] == "execute")
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
    container = _atom(store, values.get("containerId"), "containerId")
    listener = str(values.get("listenerId") or "").strip()
    if not action.endswith("_all") and not listener:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"listenerId is required for {action}")
    runtimes(store).change_listeners(container, action, listener or None)
    return ActionReply(200)  # "an empty changeListenerStatusResponse to indicate acceptance"


def _clear_queue(store: AccountStore, atom_id: str, body: bytes) -> ActionReply:
    values, _ = _fields(body, "ClearQueueRequest")
    atom = _atom(store, values.get("AtomId") or atom_id, "AtomId")
    queue = str(values.get("QueueName") or "").strip()
    if not queue:
        raise ApiFault(FaultCode.INVALID_REQUEST, "QueueName is required")
    dead_letters = str(values.get("DLQ") or "false").lower() == "true"
    subscriber = str(values.get("SubscriberName") or "").strip() or None
    runtimes(store).clear_queue(atom, queue, dead_letters=dead_letters, subscriber=subscriber)
    message = f"Request submitted to atom id: {atom} to clear atom queue: {queue}"
    return ActionReply(200, "QueueMessageResponse", (("message", message),))


def _token(store: AccountStore, kind: str, account_id: str, runtime: str | _Scope) -> ActionReply:
    """A new async token for ``kind``, as the first GET (or the query) of an async read answers."""
    token = f"{kind}-{uuid.uuid4()}"
    with _lock:
        _tokens[token] = (account_id, runtime)
        while len(_tokens) > _TOKENS_KEPT:
            _tokens.popitem(last=False)
        held = _token_holds.get(id(store), 0)
        if held:
            _not_ready[token] = held
        while len(_not_ready) > _TOKENS_KEPT:
            del _not_ready[next(iter(_not_ready))]
    child = etree.Element(f"{{{NS_DATA}}}asyncToken", token=token)
    extra = (("asyncToken", {"@type": "AsyncToken", "token": token}),)
    return ActionReply(200, "AsyncOperationTokenResult", (("responseStatusCode", 202),), (child,), extra)


def _in_progress(token: str) -> ActionReply | None:
    """The 202 "in progress" answer while a held token has polls left; each counts one."""
    with _lock:
        left = _not_ready.get(token, 0)
        if left <= 0:
            _not_ready.pop(token, None)
            return None
        _not_ready[token] = left - 1
    return ActionReply(200, "AsyncOperationResult", (("responseStatusCode", 202), ("numberOfResults", 0)))


def _redeem(kind: str, account_id: str, token: str) -> str | _Scope:
    """The Runtime a token of ``kind`` was issued for (what a query names); a fault if it is none of the account's."""
    with _lock:
        held = _tokens.get(token)
    if held is None or held[0] != account_id or not token.startswith(f"{kind}-"):
        raise ApiFault(FaultCode.NOT_FOUND, f"{kind} token {token} does not exist")
    return held[1]


def _listener_scope(body: bytes) -> _Scope:
    """The container and listener ids a ListenerStatus query names (EQUALS conditions, joined by and/or).

    Conditions on other properties are not applied (Boomi's own example has one).
    """
    text = body.strip()
    if not text:
        return (), ()
    named: dict[str, list[str]] = {name: [] for name in _LISTENER_FILTERS}

    def condition(prop: str, operator: str, arguments: list[str]) -> None:
        if prop not in named:
            return  # the Runtime reports listeners by these two only: a condition on another names none of them
        if operator != "EQUALS" or len(arguments) != 1:
            raise ApiFault(FaultCode.INVALID_REQUEST, f"ListenerStatus takes EQUALS with one argument for {prop}")
        named[prop].append(arguments[0])

    if text.startswith(b"{"):
        values, _ = _fields(text, "ListenerStatusQueryConfig")
        pending: list[Any] = [(values.get("QueryFilter") or {}).get("expression")]
        while pending:
            expression = pending.pop()
            if not isinstance(expression, dict):
                continue
            if "nestedExpression" in expression:
                nested = expression["nestedExpression"]
                pending.extend(nested if isinstance(nested, list) else [nested])
            elif "property" in expression:
                arguments = expression.get("argument") or []
                given = [str(a) for a in (arguments if isinstance(arguments, list) else [arguments])]
                condition(str(expression["property"]), str(expression.get("operator", "")), given)
    else:
        _, element = _fields(text, "QueryConfig")
        for found in (
            element.iter(f"{{{NS_DATA}}}expression", f"{{{NS_DATA}}}nestedExpression") if element is not None else ()
        ):
            if found.get("property") is not None:
                given = [a.text or "" for a in found.iterfind(f"{{{NS_DATA}}}argument")]
                condition(found.get("property", ""), found.get("operator", ""), given)
    return tuple(named["containerId"]), tuple(named["listenerId"])


def _listener_query(store: AccountStore, account_id: str, body: bytes) -> ActionReply:
    scope = _listener_scope(body)
    for container in scope[0]:
        _atom(store, container, "containerId")
    return _token(store, "ListenerStatus", account_id, scope)


def _listener_response(store: AccountStore, account_id: str, token: str) -> ActionReply:
    scope = _redeem("ListenerStatus", account_id, token)
    waiting = _in_progress(token)
    if waiting is not None:
        return waiting
    containers, listener_ids = scope if isinstance(scope, tuple) else ((), ())
    found = [
        {"listenerId": lst.listener_id, "status": lst.status, "connectorType": lst.connector_type}
        for lst in runtimes(store).listeners(containers, listener_ids)
    ]
    found.extend(dict(record.element.attrib) for record in store.all("ListenerStatus"))  # seeded ones: any Runtime
    children = []
    for values in found:
        child = etree.Element(f"{{{NS_DATA}}}result", values)
        child.set(f"{{{NS_XSI}}}type", "bns:ListenerStatus")
        children.append(child)
    results = [{"@type": "ListenerStatus", **values} for values in found]
    attributes = (("responseStatusCode", 200), ("numberOfResults", len(children)))
    return ActionReply(200, "AsyncOperationResult", attributes, tuple(children), (("result", results),))


def _runtime_of(record: Record) -> set[str]:
    found = {record.key, *(record.element.get(k, "") for k in _RUNTIME_KEYS)}  # seeded by Runtime id, or naming it
    found.update(record.element.findtext(f"{{{NS_DATA}}}{k}") or "" for k in _RUNTIME_KEYS)
    return found - {""}


def _async_response(store: AccountStore, release: Release, account_id: str, kind: str, token: str) -> ActionReply:
    runtime = str(_redeem(kind, account_id, token))
    waiting = _in_progress(token)
    if waiting is not None:
        return waiting
    records = [r for r in store.all(kind) if runtime in _runtime_of(r)]
    reported = None if records else runtimes(store).report(kind, runtime)  # a stored record wins: seeded by a test
    if reported is not None:
        records = [Record(kind, runtime, build_object(release.index, kind, reported))]
    holder = etree.Element(f"{{{NS_DATA}}}holder", nsmap={"bns": NS_DATA, "xsi": NS_XSI})
    for record in records:
        emit(holder, f"{{{NS_DATA}}}result", record, "bns", release.index.types.get(record.type))
    attributes = (("responseStatusCode", 200), ("numberOfResults", len(records)))
    return ActionReply(200, "AsyncOperationResult", attributes, tuple(holder), schema_json=True)


def _java_rollback(store: AccountStore, release: Release, container_id: str, body: bytes) -> ActionReply:
    """JavaRollback EXECUTE: "the container must be online"; answers the JavaRollback as sent."""
    values, _ = _fields(body, "JavaRollback")
    atom = _atom(store, values.get("atomId") or container_id, "atomId")
    runtime = runtimes(store).get(atom)
    if runtime is None or not runtime.online:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"Runtime {atom} is not online: Java cannot be rolled back")
    runtime.java_rollbacks += 1
    holder = etree.Element(f"{{{NS_DATA}}}holder", nsmap={"bns": NS_DATA, "xsi": NS_XSI})
    record = Record("JavaRollback", atom, build_object(release.index, "JavaRollback", {"atomId": atom}))
    found = emit(holder, f"{{{NS_DATA}}}JavaRollback", record, "bns", release.index.types.get("JavaRollback"))
    return ActionReply(200, schema_json=True, element=found)


def _merge(store: AccountStore, release: Release, key: str, body: bytes) -> ActionReply:
    """MergeRequest EXECUTE: MERGE, REVERT or RETRY_DRAFTING from the stages Boomi's page allows; the new stage."""
    values, _ = _fields(body, "MergeRequest")
    action = str(values.get("mergeRequestAction") or "")
    if action not in _MERGE_ACTIONS:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"mergeRequestAction must be one of {', '.join(_MERGE_ACTIONS)}")
    record = store.get("MergeRequest", str(values.get("id") or key))
    if record is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"MergeRequest with id {key} does not exist")
    allowed, stage = _MERGE_ACTIONS[action]
    current, previous = record.element.get("stage", ""), record.element.get("previousStage", "")
    if current not in allowed or (current == "DELETED" and previous != "MERGED"):
        raise ApiFault(FaultCode.INVALID_REQUEST, f"{action} cannot start from stage {current or 'none'}")
    element = copy.deepcopy(record.element)
    element.set("previousStage", current)
    element.set("stage", stage)
    element.set("mergeRequestAction", action)
    changed = Record("MergeRequest", record.key, element)
    store.put(changed)
    holder = etree.Element(f"{{{NS_DATA}}}holder", nsmap={"bns": NS_DATA, "xsi": NS_XSI})
    found = emit(holder, f"{{{NS_DATA}}}MergeRequest", changed, "bns", release.index.types.get("MergeRequest"))
    return ActionReply(200, schema_json=True, element=found)


def _map_extension(store: AccountStore, release: Release, key: str) -> ActionReply:
    """EXECUTE "returns the current Environment Map Extension configuration similar to the GET operation"."""
    record = store.get("EnvironmentMapExtension", key)
    if record is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"EnvironmentMapExtension with id {key} does not exist")
    holder = etree.Element(f"{{{NS_DATA}}}holder", nsmap={"bns": NS_DATA, "xsi": NS_XSI})
    found = emit(holder, f"{{{NS_DATA}}}EnvironmentMapExtension", record, "bns", release.index.types.get(record.type))
    return ActionReply(200, schema_json=True, element=found)


def _refresh_secrets(account_id: str, body: bytes) -> ActionReply:
    values, _ = _fields(body, "SecretsManagerRefreshRequest")
    provider = str(values.get("provider") or "")
    if provider not in ("AWS", "AZURE"):
        raise ApiFault(FaultCode.INVALID_REQUEST, f"provider must be AWS or AZURE, not {provider!r}")
    names = {"AWS": "AWS Secrets Manager", "AZURE": "Azure Key Vault"}
    message = f"{names[provider]} refresh messages have been sent to all containers in {account_id}"
    return ActionReply(200, "SecretsManagerRefreshResponse", (("message", message),), schema_json=True)


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


def answer(
    store: AccountStore, release: Release, account_id: str, method: str, parts: list[str], body: bytes
) -> ActionReply:
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
        return _listener_query(store, account_id, body)
    if method == "GET" and len(parts) == 4 and parts[:3] == ["async", "ListenerStatus", "response"]:
        return _listener_response(store, account_id, parts[3])
    if method == "GET" and parts[0] == "async" and parts[1] in ASYNC_TYPES:
        if len(parts) == 4 and parts[2] == "response":
            return _async_response(store, release, account_id, parts[1], parts[3])
        if len(parts) == 3:
            return _token(store, parts[1], account_id, _atom(store, parts[2], "id"))
    if method == "POST" and parts[0] == "cloudAttachmentSecretsConfiguration":
        return _secrets(store, parts[1], body)
    if method == "POST" and parts == ["refreshSecretsManager"]:
        return _refresh_secrets(account_id, body)
    if method == "POST" and parts[:2] == ["EnvironmentMapExtension", "execute"]:
        return _map_extension(store, release, parts[2])
    if method == "POST" and parts[:2] == ["JavaRollback", "execute"]:
        return _java_rollback(store, release, parts[2], body)
    if method == "POST" and parts[:2] == ["MergeRequest", "execute"]:
        return _merge(store, release, parts[2], body)
    raise ApiFault(FaultCode.UNSUPPORTED, f"{method} {path} is not an operation of the platform API")


def create(
    store: AccountStore,
    release: Release,
    info: TypeInfo,
    element: etree._Element,
    *,
    account_id: str,
    endpoint: str,
    timeline: tuple[float, float, float],
) -> Record:
    """Do the CREATE of an :data:`ACTION_CREATES` type and return what it answers (nothing is stored).

    Args:
        store: The account's store.
        release: The contract in force.
        info: The object type.
        element: The canonical request object.
        account_id: The account the call acts on.
        endpoint: The account's SOAP endpoint (download and record URLs start with it).
        timeline: The service's execution timeline (a rerun's).

    Raises:
        ApiFault: For what Boomi's page refuses (an unknown run, a duration out of range ...).
    """
    if info.name == "ExecutionArtifacts":
        execution_id = (element.get("executionId") or "").strip()
        if not execution_id:
            raise ApiFault(FaultCode.INVALID_REQUEST, "executionId is required")
        return executions.artifacts(store, release, endpoint, execution_id)
    if info.name in ("MoveQueueRequest", "RuntimeRestartRequest"):
        return _runtime_create(store, release, info.name, element)
    if info.name in ("AtomWorkerLog", "ConnectorDocument"):
        return _document(store, release, endpoint, info.name, element)
    if info.name == "RerunDocument":
        if (
            element.find(f"{{{NS_DATA}}}AllDocuments") is None
            and element.find(f"{{{NS_DATA}}}SelectedDocuments") is None
        ):
            raise ApiFault(FaultCode.INVALID_REQUEST, "AllDocuments or SelectedDocuments is required")
        original = (element.get("originalExecutionId") or "").strip()
        request_id, _ = executions.rerun(store, release, timeline, account_id=account_id, original_id=original)
        with_field(info, element, "requestId", request_id)
        with_field(info, element, "recordUrl", f"{endpoint}/ExecutionRecord/async/{request_id}")
        return Record(info.name, request_id, element)
    return _installer_token(store, info, element, account_id)


def _queue_attributes(element: etree._Element, name: str) -> tuple[str, bool, str | None]:
    found = element.find(f"{{{NS_DATA}}}{name}")
    queue = (found.get("QueueName") or "").strip() if found is not None else ""
    if found is None or not queue:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"{name} with a QueueName is required")
    dead_letters = (found.get("DLQ") or "false").lower() in ("true", "1")
    return queue, dead_letters, (found.get("SubscriberName") or "").strip() or None


def _runtime_create(store: AccountStore, release: Release, kind: str, element: etree._Element) -> Record:
    """MoveQueueRequest (move a queue's messages) and RuntimeRestartRequest: accepted, as Boomi's pages answer."""
    if kind == "MoveQueueRequest":
        atom = _atom(store, element.get("AtomId"), "AtomId")
        source, target = _queue_attributes(element, "SourceQueue"), _queue_attributes(element, "DestinationQueue")
        runtimes(store).move_queue(atom, source, target)
        message = f"Request submitted to atom id: {atom} to move queue messages from {source[0]} to {target[0]}"
        answer = build_object(release.index, "QueueMessageResponse", {"message": message})
        return Record("QueueMessageResponse", atom, answer)
    runtime = _atom(store, element.get("runtimeId"), "runtimeId")
    found = store.get("Atom", runtime)
    if found is not None and (found.element.get("isCloudAttachment") or "").lower() == "true":
        raise ApiFault(FaultCode.INVALID_REQUEST, f"Runtime {runtime} is a cloud attachment: it cannot be restarted")
    runtimes(store).restart(runtime)
    message = f"Restart request submitted for runtimeId `{runtime}`. {_RESTART_HINT}"
    answer = build_object(release.index, kind, {"runtimeId": runtime, "message": message})
    return Record(kind, runtime, answer)


def _document(store: AccountStore, release: Release, endpoint: str, kind: str, element: etree._Element) -> Record:
    """AtomWorkerLog and ConnectorDocument: a download URL (202 until ready, as a log's), like Boomi's answers."""
    if kind == "AtomWorkerLog":
        worker = (element.get("workerId") or "").strip()
        if not worker:
            raise ApiFault(FaultCode.INVALID_REQUEST, "workerId is required")
        return executions.log_download(store, release, endpoint, worker, _DOCUMENT_BYTES)
    record_id = (element.get("genericConnectorRecordId") or "").strip()
    if not record_id:
        raise ApiFault(FaultCode.INVALID_REQUEST, "genericConnectorRecordId is required")
    connector_record = store.get("GenericConnectorRecord", record_id)
    if connector_record is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"GenericConnectorRecord with id {record_id} does not exist")
    issued = executions.log_download(store, release, endpoint, record_id, 1)
    url = issued.element.get("url", "")
    values = {etree.QName(c).localname: c.text or "" for c in connector_record.element if isinstance(c.tag, str)}
    document = {"genericConnectorRecordId": record_id, **dict(connector_record.element.attrib), **values}
    store.downloads[url.rpartition("/")[2]] = json.dumps(document, indent=2, sort_keys=True).encode()
    values = {"url": url, "message": "Beginning download.", "statusCode": "202"}
    return Record(
        "ConnectorDocumentDownload", record_id, build_object(release.index, "ConnectorDocumentDownload", values)
    )


def _installer_token(store: AccountStore, info: TypeInfo, element: etree._Element, account_id: str) -> Record:
    kind = (element.get("installType") or "").strip()
    if not kind:
        raise ApiFault(FaultCode.INVALID_REQUEST, "installType is required")
    low, high = _TOKEN_MINUTES
    minutes = int(element.get("durationMinutes") or 0)  # the schema checked it is an xs:int
    if not low <= minutes <= high:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"durationMinutes must be between {low} and {high}, not {minutes}")
    cloud = (element.get("cloudId") or "").strip()
    if kind == "CLOUD" and not cloud:
        raise ApiFault(FaultCode.INVALID_REQUEST, "cloudId is required for a CLOUD installer token")
    if cloud and store.get("Cloud", cloud) is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"Cloud with id {cloud} does not exist")
    created = datetime.now(UTC)
    created = created.replace(microsecond=created.microsecond // 1000 * 1000)

    def stamp(moment: datetime) -> str:  # as Boomi's example: milliseconds, Z
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    answer = etree.Element(element.tag, nsmap=element.nsmap)
    values = {
        "accountId": account_id,
        "cloudId": cloud or None,
        "created": stamp(created),
        "durationMinutes": str(minutes),
        "expiration": stamp(created + timedelta(minutes=minutes)),
        "installType": kind,
        "token": f"{kind.lower()}-{uuid.uuid4()}",
    }
    for name, value in values.items():
        if value is not None:
            with_field(info, answer, name, value)
    return Record(info.name, values["token"] or "", answer)
