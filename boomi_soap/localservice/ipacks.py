"""Integration packs in an account: what the SOAP objects and the Connect Now endpoints do.

The objects (Integration Pack, Integration Pack Instance, Integration Pack Environment
Attachment, Environment Extensions, Environment Map Extension, Environment Connection
Field Extension Summary, Process Schedules object pages) and Boomi's rules:

- ``IntegrationPack`` is read-only: the packs published to the account (seeded on first
  use, one ``SINGLE`` and two ``MULTI`` install packs).
- ``IntegrationPackInstance`` CREATE installs a pack: a ``SINGLE`` pack at most once and
  without an override name, a ``MULTI`` pack under a unique ``integrationPackOverrideName``.
  The instance lists its processes (``ProcessId``), which become ``Process`` objects.
- ``IntegrationPackEnvironmentAttachment`` CREATE attaches an instance to an environment:
  its extensions (``EnvironmentExtensions`` whose ``extensionGroupId`` is the instance),
  map extensions and process schedules appear there.
- ``EnvironmentExtensions`` UPDATE with ``partial="true"`` changes only what it names:
  a connection field, a process property value, a cross-reference table; the rest is kept.
  Encrypted values are write-only: never stored, read back as ``encryptedValueSet="true"``.
- ``EnvironmentConnectionFieldExtensionSummary`` QUERY (``environmentId``,
  ``extensionGroupId``, ``connectionId``, ``fieldId``) answers an OAuth2 authorization URL
  valid for 15 minutes.
- ``IntegrationPackInstance`` DELETE uninstalls: attachments, extensions, processes and
  schedules go with it.

The identifiers of the extensions of an instance in an environment, and the pack
contents, are ours (Boomi publishes none).  The functions work on a store and are shared
by the SOAP operations (:func:`hooks`) and the Connect Now endpoints
(:mod:`boomi_soap.localservice.connectnow`).
"""

from __future__ import annotations

import base64
import copy
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from lxml import etree

from boomi_soap.localservice.calls import CallContext, Handler, typed_object
from boomi_soap.localservice.contract import NS_DATA, NS_XSI, SchemaIndex
from boomi_soap.localservice.errors import ApiFault, FaultCode
from boomi_soap.localservice.model import Record, Value, build_object, emit
from boomi_soap.localservice.store import AccountStore

__all__ = [
    "PACKS",
    "TOKEN_LIFETIME",
    "Pack",
    "attach",
    "ensure_seeded",
    "extensions_of",
    "hooks",
    "install",
    "instance_environments",
    "merge_extensions",
    "schedules_of",
    "token_url",
    "token_valid",
    "uninstall",
]

TOKEN_LIFETIME: Final = timedelta(minutes=15)
_NS_IPACK: Final = uuid.UUID("6f1d2c1e-8d7a-4a3b-9c55-0b1e5a1c2d3e")


@dataclass(frozen=True)
class Pack:
    """One published integration pack and what installing it brings (ours, for the demo)."""

    name: str
    installation_type: str
    processes: tuple[str, ...]
    connection: str
    settings: tuple[tuple[str, bool], ...]  # (process property key, encrypted)
    table: str

    @property
    def id(self) -> str:
        """A stable identifier."""
        return str(uuid.uuid5(_NS_IPACK, self.name))

    def component(self, kind: str) -> str:
        """The id of one of the pack's components (connection, properties, table, map)."""
        return str(uuid.uuid5(_NS_IPACK, f"{self.name}/{kind}"))


PACKS: Final = (
    Pack(
        "Salesforce to NetSuite Orders",
        "MULTI",
        ("Sync Orders", "Sync Customers"),
        "Salesforce",
        (("batchSize", False), ("notifyEmail", False), ("apiKey", True)),
        "Order Status Codes",
    ),
    Pack("Shopify Storefront", "SINGLE", ("Import Orders",), "Shopify", (("shopDomain", False),), "Tax Codes"),
    Pack("Workday Onboarding", "MULTI", ("Provision Users",), "Workday", (("tenant", False),), "Department Codes"),
)
# Connection fields: (id, encrypted, OAuth2).
_FIELDS: Final = (("url", False, False), ("user", False, False), ("password", True, False), ("accessToken", True, True))


