"""The Connect Now JSON web services, served from the same stores as the SOAP objects.

``POST /ws/simple/<operation>`` (``DELETE`` for ``deleteInstalledIPackInstance``) with a
JSON body that carries ``auth`` (base64 ``user:password``) and ``accountId`` (the parent
account or a sub-account the user may act on).  Boomi published the request bodies,
never the answers: the answer shapes here are ours (README, "Integration packs in
sub-accounts").  A refusal answers ``{"errorMessage": "..."}`` with an HTTP error status.
The call counts against the parent account's limits, as the Partner API's do.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from lxml import etree

from boomi_soap.localservice import executions, ipacks
from boomi_soap.localservice.contract import NS_DATA
from boomi_soap.localservice.errors import ApiFault, FaultCode, SignInThrottled
from boomi_soap.localservice.model import Record, Value, build_object, canonicalise

if TYPE_CHECKING:
    from boomi_soap.localservice.host import ServiceHost
    from boomi_soap.localservice.store import AccountStore

__all__ = ["PREFIX", "handle"]

PREFIX: Final = "/ws/simple/"
RECORD_LIMIT: Final = 1000
_STATUS: Final = {FaultCode.AUTHENTICATION: 401, FaultCode.PERMISSION: 403, FaultCode.NOT_FOUND: 404}


def to_json(element: etree._Element) -> dict[str, Any]:
    """An object element as JSON: attributes as strings, leaf elements as text, others as lists."""
    out: dict[str, Any] = dict(element.attrib)
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if len(child) == 0 and not child.attrib:
            out[name] = child.text or ""
        else:
            out.setdefault(name, []).append(to_json(child))
    return out


def _record(record: Record) -> dict[str, Any]:
    return {"@type": record.type, **to_json(record.element)}


class _Call:
    def __init__(self, service: ServiceHost, store: AccountStore, account_id: str, body: Mapping[str, Any]) -> None:
        self.service = service
        self.store = store
        self.account_id = account_id
        self.body = body
        self.index = service.release.index

    def text(self, name: str, *, required: bool = True) -> str:
        value = self.body.get(name)
        if value is None or value == "":
            if required:
                raise ApiFault(FaultCode.INVALID_REQUEST, f"{name} is required")
            return ""
        return _scalar(value, name)

    def extension(self) -> Record:
        found = ipacks.extensions_of(self.store, self.text("id"))
        if not found:
            raise ApiFault(FaultCode.NOT_FOUND, f"Integration pack instance {self.text('id')} is attached nowhere")
        return found[0]

    def section(self, path: str) -> list[dict[str, Any]]:
        return [to_json(e) for e in self.extension().element.iterfind(path)]


def _data(name: str) -> str:
    return f"{{{NS_DATA}}}{name}"


def _available(call: _Call) -> dict[str, Any]:
    ipacks.ensure_seeded(call.store, call.index)
    both = call.text("@type", required=False).upper() == "BOTH"  # MULTI only by default, as documented
    packs = [r for r in call.store.all("IntegrationPack") if both or r.element.get("installationType") == "MULTI"]
    return {"IntegrationPack": [_record(r) for r in packs]}


def _installed(call: _Call) -> dict[str, Any]:
    return {"IntegrationPackInstance": [_record(r) for r in call.store.all("IntegrationPackInstance")]}


def _deploy(call: _Call) -> dict[str, Any]:
    override = call.text("integrationPackOverrideName", required=False) or None
    instance = ipacks.install(call.store, call.index, call.text("integrationPackId"), override)
    attachment = ipacks.attach(call.store, call.index, instance.key, call.text("environmentId"))
    return {
        "IntegrationPackInstance": _record(instance),
        "IntegrationPackEnvironmentAttachment": _record(attachment),
    }


def _processes(call: _Call) -> dict[str, Any]:
    instance = call.store.get("IntegrationPackInstance", call.text("id"))
    if instance is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"IntegrationPackInstance with id {call.text('id')} does not exist")
    return {"ProcessId": [to_json(p) for p in instance.element.iterchildren(_data("ProcessId"))]}


def _execute(call: _Call) -> dict[str, Any]:
    process = call.store.get("Process", call.text("id"))
    if process is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"Process with id {call.text('id')} does not exist")
    group = next((p.get("integrationPackInstanceId", "") for p in process.element.iter(_data("IntegrationPack"))), "")
    environments = set(ipacks.instance_environments(call.store, group))
    attached = [
        a.element.get("atomId", "")
        for a in call.store.all("EnvironmentAtomAttachment")
        if a.element.get("environmentId") in environments
    ]
    atom = call.store.get("Atom", attached[0]) if attached else None
    if atom is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"No Atom runs process {process.key}")
    request_id, execution_id = executions.start(
        call.store,
        call.service.release,
        call.service.config.execution_timeline,
        account_id=call.account_id,
        process=process,
        atom=atom,
        properties={},
    )
    return {"requestId": request_id, "executionId": execution_id, "processId": process.key, "atomId": atom.key}


def _connections(call: _Call) -> dict[str, Any]:
    return {"connections": call.section(f"{_data('connections')}/{_data('connection')}")}


def _properties(call: _Call) -> dict[str, Any]:
    return {"processPropertyContainers": call.section(f"{_data('processProperties')}/{_data('ProcessProperty')}")}


def _tables(call: _Call) -> dict[str, Any]:
    return {"crossReferenceTables": call.section(f"{_data('crossReferences')}/{_data('crossReference')}")}


def _maps(call: _Call) -> dict[str, Any]:
    return {"Maps": [_record(r) for r in ipacks.maps_of(call.store, call.text("id"))]}


def _records(call: _Call) -> dict[str, Any]:
    raw = call.text("date")
    try:
        since = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"date {raw!r} is not yyyy-MM-dd'T'HH:mm:ss.SSS") from None
    since = since if since.tzinfo else since.replace(tzinfo=UTC)

    def started(record: Record) -> datetime:
        text = record.element.findtext(_data("executionTime")) or "1970-01-01T00:00:00Z"
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    found = sorted((r for r in call.store.all("ExecutionRecord") if started(r) >= since), key=started)
    return {"ExecutionRecord": [_record(r) for r in itertools.islice(found, RECORD_LIMIT)]}


def _token_url(call: _Call) -> dict[str, Any]:
    url, expires = ipacks.token_url(
        call.store,
        call.service.endpoint(call.account_id),
        environment_id=call.text("environmentId"),
        extension_group_id=call.text("extensionGroupId"),
        connection_id=call.text("connectionId"),
        field_id=call.text("fieldId"),
    )
    return {"url": url, "expires": expires.isoformat().replace("+00:00", "Z")}


def _schedules(call: _Call) -> dict[str, Any]:
    return {"ProcessSchedules": [_record(r) for r in ipacks.schedules_of(call.store, call.text("id"))]}


def _delete(call: _Call) -> dict[str, Any]:
    if not ipacks.uninstall(call.store, call.text("id")):
        raise ApiFault(FaultCode.NOT_FOUND, f"IntegrationPackInstance with id {call.text('id')} does not exist")
    return {"deleted": True, "id": call.text("id")}


def _profile(call: _Call) -> dict[str, Any]:
    account = call.store.get("Account", call.account_id)
    return {"Account": _record(account) if account else {"accountId": call.account_id}}


def _environments(call: _Call) -> dict[str, Any]:
    return {"Environment": [_record(r) for r in call.store.all("Environment")]}


# What XML 1.0 cannot carry in an attribute or text (lxml would raise on it).
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _items(value: object, name: str) -> list[Mapping[str, Any]]:
    """A JSON list of objects (absent: empty), or the 400 naming the field."""
    if value is None or value == "":
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ApiFault(FaultCode.INVALID_REQUEST, f"{name} must be a list of objects")
    return value


def _object(value: object, name: str) -> Mapping[str, Any]:
    """A JSON object (absent: empty), or the 400 naming the field."""
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise ApiFault(FaultCode.INVALID_REQUEST, f"{name} must be an object")
    return value


def _scalar(value: object, name: str) -> str:
    """A JSON string, number or boolean as the text XML stores, or the 400 naming the field."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str | int | float):
        raise ApiFault(FaultCode.INVALID_REQUEST, f"{name} must be a string, number or boolean")
    text = str(value)
    if _NOT_XML.search(text):
        raise ApiFault(FaultCode.INVALID_REQUEST, f"{name} holds a character XML cannot carry")
    return text


