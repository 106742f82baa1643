"""Seeding the local service: the demo data, seed files and ``LocalService.seed``.

Objects of every object type the service publishes (the read-only ones included) are
written in Boomi's JSON form from the schema alone, seeded from a file, and read back
over REST the way a client reads them; a seed that does not fit the schema is refused in
one line naming the file, the object and the field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from boomi_soap.exceptions import ServiceConfigError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS
from boomi_soap.localservice.contract import Release, SchemaIndex, TypeInfo
from boomi_soap.localservice.seed import TRADING_PARTNER
from tests.boomi_soap.test_boomi_examples import OPENAPI, value_at

AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)
JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}
TP_ID = "12345678-9abc-def0-1234-56789abcdef0"
# Keys of Boomi's Trading Partner GET sample that Boomi's own schema of those objects lacks.
TP_NOT_IN_SCHEMA = (
    ("PartnerInfo", "X12PartnerInfo", "X12Options", "X12ControlInfo"),
    ("PartnerCommunication", "GenericCommunicationOptions"),
    ("PartnerCommunication", "AS2CommunicationOptions", "AS2SendOptions", "AS2MessageOptions", "enabledFoldedHeaders"),
)
_SCALARS: dict[str, Any] = {
    "boolean": True,
    "int": 7,
    "long": 7,
    "integer": 7,
    "short": 7,
    "double": 1.5,
    "float": 1.5,
    "decimal": 1.5,
    "dateTime": "2026-11-02T08:30:00Z",
    "date": "2026-11-02",
    "base64Binary": "AAEC",
}


def _value(index: SchemaIndex, type_name: str, builtin: bool, depth: int) -> Any:
    if builtin or type_name in index.enumerations:
        choices = index.enumerations.get(type_name) if not builtin else None
        return choices[0] if choices else _SCALARS.get(type_name, f"v-{type_name}")
    nested = index.types.get(type_name)
    if nested is None:
        return "v"
    if nested.abstract:  # the simplest concrete type derived from it, named (SimpleExpression for Expression)
        derived = [t for t in index.types.values() if type_name in t.bases and not t.abstract]
        nested = min(derived, key=lambda t: (sum(e.required and not e.builtin for e in t.elements), t.name))
        return {"@type": nested.name, **_minimal(index, nested, depth + 1)}
    return _minimal(index, nested, depth + 1)


def _minimal(index: SchemaIndex, info: TypeInfo, depth: int = 0) -> dict[str, Any]:
    """An object of ``info`` in Boomi's JSON form: every required field, and every attribute, set."""
    data: dict[str, Any] = {}
    for name, attribute in info.attributes.items():
        data[name] = _value(index, attribute.type_name, attribute.builtin, depth)
    for element in info.elements:
        if element.required:
            value = _value(index, element.type_name, element.builtin or element.type_name == "anyType", depth)
            data[element.name] = [value] if element.repeated else value
    return data


def object_types(release: Release) -> list[TypeInfo]:
    """Every object type the release publishes (Boomi's object inventory, as the service serves it)."""
    found = (release.index.object_type(name) for name in sorted(release.rules))
    return [info for info in found if info is not None]


def _rest_root(service: LocalService) -> str:
    return service.endpoint().replace("/api/soap/", "/api/rest/")


def _without(data: Any, path: tuple[str, ...]) -> None:
    for key in path[:-1]:
        data = data[key]
    data.pop(path[-1], None)