def _data(name: str) -> str:
    return f"{{{NS_DATA}}}{name}"


def _pack(pack_id: str) -> Pack:
    found = next((p for p in PACKS if p.id == pack_id), None)
    if found is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"IntegrationPack with id {pack_id} does not exist")
    return found


def _conceptual(*parts: str) -> str:
    return base64.b64encode(":".join(parts).encode()).decode()


def ensure_seeded(store: AccountStore, index: SchemaIndex) -> None:
    """Publish the demo packs to the account, once (packs are read-only, so none means not yet)."""
    with store._lock:
        if store.count("IntegrationPack"):
            return
        for pack in PACKS:
            values: dict[str, Value] = {
                "id": pack.id,
                "name": pack.name,
                "installationType": pack.installation_type,
                "Description": f"{pack.name} ({', '.join(pack.processes)}).",
            }
            store.put(Record("IntegrationPack", pack.id, build_object(index, "IntegrationPack", values)))


def _tokens(store: AccountStore) -> dict[str, datetime]:
    """The account's OAuth2 authorization tokens and when they expire (kept beside its objects)."""
    found: dict[str, datetime] = store.__dict__.setdefault("_oauth2_tokens", {})
    return found


def _attr(record: Record, name: str) -> str:
    return record.element.get(name, "")


def install(store: AccountStore, index: SchemaIndex, pack_id: str, override_name: str | None) -> Record:
    """Install a pack (``IntegrationPackInstance`` CREATE).

    Raises:
        ApiFault: ``NOT_FOUND`` for an unknown pack; ``INVALID_REQUEST`` for a second
            install of a ``SINGLE`` pack, an override name on one, or a name in use.
    """
    ensure_seeded(store, index)
    pack = _pack(pack_id)
    with store._lock:
        mine = [r for r in store.all("IntegrationPackInstance") if _attr(r, "integrationPackId") == pack.id]
        if pack.installation_type == "SINGLE":
            if override_name:
                raise ApiFault(FaultCode.INVALID_REQUEST, f"{pack.name} is a single-install pack: no override name")
            if mine:
                raise ApiFault(FaultCode.INVALID_REQUEST, f"{pack.name} is a single-install pack, already installed")
        name = override_name or pack.name
        if any((_attr(r, "integrationPackOverrideName") or pack.name) == name for r in mine):
            raise ApiFault(FaultCode.INVALID_REQUEST, f"An instance of {pack.name} named {name} already exists")
        instance_id = store.new_id("IntegrationPackInstance")
        process_ids = []
        for process in pack.processes:
            process_id = store.new_id("Process")
            element = build_object(
                index,
                "Process",
                {
                    "id": process_id,
                    "name": f"{name} - {process}",
                    "Description": f"{process} ({pack.name}).",
                    "IntegrationPack": {"integrationPackId": pack.id, "integrationPackInstanceId": instance_id},
                },
            )
            store.put(Record("Process", process_id, element))
            original = pack.component(f"process/{process}")
            process_ids.append({"name": process, "originalProcessId": original, "wrapperProcessId": process_id})
        values: dict[str, Value] = {
            "id": instance_id,
            "integrationPackId": pack.id,
            "integrationPackOverrideName": override_name or None,
            "ProcessId": list(process_ids),
        }
        record = Record("IntegrationPackInstance", instance_id, build_object(index, "IntegrationPackInstance", values))
        store.put(record)
        return record


def _instance(store: AccountStore, instance_id: str) -> Record:
    found = store.get("IntegrationPackInstance", instance_id)
    if found is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"IntegrationPackInstance with id {instance_id} does not exist")
    return found


def _processes(instance: Record) -> list[tuple[str, str]]:
    """(name, process id in the account) of an instance's processes."""
    return [
        (p.get("name", ""), p.get("wrapperProcessId", "")) for p in instance.element.iterchildren(_data("ProcessId"))
    ]