def _attributes(item: Mapping[str, Any], *names: str) -> dict[str, str]:
    return {n: _scalar(item[n], n) for n in names if n in item}


def _upsert(call: _Call) -> dict[str, Any]:
    group = call.text("iPackInstanceId")
    stored = ipacks.extensions_of(call.store, group)
    if not stored:
        raise ApiFault(FaultCode.NOT_FOUND, f"Integration pack instance {group} is attached nowhere")
    update = etree.Element(_data("result"))
    connections = etree.SubElement(update, _data("connections"))
    for connection in _items(call.body.get("connections"), "connections"):
        element = etree.SubElement(connections, _data("connection"), _attributes(connection, "id", "name"))
        for field in _items(connection.get("field"), "field"):
            etree.SubElement(element, _data("field"), _attributes(field, "id", "value"))
    properties = etree.SubElement(update, _data("processProperties"))
    for container in _items(call.body.get("processPropertyContainers"), "processPropertyContainers"):
        element = etree.SubElement(properties, _data("ProcessProperty"), _attributes(container, "id", "name"))
        for value in _items(container.get("processProperties"), "processProperties"):
            etree.SubElement(element, _data("ProcessPropertyValue"), _attributes(value, "key", "value"))
    tables = etree.SubElement(update, _data("crossReferences"))
    for table in _items(call.body.get("crossReferenceTables"), "crossReferenceTables"):
        element = etree.SubElement(tables, _data("crossReference"), _attributes(table, "id", "name", "overrideValues"))
        rows = etree.SubElement(element, _data("CrossReferenceRows"))
        for row in _items(_object(table.get("CrossReferenceRows"), "CrossReferenceRows").get("row"), "row"):
            etree.SubElement(rows, _data("row"), _attributes(row, *(f"ref{i}" for i in range(1, 21))))
    merged = ipacks.merge_extensions(stored[0], canonicalise(update), partial=True)
    call.store.put(Record("EnvironmentExtensions", stored[0].key, merged))
    call.body = {**call.body, "id": group}
    return {**_connections(call), **_properties(call), **_tables(call)}


