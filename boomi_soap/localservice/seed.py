"""Realistic, deterministic seed data for a fresh account.

The same account id always gets the same objects, ids and timestamps, so tests
and documentation examples can name them.  Volumes: 1 Account, 3 Atoms,
3 Environments, their attachments and extensions, 24 Processes with schedules,
Deployments, PackagedComponents and DeployedPackages for them, 260 ExecutionRecords
(three pages of a query; any number with ``execution_records``), 4 Roles, 6 Folders.

ExecutionRecords are built when read (see :class:`ExecutionSeed`): the first 260 from
values drawn while seeding, as they always were, any beyond from their position alone,
so 100,000 of them are seeded as fast as 260 and cost memory only once touched.
"""

from __future__ import annotations

import base64
import copy
import random
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

from lxml import etree

from boomi_soap.localservice.contract import SchemaIndex, TypeInfo
from boomi_soap.localservice.model import Record, Value, build_object, id_field
from boomi_soap.localservice.store import AccountStore

__all__ = ["EXECUTION_RECORDS", "PROCESS_NAMES", "ExecutionSeed", "seed_account"]

_EPOCH: Final = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
EXECUTION_RECORDS: Final = 260
PROCESS_NAMES: Final = (
    "Orders - Salesforce to NetSuite",
    "Orders - Shopify to SAP",
    "Invoices - NetSuite to Coupa",
    "Invoices - SAP to Bill.com",
    "Customers - Salesforce Sync",
    "Customers - HubSpot to Salesforce",
    "Inventory - SAP to Shopify",
    "Inventory - WMS Nightly Load",
    "Employees - Workday to AD",
    "Employees - Workday to ServiceNow",
    "Payroll - ADP Export",
    "Shipments - EDI 856 Outbound",
    "Purchase Orders - EDI 850 Inbound",
    "Acknowledgements - EDI 997",
    "Products - PIM to Commerce",
    "Prices - ERP to Storefront",
    "Tickets - Zendesk to Jira",
    "Leads - Marketo to Salesforce",
    "GL Journal - Daily Close",
    "Bank Statements - BAI2 Import",
    "Vendors - Master Data Sync",
    "Returns - RMA Processing",
    "Listener - Order Webhook",
    "Utility - Error Notification",
)
_STATUSES: Final = ("COMPLETE",) * 7 + ("ERROR", "COMPLETE_WARN", "ABORTED")
_TYPES: Final = ("exec_sched",) * 6 + ("exec_manual", "exec_listener", "retry_manual")


def _ids(account_id: str) -> random.Random:
    # Reproducible demo data, not secrets: a seeded PRNG is the point.
    return random.Random(zlib.crc32(account_id.encode()))  # noqa: S311


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _plain(value: Value) -> str:
    # As model.build_object writes a scalar.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def _fit(info: TypeInfo, values: dict[str, Value]) -> dict[str, Value]:
    # The seed fits every bundled release: fields a release lacks are left out.
    return {k: v for k, v in values.items() if k in info.attributes or info.element(k) is not None}


_NODE: Final = (1 << 48) - 1
_EXECUTION_PREFIX: Final = "execution-"