def attach(store: AccountStore, index: SchemaIndex, instance_id: str, environment_id: str) -> Record:
    """Attach an instance to an environment (``IntegrationPackEnvironmentAttachment`` CREATE).

    Raises:
        ApiFault: ``NOT_FOUND`` for an unknown instance or environment; ``INVALID_REQUEST``
            if it is attached there already.
    """
    instance = _instance(store, instance_id)
    if store.get("Environment", environment_id) is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"Environment with id {environment_id} does not exist")
    pack = _pack(_attr(instance, "integrationPackId"))
    with store._lock:
        key = _conceptual("IPEA", instance_id, environment_id)
        if store.get("IntegrationPackEnvironmentAttachment", key) is not None:
            raise ApiFault(
                FaultCode.INVALID_REQUEST, f"Instance {instance_id} is already attached to environment {environment_id}"
            )
        values: dict[str, Value] = {
            "id": key,
            "environmentId": environment_id,
            "integrationPackInstanceId": instance_id,
        }
        record = Record(
            "IntegrationPackEnvironmentAttachment",
            key,
            build_object(index, "IntegrationPackEnvironmentAttachment", values),
        )
        store.put(record)
        _add_extensions(store, index, pack, instance, environment_id)
        return record


def _add_extensions(store: AccountStore, index: SchemaIndex, pack: Pack, instance: Record, environment_id: str) -> None:
    group = instance.key
    connection: dict[str, Value] = {
        "id": pack.component("connection"),
        "name": f"{pack.connection} Connection",
        "field": [
            {"id": f, "usesEncryption": encrypted, "encryptedValueSet": False, "componentOverride": False, "value": ""}
            for f, encrypted, _ in _FIELDS
        ],
    }
    properties: dict[str, Value] = {
        "id": pack.component("properties"),
        "name": f"{pack.name} Settings",
        "ProcessPropertyValue": [
            {"key": k, "label": k, "usesEncryption": encrypted, "encryptedValueSet": False, "value": ""}
            for k, encrypted in pack.settings
        ],
    }
    table: dict[str, Value] = {
        "id": pack.component("table"),
        "name": pack.table,
        "overrideValues": False,
        "CrossReferenceRows": {"row": [{"ref1": "default", "ref2": "0"}]},
    }
    values: dict[str, Value] = {
        "id": _conceptual("EE", environment_id, group),
        "environmentId": environment_id,
        "extensionGroupId": group,
        "PGPCertificates": {},
        "connections": {"connection": [connection]},
        "crossReferences": {"crossReference": [table]},
        "operations": {},
        "processProperties": {"ProcessProperty": [properties]},
        "properties": {},
        "sharedCommunications": {},
        "tradingPartners": {},
    }
    key = str(values["id"])
    store.put(Record("EnvironmentExtensions", key, build_object(index, "EnvironmentExtensions", values)))
    processes = _processes(instance)
    first = processes[0][1] if processes else ""
    map_key = _conceptual("EME", environment_id, group, pack.component("map"))
    common: dict[str, Value] = {
        "id": map_key,
        "environmentId": environment_id,
        "mapId": pack.component("map"),
        "name": f"{pack.connection} Map",
        "processId": first,
    }
    store.put(
        Record(
            "EnvironmentMapExtension",
            map_key,
            build_object(index, "EnvironmentMapExtension", {**common, "extensionGroupId": group}),
        )
    )
    summary = {**common, "DestinationFieldSet": {}, "SourceFieldSet": {}}
    store.put(
        Record(
            "EnvironmentMapExtensionsSummary", map_key, build_object(index, "EnvironmentMapExtensionsSummary", summary)
        )
    )
    attachments = store.all("EnvironmentAtomAttachment")
    atoms = [_attr(a, "atomId") for a in attachments if _attr(a, "environmentId") == environment_id]
    for _, process_id in processes:
        for atom_id in atoms:
            schedule_key = _conceptual(f"CPS{atom_id}", process_id)
            if store.get("ProcessSchedules", schedule_key) is None:
                schedule = build_object(
                    index, "ProcessSchedules", {"id": schedule_key, "atomId": atom_id, "processId": process_id}
                )
                store.put(Record("ProcessSchedules", schedule_key, schedule))


def instance_environments(store: AccountStore, instance_id: str) -> list[str]:
    """The environments an instance is attached to."""
    return [
        _attr(r, "environmentId")
        for r in store.all("IntegrationPackEnvironmentAttachment")
        if _attr(r, "integrationPackInstanceId") == instance_id
    ]