def _plain(data: Any) -> Any:
    """A JSON value without ``@type`` keys and with Jackson's typed numbers (``["BigInteger", 1010]``) read."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items() if k != "@type"}
    if isinstance(data, list):
        if len(data) == 2 and isinstance(data[0], str) and isinstance(data[1], int):
            return data[1]
        return [_plain(v) for v in data]
    return data


def test_a_seed_file_fills_every_object_type(contract: str, tmp_path: Path) -> None:
    release = LocalService(ServiceConfig(contract=contract)).release
    types = object_types(release)
    assert len(types) >= 110  # the read-only ones (AuditLog, Event, ExecutionCount* ...) included
    objects = [{"@type": info.name, **_minimal(release.index, info)} for info in types]
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(objects), encoding="utf-8")
    with LocalService(ServiceConfig(rate_limit=None, contract=contract, seed=seed)) as service:
        store = service.store()
        root = _rest_root(service)
        queries = gets = 0
        with requests.Session() as session:
            for info in types:
                operations = service.release.rules[info.name].operations
                if "QUERY" in operations:
                    answer = session.post(f"{root}/{info.name}/query", data=b"{}", headers=JSON_HEADERS, auth=AUTH)
                    if answer.status_code == 400 and " QUERY needs " in answer.text:
                        continue  # a type Boomi queries only by named filters (the summaries)
                    assert answer.status_code == 200, (info.name, answer.text)
                    assert answer.json()["numberOfResults"] >= 1, info.name
                    queries += 1
                assert store.count(info.name) >= 1, info.name
                if "GET" in operations:
                    key = store.all(info.name)[-1].key  # the seeded one: after any demo objects
                    answer = session.get(f"{root}/{info.name}/{quote(key, safe='')}", headers=JSON_HEADERS, auth=AUTH)
                    assert answer.status_code == 200, (info.name, answer.text)
                    assert answer.json()["@type"] == info.name
                    gets += 1
        assert (queries, gets) >= (65, 45)


def test_seeded_read_only_objects_are_read_as_boomi_answers_them(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    audit = {
        "@type": "AuditLog",
        "documentId": "audit-1",
        "accountId": DEFAULT_ACCOUNT,
        "action": "UPDATE",
        "date": "2026-11-02T08:30:00Z",
        "type": "as.component",
        "userId": DEFAULT_USER,
        "AuditLogProperty": [{"name": "componentId", "value": "c-1"}],
    }
    counts = [
        {"@type": "ExecutionCountAccount", "accountId": DEFAULT_ACCOUNT, "date": f"2026-11-0{d}", "successes": d}
        for d in (1, 2, 3)
    ]
    seed.write_text(json.dumps({"objects": [audit, *counts]}), encoding="utf-8")
    with LocalService(ServiceConfig(rate_limit=None, seed=seed)) as service:
        root = _rest_root(service)
        got = requests.get(f"{root}/AuditLog/audit-1", headers=JSON_HEADERS, auth=AUTH, timeout=30)
        assert got.status_code == 200, got.text
        assert _plain(got.json()) == _plain(audit)
        query = {
            "QueryFilter": {"expression": {"operator": "EQUALS", "property": "type", "argument": ["as.component"]}}
        }
        found = requests.post(f"{root}/AuditLog/query", json=query, headers=JSON_HEADERS, auth=AUTH, timeout=30)
        assert [r["documentId"] for r in found.json()["result"]] == ["audit-1"]
        rows = requests.post(f"{root}/ExecutionCountAccount/query", data=b"{}", headers=JSON_HEADERS, auth=AUTH)
        assert sorted(r["successes"] for r in rows.json()["result"]) == [1, 2, 3]  # one row each, same accountId


def test_the_trading_partner_is_boomis_get_sample_verbatim(contract: str) -> None:
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    sample = value_at(
        document, "/paths/~1TradingPartnerComponent~1{id}/get/responses/200/content/application~1json/example"
    )
    assert _plain(sample) == _plain(TRADING_PARTNER)  # the seed holds Boomi's sample as published
    expected = json.loads(json.dumps(sample))
    for path in TP_NOT_IN_SCHEMA:
        _without(expected, path)
    with LocalService(ServiceConfig(rate_limit=None, contract=contract)) as service:
        root = _rest_root(service)
        if contract == "partner":
            root = service.endpoint().replace("/partner/api/soap/", "/partner/api/rest/")
        got = requests.get(f"{root}/TradingPartnerComponent/{TP_ID}", headers=JSON_HEADERS, auth=AUTH, timeout=30)
        assert got.status_code == 200, got.text
        assert _plain(got.json()) == _plain(expected)  # its id and every field the schema declares
        deleted = requests.delete(f"{root}/TradingPartnerComponent/{TP_ID}", auth=AUTH, timeout=30)
        assert deleted.status_code == 200, deleted.text
        again = requests.get(f"{root}/TradingPartnerComponent/{TP_ID}", headers=JSON_HEADERS, auth=AUTH, timeout=30)
        assert again.status_code == 400  # an unknown id is a bad request on Boomi


def _refusal(tmp_path: Path, content: Any, **config: Any) -> str:
    seed = tmp_path / "seed.json"
    seed.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    with pytest.raises(ServiceConfigError) as refused:
        LocalService(ServiceConfig(seed=seed, **config))
    message = str(refused.value)
    assert "\n" not in message
    return message.replace(str(seed), "SEED")


@pytest.mark.parametrize(
    ("objects", "expected"),
    [
        (
            [{"@type": "AuditLog"}, {"@type": "AuditLog", "date": "yesterday"}],
            "seed file SEED: object 1 (AuditLog): $.date: 'yesterday' is not a valid value of the atomic type"
            " 'xs:dateTime'.",
        ),
        (
            [{"@type": "AuditLog", "actoin": "UPDATE"}],
            "seed file SEED: object 0 (AuditLog): $: unknown key 'actoin' for AuditLog",
        ),
        (
            [{"@type": "ProcessScheduleStatus", "enabled": "maybe"}],
            "seed file SEED: object 0 (ProcessScheduleStatus): $.enabled: not an xs:boolean",
        ),
        (
            [{"@type": "TradingPartnerComponent", "ContactInfo": {"city": "Philadelphia"}}],
            "seed file SEED: object 0 (TradingPartnerComponent): $.ContactInfo.contactName: contactName is required"
            " in ContactInfo",
        ),
        (
            [{"@type": "TradingPartnerComponent", "standard": "x13"}],
            "seed file SEED: object 0 (TradingPartnerComponent): $.standard: [facet 'enumeration'] The value 'x13'"
            " is not an element of the set {'x12', 'edifact', 'hl7', 'custom', 'rosettanet', 'tradacoms', 'odette'}.",
        ),
        (
            [{"action": "UPDATE"}],
            "seed file SEED: object 0: @type is required (the object type, as Boomi's JSON names it)",
        ),
        (["AuditLog"], "seed file SEED: object 0: expected a JSON object, got str"),
        (
            [{"@type": "AuditLog", "documentId": "a"}, {"@type": "AuditLog", "documentId": "a"}],
            "seed file SEED: object 1 (AuditLog): id a repeats object 0's (a GET cannot tell them apart)",
        ),
    ],
)
def test_an_object_that_does_not_fit_is_refused_in_one_line(tmp_path: Path, objects: Any, expected: str) -> None:
    assert _refusal(tmp_path, objects) == expected


@pytest.mark.parametrize("name", ["LogDownload", "Roles", "ClearQueueRequest", "AsyncOperationTokenResult", "Nope"])
def test_types_that_are_not_objects_are_refused_as_boomi_refuses_them(tmp_path: Path, name: str) -> None:
    message = _refusal(tmp_path, [{"@type": name}])
    assert message == f"seed file SEED: object 0 ({name}): Invalid object type: {name}"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{", "seed file SEED: $: not JSON: Expecting property name enclosed in double quotes"),
        ('"objects"', "seed file SEED: expected an array of objects or an object, not str"),
        ({"object": []}, "seed file SEED: unknown key 'object' (use 'objects' and 'accounts')"),
        ({"objects": {}}, "seed file SEED: 'objects' must be an array and 'accounts' an object"),
        ({"accounts": {"elsewhere-1": []}}, "seed file SEED: account 'elsewhere-1' is not served"),
    ],
)
def test_a_file_that_is_not_a_seed_is_refused_in_one_line(tmp_path: Path, content: Any, expected: str) -> None:
    assert _refusal(tmp_path, content).startswith(expected)


def test_a_missing_seed_file_is_refused_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    with pytest.raises(ServiceConfigError, match=f"^seed file {missing}: cannot be read: No such file or directory$"):
        LocalService(ServiceConfig(seed=missing))


def test_objects_go_to_the_account_the_file_names(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    connector = {"@type": "Connector", "name": "Disk", "type": "disk"}
    seed.write_text(json.dumps({"objects": [connector], "accounts": {DEFAULT_SUB_ACCOUNTS[0]: [connector]}}))
    with LocalService(ServiceConfig(rate_limit=None, contract="partner", seed=seed)) as service:
        assert service.store().count("Connector") == 1
        assert service.store(DEFAULT_SUB_ACCOUNTS[0]).count("Connector") == 1  # seeded on first use
        assert service.store(DEFAULT_SUB_ACCOUNTS[1]).count("Connector") == 0
    seed.write_text(json.dumps({"accounts": {DEFAULT_SUB_ACCOUNTS[1]: [connector, connector]}}))
    with pytest.raises(ServiceConfigError, match=r"object 1 \(Connector\): id disk repeats object 0's"):
        LocalService(ServiceConfig(contract="partner", seed=seed))  # a sub-account's objects are checked at start


def test_the_seed_api_adds_all_or_nothing_and_costs_no_room(service: LocalService) -> None:
    store = service.store()
    held = store.held
    added = service.seed([{"@type": "Connector", "name": "Disk", "type": "disk"}, {"@type": "AuditLog"}])
    assert (added[0].type, added[0].key) == ("Connector", "disk")
    assert added[1].key  # an object without an id gets one
    assert store.held == held  # seed data does not count against the caps until changed
    with pytest.raises(ServiceConfigError, match=r"^seed: object 1 \(Event\): "):
        service.seed([{"@type": "Connector", "type": "sftp"}, {"@type": "Event"}])
    assert store.get("Connector", "sftp") is None


def test_a_seeded_object_replaces_the_demo_object_with_its_id(service: LocalService) -> None:
    process = service.store().all("Process")[0]
    service.seed([{"@type": "Process", "id": process.key, "name": "Renamed", "Description": "Renamed."}])
    stored = service.store().get("Process", process.key)
    assert stored is not None
    assert stored.element.get("name") == "Renamed"
    assert service.store().count("Process") == 24