@dataclass
class ExecutionSeed:
    """The seeded ExecutionRecords of one account, built from their position when read.

    Positions below :data:`EXECUTION_RECORDS` use values drawn in order while seeding
    (the demo data as it always was); a later position draws from a generator seeded
    with the account and the position, and carries the position in the node field of
    its execution id's UUID, so an id finds its record without any table.

    Attributes:
        account_id: The account.
        index: Schema index the records are built against.
        atoms: ``(id, name, host)`` of the Atoms executions run on.
        processes: ``(id, name)`` of the processes executed.
        count: How many records are seeded.
    """

    account_id: str
    index: SchemaIndex
    atoms: Sequence[tuple[str, str, str]]
    processes: Sequence[tuple[str, str]]
    count: int
    _head: list[dict[str, Value]] = field(default_factory=list)
    _head_keys: dict[str, int] = field(default_factory=dict)
    _template: tuple[etree._Element, tuple[str, ...], tuple[str, ...]] | None = None

    @property
    def type_name(self) -> str:
        """The object type of every record."""
        return "ExecutionRecord"

    def __len__(self) -> int:
        return self.count

    def draw_head(self, rng: random.Random) -> None:
        """Draw the next of the first :data:`EXECUTION_RECORDS` positions from the seed's generator.

        Always called :data:`EXECUTION_RECORDS` times, whatever the count, so the objects
        seeded after them keep their ids.
        """
        n = len(self._head)
        process_index = rng.randrange(len(self.processes))
        atom_index = rng.randrange(2)
        started = _EPOCH + timedelta(minutes=17 * n)
        values = self._values(rng, n, process_index, atom_index, f"{_EXECUTION_PREFIX}{_uuid(rng)}-{started:%Y.%m.%d}")
        self._head.append(values)
        if n < self.count:
            self._head_keys[str(values["executionId"])] = n

    def _tail_rng(self, n: int) -> random.Random:
        # Reproducible demo data, not secrets (as _ids).
        return random.Random((zlib.crc32(self.account_id.encode()) << 48) | n)  # noqa: S311

    def _tail_key(self, n: int, rng: random.Random) -> str:
        bits = rng.getrandbits(128) & ~_NODE | n
        started = _EPOCH + timedelta(minutes=17 * n)
        return f"{_EXECUTION_PREFIX}{uuid.UUID(int=bits, version=4)}-{started:%Y.%m.%d}"

    def position(self, key: str) -> int | None:
        """The position of the record with execution id ``key``, or ``None``."""
        n = self._head_keys.get(key)
        if n is not None or len(self._head) >= self.count:
            return n
        try:
            n = int(key[len(_EXECUTION_PREFIX) :][24:36], 16)
        except ValueError:
            return None
        if not len(self._head) <= n < self.count or self._tail_key(n, self._tail_rng(n)) != key:
            return None
        return n

    def record(self, n: int) -> Record:
        """Build the record at position ``n``."""
        if n < len(self._head):
            values = self._head[n]
        else:
            rng = self._tail_rng(n)
            execution_id = self._tail_key(n, rng)
            values = self._values(rng, n, rng.randrange(len(self.processes)), rng.randrange(2), execution_id)
        if self._template is None:
            self._template = self._make_template(values)
        template, attributes, children = self._template
        # Every record has the same fields, all set: copy the first one's element and
        # rewrite its texts (several times faster than build_object, the same result).
        element = copy.deepcopy(template)
        for name in attributes:
            element.set(name, _plain(values[name]))
        for child, name in zip(element, children, strict=True):
            child.text = _plain(values[name])
        return Record(self.type_name, str(values["executionId"]), element)

    def _make_template(self, values: dict[str, Value]) -> tuple[etree._Element, tuple[str, ...], tuple[str, ...]]:
        info = self.index.types[self.type_name]
        fitted = _fit(info, values)
        element = build_object(self.index, info.name, fitted)
        attributes = tuple(name for name in info.attributes if name in fitted)
        children = tuple(etree.QName(child).localname for child in element)
        if None in fitted.values() or len(attributes) + len(children) != len(fitted):
            raise ValueError(f"seeded {info.name} values must set every field once")  # a bug in _values
        return element, attributes, children

    def _values(
        self, rng: random.Random, n: int, process_index: int, atom_index: int, execution_id: str
    ) -> dict[str, Value]:
        atom_id, atom_name, host = self.atoms[atom_index]
        process_id, process_name = self.processes[process_index]
        started = _EPOCH + timedelta(minutes=17 * n)
        status = rng.choice(_STATUSES)
        return {
            "account": self.account_id,
            "atomId": atom_id,
            "atomName": atom_name,
            "executionDuration": rng.randrange(800, 120_000),
            "executionId": execution_id,
            "executionTime": started,
            "executionType": rng.choice(_TYPES),
            "inboundDocumentCount": rng.randrange(0, 500),
            "inboundDocumentSize": rng.randrange(0, 5_000_000),
            "inboundErrorDocumentCount": rng.randrange(0, 3) if status == "ERROR" else 0,
            "launcherID": "scheduler",
            "message": "Error: connection refused" if status == "ERROR" else "",
            "nodeId": f"{host}_{rng.randrange(1, 3)}",
            "originalExecutionId": execution_id,
            "outboundDocumentCount": rng.randrange(0, 500),
            "outboundDocumentSize": rng.randrange(0, 5_000_000),
            "parentExecutionId": "",
            "processId": process_id,
            "processName": process_name,
            "recordedDate": started + timedelta(seconds=rng.randrange(1, 300)),
            "reportKey": _uuid(rng),
            "status": status,
            "topLevelExecutionId": execution_id,
        }


