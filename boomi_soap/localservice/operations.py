"""What each SOAP operation does to an account's store.

Every handler receives the schema-valid request wrapper and fills the response
wrapper.  The schema marks every wrapper child optional (as JAX-WS writes them);
like Boomi, the handlers still refuse a call that lacks what it needs.
"""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime
from typing import Final

from lxml import etree

from boomi_soap.localservice import actions, deployments, executions, ipacks
from boomi_soap.localservice.calls import CallContext, Handler, object_type, typed_object
from boomi_soap.localservice.contract import NS_DATA, NS_XSI, TypeInfo
from boomi_soap.localservice.errors import ApiFault, FaultCode
from boomi_soap.localservice.model import Record, build_object, emit, field_values, id_field, with_field
from boomi_soap.localservice.query import run_query

__all__ = ["HANDLERS", "CallContext", "Handler"]


def _data(name: str) -> str:
    return f"{{{NS_DATA}}}{name}"


def _child_text(request: etree._Element, tag: str, label: str) -> str:
    child = request.find(tag)
    text = (child.text or "").strip() if child is not None else ""
    if not text:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"{label} is required")
    return text


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def op_get(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
    """``get``: one object by type and id."""
    info = object_type(ctx, _child_text(request, ctx.inp("objectType"), "objectType"), "GET")
    key = _child_text(request, ctx.inp("objectId"), "objectId")
    record = ctx.store.get(info.name, key)
    if record is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"{info.name} with id {key} does not exist")
    emit(response, ctx.out("result"), record, ctx.data_prefix, ctx.release.index.types.get(record.type))


