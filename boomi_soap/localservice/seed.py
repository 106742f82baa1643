"""Realistic, deterministic seed data for a fresh account.

The same account id always gets the same objects, ids and timestamps, so tests
and documentation examples can name them.  Volumes: 1 Account, 3 Atoms,
3 Environments, their attachments and extensions, 24 Processes with schedules,
Deployments, PackagedComponents and DeployedPackages for them, 260 ExecutionRecords
(three pages of a query), 4 Roles, 6 Folders.
"""

from __future__ import annotations

import base64
import random
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from typing import Final

from boomi_soap.localservice.contract import SchemaIndex
from boomi_soap.localservice.model import Record, Value, build_object, id_field
from boomi_soap.localservice.store import AccountStore

__all__ = ["EXECUTION_RECORDS", "PROCESS_NAMES", "seed_account"]

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


def seed_account(store: AccountStore, index: SchemaIndex, *, name: str = "Local Demo Account") -> None:
    """Fill an empty store with the seed objects.

    Args:
        store: The account's store.
        index: Schema index of the release the objects must conform to.
        name: The account's display name.
    """
    rng = _ids(store.account_id)

    def add(type_name: str, values: dict[str, Value]) -> str:
        info = index.types[type_name]
        # The seed fits every bundled release: fields a release lacks are left out.
        values = {k: v for k, v in values.items() if k in info.attributes or info.element(k) is not None}
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
    for n in range(EXECUTION_RECORDS):
        process_index = rng.randrange(len(process_ids))
        atom_index = rng.randrange(2)
        started = _EPOCH + timedelta(minutes=17 * n)
        day = started.strftime("%Y.%m.%d")
        execution_id = f"execution-{_uuid(rng)}-{day}"
        status = rng.choice(_STATUSES)
        add(
            "ExecutionRecord",
            {
                "account": store.account_id,
                "atomId": atom_ids[atom_index],
                "atomName": atoms[atom_index][0],
                "executionDuration": rng.randrange(800, 120_000),
                "executionId": execution_id,
                "executionTime": started,
                "executionType": rng.choice(_TYPES),
                "inboundDocumentCount": rng.randrange(0, 500),
                "inboundDocumentSize": rng.randrange(0, 5_000_000),
                "inboundErrorDocumentCount": rng.randrange(0, 3) if status == "ERROR" else 0,
                "launcherID": "scheduler",
                "message": "Error: connection refused" if status == "ERROR" else "",
                "nodeId": f"{atoms[atom_index][3]}_{rng.randrange(1, 3)}",
                "originalExecutionId": execution_id,
                "outboundDocumentCount": rng.randrange(0, 500),
                "outboundDocumentSize": rng.randrange(0, 5_000_000),
                "parentExecutionId": "",
                "processId": process_ids[process_index],
                "processName": PROCESS_NAMES[process_index],
                "recordedDate": started + timedelta(seconds=rng.randrange(1, 300)),
                "reportKey": _uuid(rng),
                "status": status,
                "topLevelExecutionId": execution_id,
            },
        )
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