def extensions_of(store: AccountStore, instance_id: str) -> list[Record]:
    """The ``EnvironmentExtensions`` of an instance (one per environment it is attached to)."""
    return [r for r in store.all("EnvironmentExtensions") if _attr(r, "extensionGroupId") == instance_id]


def maps_of(store: AccountStore, instance_id: str) -> list[Record]:
    """The ``EnvironmentMapExtension`` objects of an instance."""
    return [r for r in store.all("EnvironmentMapExtension") if _attr(r, "extensionGroupId") == instance_id]


def schedules_of(store: AccountStore, instance_id: str) -> list[Record]:
    """The ``ProcessSchedules`` of an instance's processes."""
    processes = {p for _, p in _processes(_instance(store, instance_id))}
    return [r for r in store.all("ProcessSchedules") if _attr(r, "processId") in processes]


def detach(store: AccountStore, attachment_id: str) -> bool:
    """Remove an attachment and what it brought to the environment."""
    with store._lock:
        found = store.get("IntegrationPackEnvironmentAttachment", attachment_id)
        if found is None:
            return False
        store.delete("IntegrationPackEnvironmentAttachment", attachment_id)
        group, environment_id = _attr(found, "integrationPackInstanceId"), _attr(found, "environmentId")
        for type_name in ("EnvironmentExtensions", "EnvironmentMapExtension", "EnvironmentMapExtensionsSummary"):
            for record in store.all(type_name):
                if _owned(record, environment_id, group):
                    store.delete(type_name, record.key)
        return True


def _owned(record: Record, environment_id: str, group: str) -> bool:
    """Whether a record is one an attachment of ``group`` to ``environment_id`` brought (its conceptual id)."""
    try:
        parts = base64.b64decode(record.key, validate=True).decode().split(":")
    except (ValueError, UnicodeDecodeError):
        return False
    return len(parts) >= 3 and parts[1:3] == [environment_id, group]


def uninstall(store: AccountStore, instance_id: str) -> bool:
    """Uninstall (``IntegrationPackInstance`` DELETE); ``False`` if there was no such instance."""
    with store._lock:
        instance = store.get("IntegrationPackInstance", instance_id)
        if instance is None:
            return False
        for attachment in list(store.all("IntegrationPackEnvironmentAttachment")):
            if _attr(attachment, "integrationPackInstanceId") == instance_id:
                detach(store, attachment.key)
        processes = {p for _, p in _processes(instance)}
        for schedule in store.all("ProcessSchedules"):
            if _attr(schedule, "processId") in processes:
                store.delete("ProcessSchedules", schedule.key)
        for process_id in processes:
            store.delete("Process", process_id)
        return store.delete("IntegrationPackInstance", instance_id)


def _mask(item: etree._Element) -> None:
    """Drop an encrypted value (write-only) and say whether one is set."""
    if item.get("usesEncryption") == "true":
        if item.get("value"):
            item.set("encryptedValueSet", "true")
        item.attrib.pop("value", None)


def _merge_items(target: etree._Element, update: etree._Element, child: str, key: str) -> None:
    """Set the attributes the update gives on the items it names; keep everything else."""
    for item in update.iterchildren(_data(child)):
        name = item.get(key, "")
        match = next((t for t in target.iterchildren(_data(child)) if t.get(key) == name), None)
        if match is None:
            raise ApiFault(FaultCode.INVALID_REQUEST, f"{child} {name!r} is not extensible here")
        match.attrib.update({k: v for k, v in item.attrib.items() if k not in ("encryptedValueSet", "usesEncryption")})
        _mask(match)


def _find(root: etree._Element, section: str, child: str, ident: str) -> etree._Element | None:
    """The item of a section named ``ident`` by id or name."""
    items = root.iterfind(f"{_data(section)}/{_data(child)}")
    return next((c for c in items if ident in (c.get("id"), c.get("name"))), None)