def op_query(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
    """``query``: the first page of objects matching a filter."""
    info = object_type(ctx, _child_text(request, ctx.inp("objectType"), "objectType"), "QUERY")
    config = request.find(ctx.inp("queryConfig"))
    page = run_query(ctx.store, info, ctx.release.rules.get(info.name), config)
    _write_page(ctx, response, page.records, page.token)


def _write_page(ctx: CallContext, response: etree._Element, records: tuple[Record, ...], token: str | None) -> None:
    results = etree.SubElement(response, ctx.out("results"), numberOfResults=str(len(records)))
    if token is not None:
        etree.SubElement(results, _data("queryToken")).text = token
    for record in records:
        emit(results, _data("result"), record, ctx.data_prefix, ctx.release.index.types.get(record.type))


def op_query_more(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
    """``queryMore``: the page a ``queryToken`` stands for."""
    token = _child_text(request, ctx.inp("queryToken"), "queryToken")
    page = ctx.store.next_page(token)
    if page is None:
        raise ApiFault(FaultCode.INVALID_REQUEST, "Invalid or expired queryToken")
    _write_page(ctx, response, page.records, page.token)


def op_create(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
    """``create``: store a new object; ``ExecutionRequest`` starts an execution."""
    info, element = typed_object(ctx, request, "CREATE")
    if info.name == "ExecutionRequest":
        record = _execution_request(ctx, info, element)
    elif info.name == "PackagedComponent":
        record = deployments.create_packaged_component(ctx.store, ctx.release, element)
    elif info.name == "DeployedPackage":
        record = deployments.create_deployed_package(ctx.store, ctx.release, element)
    elif info.name in ("ProcessLog", "AtomLog"):
        record = _log_request(ctx, info.name, element)
    elif info.name in actions.ACTION_CREATES:  # ExecutionArtifacts, RerunDocument, InstallerToken
        timeline = ctx.config.execution_timeline
        record = actions.create(
            ctx.store, ctx.release, info, element, account_id=ctx.account_id, endpoint=ctx.endpoint, timeline=timeline
        )
    elif info.name == "Folder":
        _place_folder(ctx, info, element)
        record = _insert(ctx, info, element)
    else:
        _check_references(ctx, info, element)
        record = _insert(ctx, info, element)
    emit(response, ctx.out("result"), record, ctx.data_prefix, ctx.release.index.types.get(record.type))


def _insert(ctx: CallContext, info: TypeInfo, element: etree._Element) -> Record:
    key_field = id_field(info)
    given = None
    if key_field is not None:
        values = field_values(Record(info.name, "", element), key_field)
        given = values[0].strip() if values and values[0].strip() else None
    if given is not None:
        if ctx.store.get(info.name, given) is not None:
            raise ApiFault(FaultCode.INVALID_REQUEST, f"{info.name} with id {given} already exists")
        record = Record(info.name, given, element)
        ctx.store.put(record)
        return record

    def make(key: str) -> Record:
        if key_field is not None:
            with_field(info, element, key_field.name, key)
        return Record(info.name, key, element)

    return ctx.store.add_new(info.name, make)


def _place_folder(ctx: CallContext, info: TypeInfo, element: etree._Element, stored: Record | None = None) -> None:
    """Fill what Boomi derives for a Folder: its parent (the root when none is named), path, state.

    ``stored``: the folder an update replaces; without a ``parentId`` it stays where it is.
    """
    parent_id = (element.get("parentId") or "").strip()
    if not parent_id and stored is not None:
        parent_id = (stored.element.get("parentId") or "").strip()
    if parent_id:
        parent = ctx.store.get("Folder", parent_id)
        if parent is None:
            raise ApiFault(FaultCode.NOT_FOUND, f"Folder with id {parent_id} does not exist")
    elif stored is not None:  # the root folder itself
        parent = None
    else:  # Boomi files a folder without a parent under the account's root folder
        parent = next((r for r in ctx.store.all("Folder") if not r.element.get("parentId")), None)
    name = element.get("name", "")
    if parent is not None:
        with_field(info, element, "parentId", parent.key)
        with_field(info, element, "parentName", parent.element.get("name", ""))
    base = parent.element.get("fullPath", parent.element.get("name", "")) if parent is not None else ""
    with_field(info, element, "fullPath", f"{base}/{name}" if base else name)
    kept = (element.get("deleted") or stored.element.get("deleted")) if stored is not None else None
    with_field(info, element, "deleted", kept or "false")  # a new folder is never deleted


_REFERENCES: Final = {
    "EnvironmentAtomAttachment": (("atomId", "Atom"), ("environmentId", "Environment")),
    "Deployment": (("environmentId", "Environment"), ("processId", "Process")),
}


def _check_references(ctx: CallContext, info: TypeInfo, element: etree._Element) -> None:
    for field_name, target in _REFERENCES.get(info.name, ()):
        declared = info.lookup(field_name)
        if declared is None:
            continue
        for value in field_values(Record(info.name, "", element), declared):
            if ctx.store.get(target, value.strip()) is None:
                raise ApiFault(FaultCode.NOT_FOUND, f"{target} with id {value.strip()} does not exist")


def _find_process(ctx: CallContext, process_id: str | None, process_name: str | None) -> Record:
    if process_id:
        record = ctx.store.get("Process", process_id)
        if record is None:
            raise ApiFault(FaultCode.NOT_FOUND, f"Process with id {process_id} does not exist")
        return record
    if not process_name:
        raise ApiFault(FaultCode.INVALID_REQUEST, "processId or processName is required")
    named = [r for r in ctx.store.all("Process") if r.element.get("name") == process_name]
    if not named:
        raise ApiFault(FaultCode.NOT_FOUND, f"Process named {process_name} does not exist")
    if len(named) > 1:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"Process name {process_name} is not unique; use processId")
    return named[0]


def _start_execution(ctx: CallContext, process: Record, atom_id: str) -> Record:
    atom = ctx.store.get("Atom", atom_id)
    if atom is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"Atom with id {atom_id} does not exist")
    if atom.element.get("status") == "OFFLINE":
        raise ApiFault(FaultCode.INVALID_REQUEST, f"The specified Runtime {atom_id} is offline")
    started = _now()
    execution_id = f"execution-{uuid.uuid4()}-{started:%Y.%m.%d}"
    element = build_object(
        ctx.release.index,
        "ExecutionRecord",
        {
            "account": ctx.account_id,
            "atomId": atom_id,
            "atomName": atom.element.get("name", ""),
            "executionId": execution_id,
            "executionTime": started,
            "executionType": "exec_manual",
            "launcherID": "api",
            "message": "",
            "nodeId": atom.element.get("hostName", ""),
            "originalExecutionId": execution_id,
            "parentExecutionId": "",
            "processId": process.key,
            "processName": process.element.get("name", ""),
            "recordedDate": started,
            "reportKey": str(uuid.uuid4()),
            "status": "INPROCESS",
            "topLevelExecutionId": execution_id,
        },
    )
    record = Record("ExecutionRecord", execution_id, element)
    ctx.store.put(record)
    return record


def _execution_request(ctx: CallContext, info: TypeInfo, element: etree._Element) -> Record:
    process = _find_process(ctx, element.get("processId"), element.get("processName"))
    atom_id = element.get("atomId", "")
    atom = ctx.store.get("Atom", atom_id)
    if atom is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"Atom with id {atom_id} does not exist")
    properties = {
        p.get("name", ""): p.get("value", "")
        for p in element.iterfind(f"{_data('DynamicProcessProperties')}/{_data('DynamicProcessProperty')}")
    }
    request_id, _ = executions.start(
        ctx.store,
        ctx.release,
        ctx.config.execution_timeline,
        account_id=ctx.account_id,
        process=process,
        atom=atom,
        properties=properties,
    )
    with_field(info, element, "requestId", request_id)
    with_field(info, element, "recordUrl", f"{ctx.endpoint}/ExecutionRecord/async/{request_id}")
    return Record(info.name, request_id, element)


