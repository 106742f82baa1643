"""Realistic, deterministic seed data for a fresh account.

The same account id always gets the same objects, ids and timestamps, so tests
and documentation examples can name them.  Volumes: 1 Account, 3 Atoms,
3 Environments, their attachments and extensions, 24 Processes with schedules,
Deployments, PackagedComponents and DeployedPackages for them, 260 ExecutionRecords
(three pages of a query; any number with ``execution_records``), 4 Roles, 6 Folders.

ExecutionRecords are built when read (see :class:`ExecutionSeed`): the first 260 from
values drawn while seeding, as they always were, any beyond from their position alone,
so 100,000 of them are seeded as fast as 260 and cost memory only once touched.  The
Trading Partner is Boomi's own GET sample (:data:`TRADING_PARTNER`), its id included, so
Boomi's GET and DELETE samples find it.

Objects of any type, the read-only ones included (AuditLog, Event, ExecutionSummaryRecord,
ExecutionCountAccount ...), are added with :func:`seed_objects`, or from a seed file
(:func:`read_seed`, ``ServiceConfig(seed=path)``): objects in Boomi's JSON form, as the
OpenAPI shows them, ``@type`` naming each.  A file holds a JSON array (the objects of the
service's first account) or an object::

    {"objects": [{"@type": "AuditLog", "documentId": "a-1", "action": "UPDATE", ...}],
     "accounts": {"localsub1-D4E5F6": [{"@type": "Event", ...}]}}

(``objects`` for the first account, ``accounts`` by account id, sub-accounts included).
Each object is converted as a JSON create body is and validated against the served
schema; one that does not fit is refused in one line naming the file, the object's index
and type, and the field.  An object replaces a demo object with the same id; one without
an id gets one.  Seeded objects do not count against the store's caps until changed.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import os
import random
import re
import struct
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Final, cast

from lxml import etree

from boomi_soap.exceptions import JsonFormError, ServiceConfigError
from boomi_soap.localservice.contract import (
    CONTRACT_FILES,
    CONTRACT_FOLDERS,
    NS_DATA,
    NS_XSI,
    Release,
    SchemaIndex,
    TypeInfo,
)
from boomi_soap.localservice.model import Record, Value, build_object, canonicalise, field_values, id_field, with_field
from boomi_soap.localservice.store import AccountStore
from boomi_soap.wire.jsonform import JsonForm, loads

__all__ = [
    "EXECUTION_RECORDS",
    "MAX_SEED_BYTES",
    "PROCESS_NAMES",
    "TRADING_PARTNER",
    "ExecutionSeed",
    "read_seed",
    "seed_account",
    "seed_objects",
]

_EPOCH: Final = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
_EPOCH_SECONDS: Final = 6 * 3600  # of the epoch's day; a record starts 17 minutes (1,020 s) after the one before


@functools.lru_cache(maxsize=4096)
def _day_text(day: int) -> str:
    """The date of the ``day``-th day from the epoch's, as an ISO date."""
    return (_EPOCH.date() + timedelta(days=day)).isoformat()


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
# A later position's digest: the execution id's and the report key's bits, then eight 32-bit draws.
_DRAWS: Final = struct.Struct("<16s16s8I")
_Draws = tuple[bytes, bytes, int, int, int, int, int, int, int, int]
# Most seeded records whose digests a query keeps (64 bytes each: 64 MB at most).
_KEPT_DIGESTS: Final = 1_000_000
# Fields of a later position that need no digest: the position alone gives them.
_BY_POSITION: Final = frozenset({"account", "executionTime", "launcherID", "parentExecutionId"})
_EXECUTION_PREFIX: Final = "execution-"