def merge_extensions(stored: Record, update: etree._Element, *, partial: bool) -> etree._Element:
    """Apply an ``EnvironmentExtensions`` UPDATE to an instance's extensions.

    A partial update changes only the connection fields, process property values and
    cross-reference tables it names; a full one replaces the sections it carries.

    Raises:
        ApiFault: ``INVALID_REQUEST`` for a connection, field, property or table the
            instance does not extend.
    """
    merged = copy.deepcopy(stored.element)
    for connection in update.iterfind(f"{_data('connections')}/{_data('connection')}"):
        ident = connection.get("id") or connection.get("name") or ""
        target = _find(merged, "connections", "connection", ident)
        if target is None:
            raise ApiFault(FaultCode.INVALID_REQUEST, f"connection {ident!r} is not extensible here")
        if not partial:
            for field in target.iterchildren(_data("field")):
                field.set("value", "")
                field.set("encryptedValueSet", "false")
        _merge_items(target, connection, "field", "id")
    for container in update.iterfind(f"{_data('processProperties')}/{_data('ProcessProperty')}"):
        ident = container.get("id") or container.get("name") or ""
        target = _find(merged, "processProperties", "ProcessProperty", ident)
        if target is None:
            raise ApiFault(FaultCode.INVALID_REQUEST, f"process property {ident!r} is not extensible here")
        _merge_items(target, container, "ProcessPropertyValue", "key")
    for table in update.iterfind(f"{_data('crossReferences')}/{_data('crossReference')}"):
        ident = table.get("id") or table.get("name") or ""
        target = _find(merged, "crossReferences", "crossReference", ident)
        if target is None:
            raise ApiFault(FaultCode.INVALID_REQUEST, f"cross-reference table {ident!r} is not extensible here")
        rows = table.find(_data("CrossReferenceRows"))
        old = target.find(_data("CrossReferenceRows"))
        if rows is not None and old is not None:
            target.replace(old, copy.deepcopy(rows))
        target.set("overrideValues", table.get("overrideValues", "true"))
    merged.attrib.pop("partial", None)
    return merged


def token_url(
    store: AccountStore,
    endpoint: str,
    *,
    environment_id: str,
    extension_group_id: str,
    connection_id: str,
    field_id: str,
    now: datetime | None = None,
) -> tuple[str, datetime]:
    """An OAuth2 authorization URL for a connection field of an instance, valid 15 minutes.

    Raises:
        ApiFault: ``NOT_FOUND`` unless the instance extends that connection's OAuth2 field there.
    """
    extension = next(
        (r for r in extensions_of(store, extension_group_id) if _attr(r, "environmentId") == environment_id), None
    )
    oauth2 = {f for f, _, is_oauth2 in _FIELDS if is_oauth2}
    found = (
        extension is not None
        and field_id in oauth2
        and _find(extension.element, "connections", "connection", connection_id) is not None
    )
    if not found:
        raise ApiFault(
            FaultCode.NOT_FOUND,
            f"No OAuth2 field {field_id} on connection {connection_id} of group {extension_group_id}"
            f" in environment {environment_id}",
        )
    expires = (now or datetime.now(UTC)).replace(microsecond=0) + TOKEN_LIFETIME
    token = secrets.token_urlsafe(24)
    with store._lock:
        _tokens(store)[token] = expires
    return f"{endpoint}/oauth2/authorize/{token}", expires


def token_valid(store: AccountStore, url: str, *, now: datetime | None = None) -> bool:
    """Whether an authorization URL from :func:`token_url` is still valid."""
    expires = _tokens(store).get(url.rpartition("/")[2])
    return expires is not None and (now or datetime.now(UTC)) < expires


def _equals(expression: etree._Element | None) -> dict[str, str]:
    """``property -> argument`` of the EQUALS terms of a filter (an ``and`` of them, or one)."""
    found: dict[str, str] = {}
    if expression is None:
        return found
    for simple in expression.iter():
        if simple.get("operator") == "EQUALS" and simple.get("property"):
            found[simple.get("property", "")] = (simple.findtext(_data("argument")) or "").strip()
    return found