def _set_schedules(call: _Call) -> dict[str, Any]:
    changed = []
    for item in _items(call.body.get("result"), "result"):
        key = _scalar(item.get("id") or "", "id")
        if call.store.get("ProcessSchedules", key) is None:
            raise ApiFault(FaultCode.NOT_FOUND, f"ProcessSchedules with id {key} does not exist")
        fields = ("minutes", "hours", "daysOfWeek", "daysOfMonth", "months", "years")
        values: dict[str, Value] = {
            "id": key,
            "atomId": _scalar(item.get("atomId") or "", "atomId"),
            "processId": _scalar(item.get("processId") or "", "processId"),
            "Schedule": [_attributes(s, *fields) for s in _items(item.get("Schedule"), "Schedule")],
        }
        retry = _object(item.get("Retry"), "Retry")
        if retry.get("maxRetry") is not None:
            maximum = retry["maxRetry"]
            if isinstance(maximum, bool) or not isinstance(maximum, int | str) or not str(maximum).isdigit():
                raise ApiFault(FaultCode.INVALID_REQUEST, "Retry.maxRetry must be a whole number")
            values["Retry"] = {"maxRetry": int(maximum)}
        record = Record("ProcessSchedules", key, build_object(call.index, "ProcessSchedules", values))
        call.store.put(record)
        changed.append(_record(record))
    return {"ProcessSchedules": changed}


