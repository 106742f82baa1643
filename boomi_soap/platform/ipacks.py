"""Integration packs in a sub-account: the Connect Now operations over the Partner API.

``client.for_account(sub).ipacks`` has one method per operation of the Connect Now
list (``getAllIPacksAvailableToAccount`` → :meth:`IntegrationPacks.available` ...).
Connect Now was a set of Boomi processes built on the Partner API; each method here
makes the documented platform calls itself, named in its docstring.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from boomi_soap.exceptions import BoomiSoapError, NotFoundError, RequestRefusedError
from boomi_soap.query import Expression, F

if TYPE_CHECKING:
    from boomi_soap.platform.partner import SubAccountView as SubAccountClient
    from boomi_soap.platform.polling import Backoff
    from boomi_soap.platform.runs import Execution

__all__ = ["Extensions", "Installation", "IntegrationPacks", "run_in"]


@dataclass(frozen=True)
class Installation:
    """An installed pack attached to an environment.

    Attributes:
        instance: The ``IntegrationPackInstance``.
        attachment: The ``IntegrationPackEnvironmentAttachment``.
    """

    instance: Any
    attachment: Any

    @property
    def id(self) -> str:
        """The instance id (the extensions' ``extensionGroupId``)."""
        return str(self.instance.id)


@dataclass(frozen=True)
class Extensions:
    """What an installed pack lets the sub-account set in one environment.

    Attributes:
        environment_id: The environment.
        extension_group_id: The instance (its extensions' group).
        connections: ``connection`` entries (``field`` values; encrypted ones only say ``encryptedValueSet``).
        process_properties: ``ProcessProperty`` containers.
        cross_references: ``crossReference`` tables.
        maps: ``EnvironmentMapExtension`` objects.
        raw: The ``EnvironmentExtensions`` object.
    """

    environment_id: str
    extension_group_id: str
    connections: list[Any]
    process_properties: list[Any]
    cross_references: list[Any]
    maps: list[Any] = field(default_factory=list)
    raw: Any = None

    def values(self) -> dict[str, dict[str, str | None]]:
        """``{connection or property container name: {field id or key: value}}``; encrypted values are ``None``."""
        out: dict[str, dict[str, str | None]] = {}
        for connection in self.connections:
            out[str(connection.name)] = {
                str(f.id): None if f.usesEncryption else str(f.value or "") for f in connection.field or []
            }
        for container in self.process_properties:
            out[str(container.name)] = {
                str(v.key): None if v.usesEncryption else str(v.value or "")
                for v in container.ProcessPropertyValue or []
            }
        return out

    def encrypted_set(self) -> dict[str, bool]:
        """``{connection name/field id or container name/key: encryptedValueSet}`` of the encrypted values."""
        out: dict[str, bool] = {}
        for connection in self.connections:
            for f in connection.field or []:
                if f.usesEncryption:
                    out[f"{connection.name}/{f.id}"] = bool(f.encryptedValueSet)
        for container in self.process_properties:
            for v in container.ProcessPropertyValue or []:
                if v.usesEncryption:
                    out[f"{container.name}/{v.key}"] = bool(v.encryptedValueSet)
        return out


def run_in(
    client: SubAccountClient,
    process: str,
    atom: str,
    *,
    properties: Mapping[str, str] | None = None,
    wait: bool = True,
    timeout: float = 300.0,
    poll: Backoff | None = None,
) -> Execution:
    """Run a process in a sub-account (``ExecutionRequest`` CREATE), as :func:`boomi_soap.platform.runs.run_process`.

    The answer's ``recordUrl`` is a REST link: it is read with ``?overrideAccount=``.
    """
    from boomi_soap.platform.runs import Execution, RequestId, resolve_id

    process_id = resolve_id(client, "Process", process)
    atom_id = resolve_id(client, "Atom", atom)
    fields: dict[str, Any] = {"processId": process_id, "atomId": atom_id}
    if properties:  # no empty placeholder sections: both property bags are optional
        fields["DynamicProcessProperties"] = {
            "DynamicProcessProperty": [{"name": k, "value": v} for k, v in properties.items()]
        }
    answer = client.create("ExecutionRequest", **fields)
    url = str(answer.recordUrl)
    # Into the query, even when the link has a fragment (which is never sent).
    parts = urlsplit(url)
    url = urlunsplit(parts._replace(query="&".join(q for q in (parts.query, client.record_query) if q), fragment=""))
    execution = Execution(client, RequestId(answer.requestId), url, poll=poll)
    if wait:
        execution.wait(timeout)
    return execution


class IntegrationPacks:
    """The Connect Now operations in one sub-account (``client.for_account(sub).ipacks``)."""

    def __init__(self, client: SubAccountClient) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"IntegrationPacks(sub_account={self.client.sub_account!r})"

    # getAllIPacksAvailableToAccount
    def available(self, installation_type: str | None = None) -> list[Any]:
        """Packs the sub-account may install (``IntegrationPack`` QUERY).

        Args:
            installation_type: ``SINGLE`` or ``MULTI`` to filter; ``None`` for both.
        """
        where = F("installationType") == installation_type if installation_type else None
        return list(self.client.query("IntegrationPack", where))

    # getInstalledIPacks
    def installed(self) -> list[Any]:
        """Installed packs (``IntegrationPackInstance`` QUERY)."""
        return list(self.client.query("IntegrationPackInstance"))

    # createIntegrationPackDeployment
    def install(self, pack: str, environment: str, override_name: str | None = None) -> Installation:
        """Install a pack and attach it to an environment, whole or not at all.

        The pack (id or name, among those available) and the environment (id or name)
        are resolved, and Boomi's install rules checked, before anything is written; then
        ``IntegrationPackInstance`` CREATE and ``IntegrationPackEnvironmentAttachment``
        CREATE.  If the attachment fails, the new instance is uninstalled again.
        ``override_name`` names a multi-install pack's instance.

        Raises:
            NotFoundError: If the pack is not available or the environment does not exist
                (nothing was written).
            InvalidRequestError: If Boomi's rules refuse the install (nothing was written).
            BoomiSoapError: If the attachment failed; the message says whether the instance
                was removed again or, if not, the command that removes it.
        """
        chosen = self.find_pack(pack)
        pack_id, pack_name = str(chosen.id), str(chosen.name)
        environment_id = str(self.find_environment(environment).id)
        mine = [i for i in self.installed() if str(i.integrationPackId) == pack_id]
        if str(chosen.installationType) == "SINGLE":
            if override_name:
                raise RequestRefusedError("install", f"{pack_name} is a single-install pack: no --name/override name")
            if mine:
                raise RequestRefusedError(
                    "install", f"{pack_name} is a single-install pack, already installed as instance {mine[0].id}"
                )
        name = override_name or pack_name
        if any(str(i.integrationPackOverrideName or pack_name) == name for i in mine):
            raise RequestRefusedError("install", f"an instance of {pack_name} named {name!r} already exists")
        fields = {"integrationPackId": pack_id}
        if override_name:
            fields["integrationPackOverrideName"] = override_name
        instance = self.client.create("IntegrationPackInstance", **fields)
        try:
            attachment = self.client.create(
                "IntegrationPackEnvironmentAttachment",
                environmentId=environment_id,
                integrationPackInstanceId=instance.id,
            )
        except BaseException as exc:  # Ctrl-C too: an instance attached nowhere is half an install
            self._undo_install(str(instance.id), pack_name, environment_id, exc)
            raise
        return Installation(instance, attachment)

    def _undo_install(self, instance: str, pack_name: str, environment: str, cause: BaseException) -> None:
        """Uninstall the instance an install just made; raise what is left if that fails too."""
        what = f"attaching {pack_name} (instance {instance}) to environment {environment} failed ({cause})"
        try:
            self.client.delete("IntegrationPackInstance", instance)
        except BoomiSoapError as exc:
            raise BoomiSoapError(
                f"{what}, and uninstalling it again failed ({exc}): instance {instance} is installed and attached"
                f" nowhere; remove it with: boomi-soap ipack uninstall {instance}"
                f" --sub-account {self.client.sub_account}"
            ) from cause
        if isinstance(cause, BoomiSoapError):
            raise BoomiSoapError(f"{what}; the instance was uninstalled again, nothing is left") from cause

    def find_pack(self, pack: str) -> Any:
        """The ``IntegrationPack`` available to the sub-account with this id or (unique) name.

        Raises:
            NotFoundError: If there is none (the message lists the available ones).
            InvalidRequestError: If several have that name (give the id).
        """
        return _one("integration pack", pack, self.available(), self.client.sub_account, "ipack available")

    def find_environment(self, environment: str) -> Any:
        """The sub-account's ``Environment`` with this id or (unique) name.

        Raises:
            NotFoundError: If there is none (the message lists the environments).
            InvalidRequestError: If several have that name (give the id).
        """
        return _one("environment", environment, self.environments(), self.client.sub_account, "ipack environments")

    # getInstalledIPackInstanceProcesses
    def processes(self, instance: str) -> list[Any]:
        """The processes of an installed pack (``IntegrationPackInstance`` GET: its ``ProcessId`` list).

        Each has ``name``, ``originalProcessId`` and ``wrapperProcessId`` (the process to run).
        """
        return list(self.client.get("IntegrationPackInstance", instance).ProcessId or [])

    def _environments_of(self, instance: str) -> list[str]:
        attachments = self.client.query(
            "IntegrationPackEnvironmentAttachment", F("integrationPackInstanceId") == instance
        )
        return [str(a.environmentId) for a in attachments]

    def _atom_for(self, process: str) -> str:
        for candidate in self.installed():
            if any(str(p.wrapperProcessId) == process for p in candidate.ProcessId or []):
                for environment in self._environments_of(str(candidate.id)):
                    for attached in self.client.query("EnvironmentAtomAttachment", F("environmentId") == environment):
                        return str(attached.atomId)
        raise NotFoundError("executeIntegrationProcess", f"no Atom runs process {process} in {self.client.sub_account}")

    # executeIntegrationProcess
    def execute(
        self,
        process: str,
        *,
        atom: str | None = None,
        properties: Mapping[str, str] | None = None,
        wait: bool = True,
        timeout: float = 300.0,
        poll: Backoff | None = None,
    ) -> Execution:
        """Run a pack's process and (by default) wait for how it ended.

        ``ExecutionRequest`` CREATE, then its ``ExecutionRecord``; the Atom defaults to the
        one attached (``EnvironmentAtomAttachment``) to the environment the pack is
        attached to (``IntegrationPackInstance``, ``IntegrationPackEnvironmentAttachment`` QUERY).
        """
        chosen = atom or self._atom_for(process)
        return run_in(self.client, process, chosen, properties=properties, wait=wait, timeout=timeout, poll=poll)

    def _extensions_object(self, instance: str, environment: str | None) -> Any:
        where: Expression = F("extensionGroupId") == instance
        if environment:
            where = where & (F("environmentId") == environment)
        found = list(self.client.query("EnvironmentExtensions", where))
        if not found:
            raise NotFoundError("extensions", f"instance {instance} is attached to no environment")
        return found[0]

    # getExtendedConnectionsForInstalledIPack, getExtendedProcessPropertiesForInstalledIPack,
    # getExtendedCrossReferenceTablesForInstalledIPack, getExtendedMapsForInstalledIPack
    def extensions(self, instance: str, environment: str | None = None) -> Extensions:
        """What an installed pack extends in an environment (the first it is attached to by default).

        ``EnvironmentExtensions`` QUERY (``extensionGroupId`` = the instance) for connections,
        process properties and cross-reference tables; ``EnvironmentMapExtensionsSummary``
        QUERY and ``EnvironmentMapExtension`` GET for maps.
        """
        ext = self._extensions_object(instance, environment)
        processes = {str(p.wrapperProcessId) for p in self.processes(instance)}
        summaries = self.client.query("EnvironmentMapExtensionsSummary", F("environmentId") == ext.environmentId)
        maps = [self.client.get("EnvironmentMapExtension", s.id) for s in summaries if str(s.processId) in processes]
        return Extensions(
            environment_id=str(ext.environmentId),
            extension_group_id=str(ext.extensionGroupId),
            connections=list(ext.connections.connection or []) if ext.connections else [],
            process_properties=list(ext.processProperties.ProcessProperty or []) if ext.processProperties else [],
            cross_references=list(ext.crossReferences.crossReference or []) if ext.crossReferences else [],
            maps=maps,
            raw=ext,
        )

    # upsertEnvironmentExtensions
    def upsert_extensions(
        self,
        instance: str,
        *,
        environment: str | None = None,
        connections: Mapping[str, Mapping[str, str]] | None = None,
        process_properties: Mapping[str, Mapping[str, str]] | None = None,
        cross_references: Mapping[str, Sequence[Sequence[str]]] | None = None,
    ) -> Extensions:
        """Set some extension values; everything not given keeps its value.

        ``EnvironmentExtensions`` UPDATE with ``partial="true"``.  Connections and process
        property containers are named by id or name, fields by id, properties by key;
        a cross-reference table's rows replace its rows.  Encrypted values are write-only.
        """
        if not (connections or process_properties or cross_references):
            raise RequestRefusedError(
                "upsertEnvironmentExtensions", "give connections, process_properties or cross_references"
            )
        ext = self._extensions_object(instance, environment)
        sent: dict[str, Any] = {
            "id": ext.id,
            "environmentId": ext.environmentId,
            "extensionGroupId": ext.extensionGroupId,
            "partial": True,
            # The schema requires every section; an empty one changes nothing in a partial update.
            "PGPCertificates": {},
            "connections": {},
            "crossReferences": {},
            "operations": {},
            "processProperties": {},
            "properties": {},
            "sharedCommunications": {},
            "tradingPartners": {},
        }
        if connections:
            sent["connections"] = {
                "connection": [
                    {**_ident(name), "field": [{"id": k, "value": v} for k, v in values.items()]}
                    for name, values in connections.items()
                ]
            }
        if process_properties:
            sent["processProperties"] = {
                "ProcessProperty": [
                    {**_ident(name), "ProcessPropertyValue": [{"key": k, "value": v} for k, v in values.items()]}
                    for name, values in process_properties.items()
                ]
            }
        if cross_references:
            sent["crossReferences"] = {
                "crossReference": [
                    {
                        **_ident(name),
                        "overrideValues": True,
                        "CrossReferenceRows": {
                            "row": [{f"ref{i + 1}": value for i, value in enumerate(row)} for row in rows]
                        },
                    }
                    for name, rows in cross_references.items()
                ]
            }
        self.client.update("EnvironmentExtensions", **sent)
        return self.extensions(instance, str(ext.environmentId))

    # getOAuth2AccessTokenURL
    def oauth2_token_url(self, instance: str, connection: str, field_id: str, *, environment: str | None = None) -> str:
        """The URL that authorizes an OAuth2 connection field (valid 15 minutes).

        ``EnvironmentConnectionFieldExtensionSummary`` QUERY on ``environmentId``,
        ``extensionGroupId`` (the instance), ``connectionId`` and ``fieldId``.
        """
        env = environment or self._environments_of(instance)[0]
        where = (
            (F("environmentId") == env)
            & (F("extensionGroupId") == instance)
            & (F("connectionId") == connection)
            & (F("fieldId") == field_id)
        )
        found = next(iter(self.client.query("EnvironmentConnectionFieldExtensionSummary", where)), None)
        if found is None or found.field is None:
            raise NotFoundError("getOAuth2AccessTokenURL", f"no OAuth2 field {field_id} on connection {connection}")
        return str(found.field.oauth2AuthorizationUrl)

    # getProcessSchedules
    def schedules(self, instance: str) -> list[Any]:
        """The schedules of an installed pack's processes (``ProcessSchedules`` QUERY per process)."""
        found: list[Any] = []
        for process in self.processes(instance):
            found.extend(self.client.query("ProcessSchedules", F("processId") == str(process.wrapperProcessId)))
        return found

    def set_schedules(
        self, process: str, atom: str, schedules: Sequence[Mapping[str, str]], *, max_retry: int | None = None
    ) -> Any:
        """Replace the schedules of a process on an Atom (``ProcessSchedules`` UPDATE).

        Args:
            process: The process id.
            atom: The Atom id.
            schedules: ``Schedule`` fields (``minutes``, ``hours``, ``daysOfWeek``, ``daysOfMonth``,
                ``months``, ``years``); an empty list unschedules.
            max_retry: Retries of a failed scheduled run.
        """
        conceptual = base64.b64encode(f"CPS{atom}:{process}".encode()).decode()
        fields: dict[str, Any] = {"id": conceptual, "atomId": atom, "processId": process, "Schedule": list(schedules)}
        if max_retry is not None:
            fields["Retry"] = {"maxRetry": max_retry}
        return self.client.update("ProcessSchedules", **fields)

    # getProcessExecutionRecords
    def execution_records(self, since: date | datetime, limit: int = 1000) -> list[Any]:
        """The first ``limit`` runs from ``since`` on, oldest first (``ExecutionRecord`` QUERY).

        Args:
            since: An aware date-time (sent in UTC with ``Z``), or a date (its 00:00 UTC).
            limit: At most this many records (no further page is read).

        Raises:
            QueryFilterError: On a naive date-time (its zone would be a guess).
        """
        results = self.client.query("ExecutionRecord", F("executionTime") >= since, sort={"executionTime": "ASC"})
        return list(itertools.islice(results, limit))

    # deleteInstalledIPackInstance
    def uninstall(self, instance: str) -> bool:
        """Remove an installed pack (``IntegrationPackInstance`` DELETE); ``False`` if it did not exist."""
        return self.client.delete("IntegrationPackInstance", instance)

    # getBoomiAccountProfile
    def account_profile(self) -> Any:
        """The sub-account (``Account`` GET)."""
        return self.client.get("Account", self.client.sub_account)

    # getEnvironmentsForAccount
    def environments(self) -> list[Any]:
        """The sub-account's environments (``Environment`` QUERY)."""
        return list(self.client.query("Environment"))


def _one(kind: str, wanted: str, found: Sequence[Any], sub: str, listing: str) -> Any:
    """The one object of ``found`` whose id or name is ``wanted``.

    Raises:
        NotFoundError: If none is (the message lists what there is and the command that lists it).
        InvalidRequestError: If the name is not unique (give the id).
    """
    by_id = [o for o in found if str(o.id) == wanted]
    if by_id:
        return by_id[0]
    named = [o for o in found if str(o.name) == wanted]
    if len(named) > 1:
        raise RequestRefusedError(
            "query",
            f"{len(named)} {kind}s are named {wanted!r} in {sub}; give the id ({', '.join(str(o.id) for o in named)})",
        )
    if not named:
        shown = ", ".join(f"{o.name} ({o.id})" for o in found[:10]) or "none"
        listed = f"`boomi-soap {listing} --account {sub}` lists them"
        raise NotFoundError("query", f"no {kind} {wanted!r} (by id or name) in {sub}; there are: {shown} ({listed})")
    return named[0]


def _ident(name: str) -> dict[str, str]:
    # Ids are UUIDs; anything else is a name.
    return {"id": name} if len(name) == 36 and name.count("-") == 4 else {"name": name}