def seed_account(
    store: AccountStore,
    index: SchemaIndex,
    *,
    name: str = "Local Demo Account",
    execution_records: int = EXECUTION_RECORDS,
) -> None:
    """Fill an empty store with the seed objects.

    Args:
        store: The account's store.
        index: Schema index of the release the objects must conform to.
        name: The account's display name.
        execution_records: How many ExecutionRecords to seed (built when read).
    """
    rng = _ids(store.account_id)

    def add(type_name: str, values: dict[str, Value]) -> str:
        info = index.types[type_name]
        values = _fit(info, values)
        key_field = id_field(info)
        key = str(values[key_field.name]) if key_field else _uuid(rng)
        store.put(Record(type_name, key, build_object(index, type_name, values)))
        return key

    add(
        "Account",
        {
            "accountId": store.account_id,
            "name": name,
            "status": "active",
            "dateCreated": "2019-04-02T15:32:00Z",
            "expirationDate": "2027-04-02T00:00:00Z",
            "supportLevel": "standard",
            "supportAccess": False,
            "suggestionsEnabled": True,
            "overDeployed": False,
            "widgetAccount": False,
        },
    )
    atoms = [
        ("Production Atom", "ATOM", "ONLINE", "prd-boomi-01.example.com"),
        ("Test Molecule", "MOLECULE", "ONLINE", "tst-boomi-mol.example.com"),
        ("Dev Atom", "ATOM", "OFFLINE", "dev-laptop-42.example.com"),
    ]
    atom_ids = [
        add(
            "Atom",
            {
                "id": _uuid(rng),
                "name": atom_name,
                "type": kind,
                "status": status,
                "hostName": host,
                "currentVersion": "25.11.0",
                "dateInstalled": _EPOCH - timedelta(days=400 - i * 90),
                "createdBy": "admin@example.com",
                "purgeHistoryDays": 30,
                "purgeImmediate": False,
                "isCloudAttachment": False,
            },
        )
        for i, (atom_name, kind, status, host) in enumerate(atoms)
    ]
    environments = [("Production", "PROD"), ("Test", "TEST"), ("Development", "TEST")]
    env_ids = [add("Environment", {"id": _uuid(rng), "name": n, "classification": c}) for n, c in environments]
    for atom_id, env_id in zip(atom_ids, env_ids, strict=True):
        conceptual = base64.b64encode(f"ATOM_ENV{atom_id}:{env_id}".encode()).decode()
        add("EnvironmentAtomAttachment", {"id": conceptual, "atomId": atom_id, "environmentId": env_id})

    process_ids = [
        add("Process", {"id": _uuid(rng), "name": p, "Description": f"{p} integration."}) for p in PROCESS_NAMES
    ]
    for i, process_id in enumerate(process_ids):
        for env_index in (0, 1) if i % 3 else (1,):
            deployed_on = _EPOCH - timedelta(days=60 - i, hours=env_index)
            deployment_id = _uuid(rng)
            add(
                "Deployment",
                {
                    "id": deployment_id,
                    "componentId": process_id,
                    "componentType": "process",
                    "current": True,
                    "deployedBy": "release.manager@example.com",
                    "deployedOn": deployed_on,
                    "digest": f"{rng.getrandbits(128):032x}",
                    "environmentId": env_ids[env_index],
                    "notes": f"Release {i + 1}.{env_index}",
                    "processId": process_id,
                    "version": i % 4 + 1,
                },
            )
            package_id = add(
                "PackagedComponent",
                {
                    "branchName": "main",
                    "componentId": process_id,
                    "componentType": "process",
                    "componentVersion": i % 4 + 1,
                    "createdBy": "release.manager@example.com",
                    "createdDate": deployed_on - timedelta(hours=1),
                    "deleted": False,
                    "notes": f"Release {i + 1}.{env_index}",
                    "packageId": _uuid(rng),
                    "packageVersion": f"{i + 1}.{env_index}",
                },
            )
            add(
                "DeployedPackage",
                {
                    "deploymentId": deployment_id,
                    "active": True,
                    "componentId": process_id,
                    "componentType": "process",
                    "componentVersion": i % 4 + 1,
                    "deployedBy": "release.manager@example.com",
                    "deployedDate": deployed_on,
                    "environmentId": env_ids[env_index],
                    "packageId": package_id,
                    "packageVersion": f"{i + 1}.{env_index}",
                    "notes": f"Release {i + 1}.{env_index}",
                    "version": i % 4 + 1,
                },
            )
    for env_id in env_ids:
        # Conceptual id: the environment's id (Environment Extensions object page).
        add(
            "EnvironmentExtensions",
            {
                "id": env_id,
                "environmentId": env_id,
                "extensionGroupId": "",
                "PGPCertificates": {},
                "connections": {},
                "crossReferences": {},
                "operations": {},
                "processProperties": {},
                "properties": {"property": [{"name": "region", "value": "eu-west-1"}]},
                "sharedCommunications": {},
                "tradingPartners": {},
            },
        )
    for process_id in process_ids:
        for atom_id in atom_ids[:2]:
            conceptual = base64.b64encode(f"CPS{atom_id}:{process_id}".encode()).decode()
            add("ProcessSchedules", {"id": conceptual, "atomId": atom_id, "processId": process_id})
    executions = ExecutionSeed(
        store.account_id,
        index,
        [(atom_id, atoms[i][0], atoms[i][3]) for i, atom_id in enumerate(atom_ids[:2])],
        list(zip(process_ids, PROCESS_NAMES, strict=True)),
        execution_records,
    )
    for _ in range(EXECUTION_RECORDS):
        executions.draw_head(rng)
    store.seed(executions)
    roles = [
        ("Administrator", ["API", "BUILD", "DEPLOY", "EXECUTE", "USER_MANAGEMENT"]),
        ("Standard User", ["BUILD", "EXECUTE"]),
        ("Support", ["VIEW_RESULTS", "DASHBOARD"]),
        ("Production Support", ["VIEW_RESULTS", "EXECUTE", "PROCESS_MANAGEMENT"]),
    ]
    for role_name, privileges in roles:
        add(
            "Role",
            {
                "id": _uuid(rng),
                "accountId": store.account_id,
                "name": role_name,
                "Description": f"{role_name} role",
                "Privileges": {"Privilege": [{"name": p} for p in privileges]},
            },
        )
    # Boomi's own Trading Partner GET sample, empty required <address2/> and <fax/> and an
    # empty <SharedCommunicationChannel/> included: a GET then UPDATE must keep them.
    add(
        "TradingPartnerComponent",
        {
            "componentId": _uuid(rng),
            "componentName": "Best Wholesaling",
            "folderName": "Home:TPs",
            "identifier": "Best",
            "standard": "x12",
            "classification": "tradingpartner",
            "ContactInfo": {
                "contactName": "Tom Miller",
                "address1": "127 Comstock Ave.",
                "address2": "",
                "city": "Philadelphia",
                "state": "PA",
                "postalcode": "19100",
                "country": "United States",
                "email": "tom@bestwholesaling.com",
                "phone": "311 555-1926",
                "fax": "",
            },
            "PartnerCommunication": {
                "FTPCommunicationOptions": {
                    "CommunicationSetting": "custom",
                    "SharedCommunicationChannel": {},
                    "FTPSettings": {
                        "connectionMode": "active",
                        "useDefaultSettings": False,
                        "host": "ftp.bestwholesaling.com",
                        "port": 1010,
                        "user": "tom.miller",
                        "FTPSSLOptions": {"sslmode": "none", "useClientAuthentication": False},
                    },
                },
            },
        },
    )
    folders: dict[str, str] = {}
    for path in ("Home", "Home/Orders", "Home/Finance", "Home/HR", "Home/Finance/EDI", "Home/Archive"):
        parent, _, leaf = path.rpartition("/")
        folders[path] = add(
            "Folder",
            {
                "id": base64.b64encode(f"F:{30969 + len(folders)}".encode()).decode().rstrip("="),
                "name": leaf,
                "fullPath": path,
                "deleted": path == "Home/Archive",
                "parentId": folders.get(parent),
                "parentName": parent.rpartition("/")[2] or None,
            },
        )