def hooks(handlers: Mapping[str, Handler]) -> dict[str, Handler]:
    """The ``create``, ``update``, ``delete`` and ``query`` handlers, with integration packs."""
    create, update, delete, query = (handlers[n] for n in ("create", "update", "delete", "query"))

    def seeded(inner: Handler) -> Handler:
        def handler(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
            ensure_seeded(ctx.store, ctx.release.index)
            inner(ctx, request, response)

        return handler

    def on_create(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
        ensure_seeded(ctx.store, ctx.release.index)
        source = request.find(ctx.inp("object"))
        kind = (source.get(f"{{{NS_XSI}}}type", "") if source is not None else "").rpartition(":")[2]
        if kind not in ("IntegrationPackInstance", "IntegrationPackEnvironmentAttachment"):
            create(ctx, request, response)
            return
        info, element = typed_object(ctx, request, "CREATE")
        if info.name == "IntegrationPackInstance":
            record = install(
                ctx.store, ctx.release.index, element.get("integrationPackId", ""),
                element.get("integrationPackOverrideName") or None,
            )  # fmt: skip
        else:
            record = attach(
                ctx.store, ctx.release.index, element.get("integrationPackInstanceId", ""),
                element.get("environmentId", ""),
            )  # fmt: skip
        emit(response, ctx.out("result"), record, ctx.data_prefix, ctx.release.index.types.get(record.type))

    def on_delete(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
        kind = (request.findtext(ctx.inp("objectType")) or "").strip()
        key = (request.findtext(ctx.inp("objectId")) or "").strip()
        if kind == "IntegrationPackInstance" and key:
            deleted = uninstall(ctx.store, key)
        elif kind == "IntegrationPackEnvironmentAttachment" and key:
            deleted = detach(ctx.store, key)
        else:
            delete(ctx, request, response)
            return
        etree.SubElement(response, ctx.out("successful")).text = "true" if deleted else "false"

    def on_update(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
        source = request.find(ctx.inp("object"))
        kind = (source.get(f"{{{NS_XSI}}}type", "") if source is not None else "").rpartition(":")[2]
        stored = ctx.store.get("EnvironmentExtensions", source.get("id", "")) if source is not None else None
        if kind != "EnvironmentExtensions" or stored is None or not _attr(stored, "extensionGroupId"):
            update(ctx, request, response)
            return
        info, element = typed_object(ctx, request, "UPDATE")
        merged = merge_extensions(stored, element, partial=element.get("partial") == "true")
        record = Record(info.name, stored.key, merged)
        ctx.store.put(record)
        emit(response, ctx.out("result"), record, ctx.data_prefix, ctx.release.index.types.get(record.type))

    def on_query(ctx: CallContext, request: etree._Element, response: etree._Element) -> None:
        ensure_seeded(ctx.store, ctx.release.index)
        kind = (request.findtext(ctx.inp("objectType")) or "").strip()
        if kind != "EnvironmentConnectionFieldExtensionSummary":
            query(ctx, request, response)
            return
        config = request.find(ctx.inp("queryConfig"))
        terms = _equals(config.find(f"{_data('QueryFilter')}/{_data('expression')}") if config is not None else None)
        missing = [p for p in ("environmentId", "extensionGroupId", "connectionId", "fieldId") if not terms.get(p)]
        if missing:
            raise ApiFault(FaultCode.INVALID_REQUEST, f"{kind} QUERY needs EQUALS filters on {', '.join(missing)}")
        url, _ = token_url(
            ctx.store, ctx.endpoint, environment_id=terms["environmentId"],
            extension_group_id=terms["extensionGroupId"], connection_id=terms["connectionId"],
            field_id=terms["fieldId"],
        )  # fmt: skip
        values: dict[str, Value] = {
            "id": _conceptual("ECFES", terms["environmentId"], terms["extensionGroupId"], terms["connectionId"]),
            "environmentId": terms["environmentId"],
            "extensionGroupId": terms["extensionGroupId"],
            "connectionId": terms["connectionId"],
            "field": {"oauth2AuthorizationUrl": url},
        }
        record = Record(kind, str(values["id"]), build_object(ctx.release.index, kind, values))
        results = etree.SubElement(response, ctx.out("results"), numberOfResults="1")
        emit(results, _data("result"), record, ctx.data_prefix, ctx.release.index.types.get(kind))

    return {
        "create": on_create,
        "delete": seeded(on_delete),
        "update": seeded(on_update),
        "query": on_query,
        "get": seeded(handlers["get"]),
    }