def _log_request(ctx: CallContext, type_name: str, element: etree._Element) -> Record:
    if type_name == "ProcessLog":
        subject = element.get("executionId", "")
        if ctx.store.get("ExecutionRecord", subject) is None:
            raise ApiFault(FaultCode.NOT_FOUND, f"ExecutionRecord with id {subject} does not exist")
    else:
        subject = element.get("atomId", "")
        if ctx.store.get("Atom", subject) is None:
            raise ApiFault(FaultCode.NOT_FOUND, f"Atom with id {subject} does not exist")
    return executions.log_download(ctx.store, ctx.release, ctx.endpoint, subject, ctx.config.log_bytes)


def op_execute_process(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
    """``executeProcess``: start a process on an Atom; records an ``ExecutionRecord``."""
    atom_id = _child_text(request, ctx.inp("atomId"), "atomId")
    process_id = request.findtext(ctx.inp("processId"), "").strip() or None
    process_name = request.findtext(ctx.inp("processName"), "").strip() or None
    _start_execution(ctx, _find_process(ctx, process_id, process_name), atom_id)


def op_update(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
    """``update``: replace a whole object (Boomi's UPDATE overwrites)."""
    info, element = typed_object(ctx, request, "UPDATE")
    key_field = id_field(info)
    values = field_values(Record(info.name, "", element), key_field) if key_field else []
    key = values[0].strip() if values else _runtime_key(info, element)
    if not key:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"{key_field.name if key_field else 'id'} is required")
    if ctx.store.get(info.name, key) is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"{info.name} with id {key} does not exist")
    _check_references(ctx, info, element)
    stored = ctx.store.get(info.name, key)
    if info.name == "Folder":
        _place_folder(ctx, info, element, stored)
    if info.name == "EnvironmentExtensions" and element.get("partial") == "true" and stored is not None:
        element = deployments.merge_extensions(stored, element)
        element.attrib.pop("partial", None)
    record = Record(info.name, key, element)
    ctx.store.put(record)
    emit(response, ctx.out("result"), record, ctx.data_prefix, ctx.release.index.types.get(record.type))


def _runtime_key(info: TypeInfo, element: etree._Element) -> str:
    """The key of an object with no id field (AtomSecurityPolicies, RuntimeProperties ...), as its REST path names it.

    ``{type}Id``, else the first attribute ending in ``Id`` (``atomId``, ``containerId``), else
    the first such child element: the rule the REST path's id is checked against.
    """
    lowered = info.name[:1].lower() + info.name[1:]
    named = element.get(f"{lowered}Id") or element.findtext(_data(f"{lowered}Id"))
    if named and named.strip():
        return named.strip()
    found = next((v.strip() for k, v in sorted(element.attrib.items()) if k.endswith("Id") and v.strip()), "")
    children = (c for c in element if isinstance(c.tag, str) and etree.QName(c).localname.endswith("Id"))
    return found or next((text for c in children if (text := (c.text or "").strip())), "")