@dataclass
class ExecutionSeed:
    """The seeded ExecutionRecords of one account, built from their position when read.

    Positions below :data:`EXECUTION_RECORDS` use values drawn in order while seeding
    (the demo data as it always was); a later position's values come from a digest of
    the account and the position, and its execution id's UUID carries the position in
    its node field, so an id finds its record without any table, and a query reads one
    field of every record (:meth:`column`) without building any.

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
    _salt: Any = None
    _extract: dict[str, Callable[[int, _Draws], str]] | None = None
    _kept: tuple[bytearray, bytearray] | None = None

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

    def _draws(self, n: int) -> _Draws:
        # A later position's values come from a hash of the account and the position: any
        # one field of any record costs one digest, so a query reads a column of 100,000
        # records without building them (a generator seeded per record costs 10x more).
        if self._salt is None:
            self._salt = hashlib.blake2b(self.account_id.encode(), digest_size=64, person=b"ExecutionSeed")
        digest = self._salt.copy()
        digest.update(n.to_bytes(8, "little"))
        return cast(_Draws, _DRAWS.unpack(digest.digest()))

    def _kept_draws(self) -> Callable[[int], _Draws]:
        """:meth:`_draws` through a table of the digests made so far, for queries that read many fields.

        The table (64 bytes a record, 6.4 MB at 100,000) is made on the first query's
        first column and kept; a seed of more than :data:`_KEPT_DIGESTS` records keeps none.
        Building records for pages never makes it.
        """
        if self.count > _KEPT_DIGESTS:
            return self._draws
        if self._kept is None:
            self._kept = (bytearray(_DRAWS.size * self.count), bytearray(self.count))
        table, made = self._kept
        unpack, size, draws = _DRAWS.unpack_from, _DRAWS.size, self._draws

        def kept(n: int) -> _Draws:
            if made[n]:
                return cast(_Draws, unpack(table, n * size))
            found = draws(n)
            table[n * size : (n + 1) * size] = _DRAWS.pack(*found)
            made[n] = 1
            return found

        return kept

    def _tail_key(self, n: int, draws: _Draws) -> str:
        bits = int.from_bytes(draws[0]) & ~_NODE | n
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
        if not len(self._head) <= n < self.count or self._tail_key(n, self._draws(n)) != key:
            return None
        return n

    def record(self, n: int) -> Record:
        """Build the record at position ``n``."""
        values = self._head[n] if n < len(self._head) else self._tail_values(n)
        template, attributes, children = self._fields()
        # Every record has the same fields, all set: copy the first one's element and
        # rewrite its texts (several times faster than build_object, the same result).
        element = copy.deepcopy(template)
        for name in attributes:
            element.set(name, _plain(values[name]))
        for child, name in zip(element, children, strict=True):
            child.text = _plain(values[name])
        return Record(self.type_name, str(values["executionId"]), element)

    def column(self, name: str, positions: Iterable[int]) -> list[str | None]:
        """The text of field ``name`` of the records at ``positions`` (``None``: not a field they carry).

        Nothing is built: a later position's value is read from its digest alone (or its
        position alone, for the fields that need no draw), so a filter or a sort over
        every record costs a fraction of building them.
        """
        _, attributes, children = self._fields()
        if name not in attributes and name not in children:
            return [None for _ in positions]
        head, extract = self._head, self._extractors()[name]
        split = len(head)
        if name in _BY_POSITION:
            nothing = cast(_Draws, ())
            return [_plain(head[n][name]) if n < split else extract(n, nothing) for n in positions]
        draws = self._kept_draws()
        return [_plain(head[n][name]) if n < split else extract(n, draws(n)) for n in positions]

    def _fields(self) -> tuple[etree._Element, tuple[str, ...], tuple[str, ...]]:
        if self._template is None:
            self._template = self._make_template(self._head[0] if self._head else self._tail_values(0))
        return self._template

    def _tail_values(self, n: int) -> dict[str, Value]:
        # As _extractors, spelled out: a record's id is made once, not once per field naming it.
        d = self._draws(n)
        execution_id = self._tail_key(n, d)
        atom_id, atom_name, host = self.atoms[(d[2] >> 16) % 2]
        process_id, process_name = self.processes[d[2] % len(self.processes)]
        started = _EPOCH + timedelta(minutes=17 * n)
        error = _STATUSES[d[4] % len(_STATUSES)] == "ERROR"
        return {
            "account": self.account_id,
            "atomId": atom_id,
            "atomName": atom_name,
            "executionDuration": 800 + d[5] % 119_200,
            "executionId": execution_id,
            "executionTime": started,
            "executionType": _TYPES[(d[4] >> 8) % len(_TYPES)],
            "inboundDocumentCount": d[6] % 500,
            "inboundDocumentSize": d[7] % 5_000_000,
            "inboundErrorDocumentCount": (d[4] >> 24) % 3 if error else 0,
            "launcherID": "scheduler",
            "message": "Error: connection refused" if error else "",
            "nodeId": f"{host}_{1 + (d[4] >> 16) % 2}",
            "originalExecutionId": execution_id,
            "outboundDocumentCount": d[8] % 500,
            "outboundDocumentSize": d[9] % 5_000_000,
            "parentExecutionId": "",
            "processId": process_id,
            "processName": process_name,
            "recordedDate": started + timedelta(seconds=1 + (d[3] >> 8) % 299),
            "reportKey": str(uuid.UUID(int=int.from_bytes(d[1]), version=4)),
            "status": _STATUSES[d[4] % len(_STATUSES)],
            "topLevelExecutionId": execution_id,
        }

    def _extractors(self) -> dict[str, Callable[[int, _Draws], str]]:
        """The text of each field of a later position, from the position and its digest (as :meth:`_tail_values`)."""
        if self._extract is not None:
            return self._extract
        account, atoms, processes = self.account_id, self.atoms, self.processes
        # The digest's fields: two 128-bit values (the execution id, the report key), eight 32-bit ones.

        def status(d: _Draws) -> str:
            return _STATUSES[d[4] % len(_STATUSES)]

        def key(n: int, d: _Draws) -> str:
            return self._tail_key(n, d)

        def atom(d: _Draws) -> tuple[str, str, str]:
            return atoms[(d[2] >> 16) % 2]

        def process(d: _Draws) -> tuple[str, str]:
            return processes[d[2] % len(processes)]

        def instant(n: int, seconds: int = 0) -> str:
            # _plain(started(n) + timedelta(seconds=seconds)), from the day's date text (made once a day).
            day, moment = divmod(_EPOCH_SECONDS + 1020 * n + seconds, 86_400)
            hours, rest = divmod(moment, 3600)
            return f"{_day_text(day)}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z"

        self._extract = {
            "account": lambda n, d: account,
            "atomId": lambda n, d: atom(d)[0],
            "atomName": lambda n, d: atom(d)[1],
            "executionDuration": lambda n, d: str(800 + d[5] % 119_200),
            "executionId": key,
            "executionTime": lambda n, d: instant(n),
            "executionType": lambda n, d: _TYPES[(d[4] >> 8) % len(_TYPES)],
            "inboundDocumentCount": lambda n, d: str(d[6] % 500),
            "inboundDocumentSize": lambda n, d: str(d[7] % 5_000_000),
            "inboundErrorDocumentCount": lambda n, d: str((d[4] >> 24) % 3) if status(d) == "ERROR" else "0",
            "launcherID": lambda n, d: "scheduler",
            "message": lambda n, d: "Error: connection refused" if status(d) == "ERROR" else "",
            "nodeId": lambda n, d: f"{atom(d)[2]}_{1 + (d[4] >> 16) % 2}",
            "originalExecutionId": key,
            "outboundDocumentCount": lambda n, d: str(d[8] % 500),
            "outboundDocumentSize": lambda n, d: str(d[9] % 5_000_000),
            "parentExecutionId": lambda n, d: "",
            "processId": lambda n, d: process(d)[0],
            "processName": lambda n, d: process(d)[1],
            "recordedDate": lambda n, d: instant(n, 1 + (d[3] >> 8) % 299),
            "reportKey": lambda n, d: str(uuid.UUID(int=int.from_bytes(d[1]), version=4)),
            "status": lambda n, d: status(d),
            "topLevelExecutionId": key,
        }
        return self._extract

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


# Boomi's Trading Partner GET sample (the OpenAPI's GetTradingPartnerComponent JSON example),
# verbatim.  Three of its keys are not in Boomi's own schema of those objects (nor in the
# WSDL's): X12Options.X12ControlInfo (a copy of X12PartnerInfo's), enabledFoldedHeaders on
# AS2MessageOptions and an empty GenericCommunicationOptions array; seed_account leaves out
# what the schema served lacks (see _fit_json), so a release that declares them keeps them.
TRADING_PARTNER: Final[Mapping[str, Any]] = {
    "@type": "TradingPartnerComponent",
    "ContactInfo": {
        "@type": "ContactInfo",
        "contactName": "Tom Miller",
        "address1": "127 Comstock Ave.",
        "address2": "",
        "city": "Philadelphia",
        "state": "PA",
        "postalcode": "19100",
        "country": "US",
        "email": "tom@bestwholesaling.biz",
        "phone": "311 555-3579",
        "fax": "311 555-9753",
    },
    "PartnerInfo": {
        "@type": "PartnerInfo",
        "X12PartnerInfo": {
            "@type": "X12PartnerInfo",
            "X12Options": {
                "@type": "X12Options",
                "elementDelimiter": {
                    "@type": "EdiDelimiter",
                    "delimiterValue": "stardelimited",
                },
                "segmentTerminator": {
                    "@type": "EdiSegmentTerminator",
                    "segmentTerminatorValue": "newline",
                },
                "filteracknowledgements": False,
                "acknowledgementoption": "donotackitem",
                "envelopeoption": "groupall",
                "rejectDuplicateInterchange": False,
                "outboundInterchangeValidation": True,
                "outboundValidationOption": "filterError",
                "X12ControlInfo": {
                    "@type": "X12ControlInfo",
                    "ISAControlInfo": {
                        "@type": "ISAControlInfo",
                        "interchangeIdQualifier": "X12IDQUAL_01",
                        "securityInformationQualifier": "X12SECQUAL_00",
                        "authorizationInformationQualifier": "X12AUTHQUAL_00",
                        "ackrequested": False,
                        "testindicator": "P",
                    },
                    "GSControlInfo": {
                        "@type": "GSControlInfo",
                        "respagencycode": "T",
                    },
                },
            },
            "X12ControlInfo": {
                "@type": "X12ControlInfo",
                "ISAControlInfo": {
                    "@type": "ISAControlInfo",
                    "interchangeIdQualifier": "X12IDQUAL_01",
                    "securityInformationQualifier": "X12SECQUAL_00",
                    "authorizationInformationQualifier": "X12AUTHQUAL_00",
                    "ackrequested": False,
                    "testindicator": "P",
                },
                "GSControlInfo": {
                    "@type": "GSControlInfo",
                    "respagencycode": "T",
                },
            },
        },
    },
    "PartnerCommunication": {
        "@type": "PartnerCommunication",
        "FTPCommunicationOptions": {
            "@type": "FTPCommunicationOptions",
            "FTPSettings": {
                "@type": "FTPSettings",
                "host": "ftp.bestwholesaling.com",
                "port": [
                    "BigInteger",
                    1010,
                ],
                "user": "tom.miller",
                "FTPSSLOptions": {
                    "@type": "FTPSSLOptions",
                    "useClientAuthentication": False,
                    "sslmode": "none",
                },
                "useDefaultSettings": False,
                "connectionMode": "active",
            },
            "FTPGetOptions": {
                "@type": "FTPGetOptions",
                "remoteDirectory": "/usr/local/bestwholesaling/outbox",
                "fileToMove": "*.xml",
                "maxFileCount": [
                    "BigInteger",
                    200,
                ],
                "useDefaultGetOptions": False,
                "ftpAction": "actionget",
                "transferType": "ascii",
            },
            "FTPSendOptions": {
                "@type": "FTPSendOptions",
                "remoteDirectory": "/home/tommiller/new",
                "moveToDirectory": "/home/tommiller/inbox",
                "useDefaultSendOptions": False,
                "ftpAction": "actionputappend",
                "transferType": "ascii",
            },
            "SharedCommunicationChannel": {
                "@type": "SharedCommunicationChannel",
            },
            "CommunicationSetting": "custom",
        },
        "AS2CommunicationOptions": {
            "@type": "AS2CommunicationOptions",
            "AS2SendSettings": {
                "@type": "AS2SendSettings",
                "AuthSettings": {
                    "@type": "AS2BasicAuthInfo",
                },
                "verifyHostname": False,
                "useDefaultSettings": False,
                "authenticationType": "NONE",
            },
            "AS2SendOptions": {
                "@type": "AS2SendOptions",
                "AS2PartnerInfo": {
                    "@type": "AS2PartnerInfo",
                    "basicAuthEnabled": False,
                    "rejectDuplicateMessages": False,
                    "messagesToCheckForDuplicates": 100000,
                    "ListenAuthSettings": {
                        "@type": "AS2BasicAuthInfo",
                    },
                    "ListenAttachmentSettings": {
                        "@type": "AttachmentInfo",
                    },
                    "requireEncryptedMessages": False,
                    "requireSignedMessages": False,
                },
                "AS2MessageOptions": {
                    "@type": "AS2MessageOptions",
                    "encryptionAlgorithm": "tripledes",
                    "dataContentType": "textplain",
                    "signingDigestAlg": "SHA1",
                    "signed": False,
                    "encrypted": False,
                    "compressed": False,
                    "multipleAttachments": False,
                    "enabledFoldedHeaders": False,
                },
                "AS2MDNOptions": {
                    "@type": "AS2MDNOptions",
                    "requestMDN": False,
                    "synchronous": "sync",
                    "signed": False,
                    "useSSL": False,
                    "mdnDigestAlg": "SHA1",
                    "useExternalURL": False,
                },
            },
            "SharedCommunicationChannel": {
                "@type": "SharedCommunicationChannel",
            },
            "CommunicationSetting": "custom",
        },
        "GenericCommunicationOptions": [],
    },
    "PartnerDocumentTypes": {
        "@type": "PartnerDocumentTypes",
        "PartnerDocumentType": [
            {
                "@type": "PartnerDocumentType",
                "typeId": "101",
                "profileId": "23456789-abcd-ef01-2345-6789abcdef01",
                "use999Ack": False,
                "useTA1Ack": False,
                "expectAckForOutbound": False,
                "validateOutboundTransactionSets": False,
                "qualifierValidation": True,
            },
            {
                "@type": "PartnerDocumentType",
                "typeId": "810",
                "profileId": "3456789a-bcde-4012-3456-789abcdef012",
                "use999Ack": False,
                "useTA1Ack": False,
                "expectAckForOutbound": False,
                "validateOutboundTransactionSets": False,
                "qualifierValidation": True,
            },
        ],
    },
    "classification": "tradingpartner",
    "standard": "x12",
    "componentName": "Best Wholesaling",
    "componentId": "12345678-9abc-def0-1234-56789abcdef0",
    "folderName": "Home:TPs",
    "folderId": 11356,
    "branchId": "QjoxNDMxNg",
    "branchName": "branch-1",
}

# Larger seed files are refused before they are parsed.
MAX_SEED_BYTES: Final = 64 * 1024 * 1024
# The id a GET names for types whose id is not one of model.id_field's names.
_GET_KEYS: Final = {
    "AuditLog": "documentId",
    "AccountCloudAttachmentSummary": "runtimeId",
    "Connector": "type",
    "PackagedComponentManifest": "packageId",
}
# accountId names the account, not the object, on these (one row per account and date ...).
_OWN_ACCOUNT_ID: Final = frozenset({"Account", "AccountSSOConfig"})
_NS_BRACES: Final = re.compile(r"\{(?:https?|urn):[^}]*\}")
_LXML_FIELD: Final = re.compile(r"Element '[^']*'(?:, attribute '([^']*)')?: (.*)", re.DOTALL)


def _fit_json(index: SchemaIndex, info: TypeInfo, data: Mapping[str, Any]) -> dict[str, Value]:
    """``data`` (Boomi's JSON form) as build_object values, keys the type does not declare left out."""
    values: dict[str, Value] = {}
    for key, value in data.items():
        declared = info.attributes.get(key) or info.element(key)
        if declared is None or value is None:
            continue
        items = value if isinstance(value, list) else [value]
        if len(items) == 2 and isinstance(items[0], str) and isinstance(items[1], int | float):
            items = [items[1]]  # Jackson's typed number, ["BigInteger", 1010]
        nested = index.types.get(declared.type_name)
        fitted: list[Value] = [
            _fit_json(index, nested, item) if isinstance(item, Mapping) and nested is not None else item
            for item in items
        ]
        values[key] = fitted if isinstance(value, list) and declared.repeated else fitted[0]
    return values


@functools.cache
def _json_form(name: str, layout: str) -> JsonForm:
    folder = Path(str(resources.files("boomi_soap.localservice") / "contract" / CONTRACT_FOLDERS[(name, layout)]))
    return JsonForm.from_files(folder / file for file in CONTRACT_FILES.values() if (folder / file).exists())


def read_seed(path: str | os.PathLike[str], accounts: Iterable[str]) -> dict[str, list[Mapping[str, Any]]]:
    """Read a seed file: the objects of each account, by account id.

    Args:
        path: A JSON file: an array of objects (the first account's), or an object with
            ``objects`` (the first account's) and ``accounts`` (account id to objects).
        accounts: The account ids the service serves, the first account first.

    Returns:
        Account id to its objects, as read (:func:`seed_objects` checks each one).

    Raises:
        ServiceConfigError: One line naming the file, for a file that cannot be read,
            is not JSON, or is not shaped as above.
    """
    name = os.fspath(path)
    known = list(accounts)
    try:
        with open(name, "rb") as handle:
            raw = handle.read(MAX_SEED_BYTES + 1)
    except OSError as exc:
        raise ServiceConfigError(f"seed file {name}: cannot be read: {exc.strerror or exc}") from None
    try:
        data = loads(raw, max_bytes=MAX_SEED_BYTES)
    except JsonFormError as exc:
        raise ServiceConfigError(f"seed file {name}: {exc}") from None
    found: dict[str, list[Mapping[str, Any]]] = {}
    if isinstance(data, list):
        found[known[0]] = data
    elif isinstance(data, dict):
        extra = sorted(set(data) - {"objects", "accounts"})
        if extra:
            raise ServiceConfigError(f"seed file {name}: unknown key {extra[0]!r} (use 'objects' and 'accounts')")
        objects = data.get("objects", [])
        by_account = data.get("accounts", {})
        if not isinstance(objects, list) or not isinstance(by_account, dict):
            raise ServiceConfigError(f"seed file {name}: 'objects' must be an array and 'accounts' an object")
        found[known[0]] = objects
        for account, listed in by_account.items():
            if account not in known:
                served = ", ".join(known)
                raise ServiceConfigError(f"seed file {name}: account {account!r} is not served (it serves {served})")
            if not isinstance(listed, list):
                raise ServiceConfigError(f"seed file {name}: accounts.{account} must be an array of objects")
            found[account] = [*found.get(account, []), *listed]
    else:
        kind = type(data).__name__
        raise ServiceConfigError(f"seed file {name}: expected an array of objects or an object, not {kind}")
    return found


def _key_field(info: TypeInfo) -> str | None:
    named = _GET_KEYS.get(info.name)
    if named is not None:
        return named
    found = id_field(info)
    if found is None or (found.name == "accountId" and info.name not in _OWN_ACCOUNT_ID):
        return None
    return found.name


def _key_of(info: TypeInfo, element: etree._Element) -> str | None:
    """The id a GET of this object names, if the object holds one."""
    if info.name == "ComponentReference":  # GET /ComponentReference/{componentId}: the component referenced
        first = element.find(f"{{{NS_DATA}}}references")
        return (first.get("componentId") or "").strip() or None if first is not None else None
    name = _key_field(info)
    declared = info.attributes.get(name) or info.element(name) if name else None
    if declared is None:
        # As an UPDATE of a type without an id field reads it: the first attribute ending in Id.
        attributes = sorted(info.attributes.values(), key=lambda a: a.name)
        declared = next((a for a in attributes if a.name.endswith("Id") and element.get(a.name)), None)
        if declared is None:
            return None
    values = field_values(Record(info.name, "", element), declared)
    return values[0].strip() if values and values[0].strip() else None


def _validation_message(error: Any) -> str:
    """An lxml validation error as one line: the JSON path of the field, then what is wrong with it."""
    message = _NS_BRACES.sub("", str(error.message)).strip()
    path = "$"
    for step in str(error.path or "").split("/")[3:]:  # after "", the wrapper and the object
        name, _, position = step.partition(":")[2].partition("[")
        path += f".{name}" + (f"[{int(position.rstrip(']')) - 1}]" if position else "")
    found = _LXML_FIELD.match(message)
    if found is None:
        return f"{path}: {message}"
    attribute, detail = found.groups()
    return f"{path}.{attribute}: {detail}" if attribute else f"{path}: {detail}"


def seed_objects(
    store: AccountStore, release: Release, objects: Sequence[Mapping[str, Any]], *, source: str = "seed"
) -> list[Record]:
    """Add objects in Boomi's JSON form to an account, each checked against the served schema.

    All are checked before any is added: a seed that fails adds nothing.

    Args:
        store: The account's store.
        release: The contract served (the schema each object must fit).
        objects: JSON objects, ``@type`` naming each one's object type.
        source: What the objects came from, for messages (a file name).

    Returns:
        The records added, in order.

    Raises:
        ServiceConfigError: One line naming ``source``, the object (index and type) and
            the field, for an object that is not an object type or does not fit the schema.
    """
    from boomi_soap.localservice.validation import thread_schema

    form = _json_form(release.name, release.layout)
    schema = thread_schema(release)
    create = release.contract.operations["create"]
    slot = create.input("object")
    object_tag = slot.tag if slot is not None else "object"
    records: list[Record] = []
    keys: dict[tuple[str, str], int] = {}
    for n, data in enumerate(objects):
        if not isinstance(data, Mapping):
            raise ServiceConfigError(f"{source}: object {n}: expected a JSON object, got {type(data).__name__}")
        named = data.get("@type")
        where = f"{source}: object {n} ({named})" if isinstance(named, str) else f"{source}: object {n}"
        if not isinstance(named, str) or not named.strip():
            raise ServiceConfigError(f"{where}: @type is required (the object type, as Boomi's JSON names it)")
        info = release.index.object_type(named)
        rules = release.rules.get(info.name) if info is not None else None
        if info is None or (rules is None and release.rules):
            raise ServiceConfigError(f"{where}: Invalid object type: {named}")
        wrapper = etree.Element(create.request, nsmap={"bns": NS_DATA, "xsi": NS_XSI})
        try:
            form.from_json({**data, "@type": info.name}, object_tag, parent=wrapper)
        except JsonFormError as exc:
            raise ServiceConfigError(f"{where}: {exc}") from None
        except (ValueError, RecursionError) as exc:  # a value XML cannot carry; nesting past the stack
            raise ServiceConfigError(f"{where}: {exc}") from None
        if not schema.validate(wrapper):
            raise ServiceConfigError(f"{where}: {_validation_message(schema.error_log[0])}")
        element = canonicalise(wrapper[0], info)
        key = _key_of(info, element)
        gets = rules is None or "GET" in rules.operations
        if key is not None and (info.name, key) in keys:
            if gets:
                first = keys[(info.name, key)]
                raise ServiceConfigError(f"{where}: id {key} repeats object {first}'s (a GET cannot tell them apart)")
            key = None  # a query-only row (one per account and date ...): any key will do
        if key is None:
            key = store.new_id(info.name)
            name = _key_field(info)
            if gets and name is not None and (name in info.attributes or info.element(name) is not None):
                with_field(info, element, name, key)
        keys[(info.name, key)] = n
        records.append(Record(info.name, key, element))
    for record in records:
        store.preload(record)
    return records


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
            # The same conceptual id names the schedules' on/off switch (ProcessScheduleStatus object page).
            add(
                "ProcessScheduleStatus",
                {"id": conceptual, "atomId": atom_id, "processId": process_id, "enabled": "true"},
            )
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
    # Boomi's own Trading Partner GET sample (its id and every field the schema declares), so
    # Boomi's GET, UPDATE and DELETE samples find it; its empty <address2/> and
    # <SharedCommunicationChannel/> included: a GET then UPDATE must keep them.
    tp_info = index.types["TradingPartnerComponent"]
    add("TradingPartnerComponent", _fit_json(index, tp_info, TRADING_PARTNER))
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