_HANDLERS: Final[dict[str, Callable[[_Call], dict[str, Any]]]] = {
    "createIntegrationPackDeployment": _deploy,
    "executeIntegrationProcess": _execute,
    "getAllIPacksAvailableToAccount": _available,
    "getBoomiAccountProfile": _profile,
    "getEnvironmentsForAccount": _environments,
    "getExtendedConnectionsForInstalledIPack": _connections,
    "getExtendedCrossReferenceTablesForInstalledIPack": _tables,
    "getExtendedMapsForInstalledIPack": _maps,
    "getExtendedProcessPropertiesForInstalledIPack": _properties,
    "getProcessExecutionRecords": _records,
    "getInstalledIPacks": _installed,
    "getOAuth2AccessTokenURL": _token_url,
    "getProcessSchedules": _schedules,
    "getInstalledIPackInstanceProcesses": _processes,
    "deleteInstalledIPackInstance": _delete,
    "upsertEnvironmentExtensions": _upsert,
    "upsertProcessSchedules": _set_schedules,
}


def _answer(status: int, payload: Mapping[str, Any]) -> tuple[int, bytes]:
    return status, json.dumps(payload).encode()


def handle(service: ServiceHost, method: str, path: str, body: bytes, *, source: str = "") -> tuple[int, bytes]:
    """Answer one Connect Now request: (HTTP status, JSON body); ``source`` is the sender's address.

    A malformed request (not JSON, not an object, a field of the wrong shape) is a 400.
    """
    operation = path[len(PREFIX) :].strip("/")
    if operation not in _HANDLERS:
        return _answer(404, {"errorMessage": f"Unknown operation {operation[:80]!r}"})
    expected = "DELETE" if operation == "deleteInstalledIPackInstance" else "POST"
    if method != expected:
        return _answer(405, {"errorMessage": f"{operation} takes {expected}"})
    try:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:  # UnicodeDecodeError is one
            raise ApiFault(FaultCode.INVALID_REQUEST, "The body is not JSON") from None
        except RecursionError:
            raise ApiFault(FaultCode.INVALID_REQUEST, "The body's JSON nests too deep") from None
        if not isinstance(payload, dict):
            raise ApiFault(FaultCode.INVALID_REQUEST, "The body must be a JSON object")
        auth = payload.get("auth", "")
        username = secret = sep = ""
        if isinstance(auth, str):
            try:
                username, sep, secret = base64.b64decode(auth, validate=True).decode().partition(":")
            except ValueError:  # binascii.Error, UnicodeDecodeError, or a character beyond ASCII
                sep = ""
        try:
            user = service.sign_in(username, secret, source) if sep else None
        except SignInThrottled as throttled:
            return _answer(429, {"errorMessage": throttled.message})
        if user is None:
            raise ApiFault(FaultCode.AUTHENTICATION, "auth does not sign in")
        parent = service.config.accounts[0]
        target = str(payload.get("accountId") or "")
        if target not in (parent, *service.sub_accounts(parent)) or target not in user.accounts:
            raise ApiFault(FaultCode.PERMISSION, "Access denied due to insufficient permissions.")
        account, home = service.account(target), service.account(parent)
        if account is None or home is None:
            raise ApiFault(FaultCode.PERMISSION, "Access denied due to insufficient permissions.")
        home.limits.admit()  # counted against the parent account, as Partner API calls are
        return _answer(200, _HANDLERS[operation](_Call(service, account.store, target, payload)))
    except ApiFault as fault:
        status = _STATUS.get(fault.code, 429 if fault.http_status == 503 else 400 if fault.http_status == 500 else 500)
        return _answer(status, {"errorMessage": fault.message})