def op_delete(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
    """``delete``: remove an object; ``successful`` is false when it did not exist."""
    info = object_type(ctx, _child_text(request, ctx.inp("objectType"), "objectType"), "DELETE")
    key = _child_text(request, ctx.inp("objectId"), "objectId")
    if info.name == "DeployedPackage":
        deleted = deployments.delete_deployed_package(ctx.store, ctx.release, key)
    else:
        deleted = ctx.store.delete(info.name, key)
    etree.SubElement(response, ctx.out("successful")).text = "true" if deleted else "false"


def op_get_assignable_roles(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
    """``getAssignableRoles``: the account's roles, as one ``Roles`` result."""
    roles = build_object(ctx.release.index, "Roles", {})
    for role in ctx.store.all("Role"):
        copy = etree.SubElement(roles, _data("Role"))
        copy.attrib.update(role.element.attrib)
        copy.extend(list(etree.fromstring(etree.tostring(role.element))))
    emit(response, ctx.out("result"), Record("Roles", "", roles), ctx.data_prefix)


def op_cancel_execution(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
    """``cancelExecution``: mark a running execution ``ABORTED``."""
    executions.cancel(ctx.store, ctx.release, _child_text(request, ctx.inp("executionId"), "executionId"))


def op_change_listener_status(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
    """``changeListenerStatus``: pause, resume or restart listeners; an empty answer means accepted."""
    found = request.find(_data("ChangeListenerStatusRequest"))
    body = etree.tostring(found) if found is not None else b""
    actions.answer(ctx.store, ctx.release, ctx.store.account_id, "POST", ["changeListenerStatus"], body)


def op_execute(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
    """``execute``: the EXECUTE actions the REST API also has (ClearQueue ...), answered as over REST."""
    found = request.find(ctx.inp("object"))
    if found is None:
        found = request.find(_data("object"))
    if found is None:
        raise ApiFault(FaultCode.INVALID_REQUEST, "object is required")
    kind = str(found.get(f"{{{NS_XSI}}}type", "")).rpartition(":")[2]
    names = {"ClearQueueRequest": "ClearQueue", "JavaRollback": "JavaRollback", "MergeRequest": "MergeRequest"}
    if kind not in names:
        raise ApiFault(FaultCode.UNSUPPORTED, f"execute of {kind or 'an untyped object'} is not simulated")
    atom = found.get("AtomId") or found.get("atomId") or ""
    reply = actions.answer(
        ctx.store, ctx.release, ctx.store.account_id, "POST", [names[kind], "execute", atom], etree.tostring(found)
    )
    if reply.element is not None:  # a whole object (JavaRollback, MergeRequest), typed as its tag names it
        result = etree.SubElement(response, ctx.out("result"))
        result.set(f"{{{NS_XSI}}}type", f"{ctx.data_prefix}:{etree.QName(reply.element).localname}")
        result.attrib.update({k: v for k, v in reply.element.attrib.items() if k != f"{{{NS_XSI}}}type"})
        result.extend(copy.deepcopy(child) for child in reply.element)
    elif reply.root:
        result = etree.SubElement(response, ctx.out("result"))
        result.set(f"{{{NS_XSI}}}type", f"{ctx.data_prefix}:{reply.root}")
        for name, value in reply.attributes:
            result.set(name, str(value))


HANDLERS: Final[dict[str, Handler]] = {
    "cancelExecution": op_cancel_execution,
    "changeListenerStatus": op_change_listener_status,
    "create": op_create,
    "delete": op_delete,
    "execute": op_execute,
    "executeProcess": op_execute_process,
    "get": op_get,
    "getAssignableRoles": op_get_assignable_roles,
    "query": op_query,
    "queryMore": op_query_more,
    "update": op_update,
}
HANDLERS.update(ipacks.hooks(HANDLERS))  # integration packs: boomi_soap/localservice/ipacks.py
