"""The local service takes what Boomi takes and answers as Boomi's pages show, on the wire (issue 25)."""

from __future__ import annotations

import base64
import re
import uuid
from typing import Any

import pytest
import requests
from lxml import etree

from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.localservice.contract import NS_DATA
from boomi_soap.localservice.model import Record, build_object
from boomi_soap.wire.restmap import error_message
from tests.boomi_soap.localservice.helpers import RawSoap

AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)
JSON = {"Content-Type": "application/json", "Accept": "application/json"}
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def root(service: LocalService) -> str:
    return service.endpoint(DEFAULT_ACCOUNT).replace("/api/soap/v1/", "/api/rest/v1/")


def post_json(service: LocalService, path: str, body: str) -> requests.Response:
    return requests.post(f"{root(service)}{path}", data=body, headers=JSON, auth=AUTH, timeout=10)


def names(answer: requests.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return sorted(r["name"] for r in data.get("result", []))


def test_openapi_type_names_on_a_query_are_read_by_place(service: LocalService) -> None:
    everything = sorted(r.element.get("name", "") for r in service.store().all("Environment"))
    assert len(everything) > 1
    # What the PyPI boomi SDK sends: its class names on every object.
    simple = (
        '{"@type": "EnvironmentQueryConfig", "QueryFilter": {"@type": "EnvironmentQueryConfigQueryFilter",'
        ' "expression": {"@type": "EnvironmentSimpleExpression", "argument": ["Test"], "operator": "EQUALS",'
        ' "property": "name"}}}'
    )
    assert names(post_json(service, "/Environment/query", simple)) == ["Test"]
    grouping = (
        '{"@type": "EnvironmentQueryConfig", "QueryFilter": {"@type": "EnvironmentQueryConfigQueryFilter",'
        ' "expression": {"@type": "EnvironmentGroupingExpression", "operator": "or", "nestedExpression": ['
        '{"@type": "EnvironmentSimpleExpression", "argument": ["Test"], "operator": "EQUALS", "property": "name"},'
        '{"@type": "EnvironmentSimpleExpression", "argument": ["Production"], "operator": "EQUALS",'
        ' "property": "name"}]}}}'
    )
    assert names(post_json(service, "/Environment/query", grouping)) == ["Production", "Test"]
    # The schema's own names, and none at all, still work.
    plain = '{"QueryFilter": {"expression": {"argument": ["Test"], "operator": "EQUALS", "property": "name"}}}'
    assert names(post_json(service, "/Environment/query", plain)) == ["Test"]
    schema = (
        '{"@type": "QueryConfig", "QueryFilter": {"@type": "QueryFilter", "expression": {"@type": "SimpleExpression",'
        ' "argument": ["Test"], "operator": "EQUALS", "property": "name"}}}'
    )
    assert names(post_json(service, "/Environment/query", schema)) == ["Test"]
    for empty in ("{}", '{"@type": "EnvironmentQueryConfig"}', '{"QueryFilter": {}}'):
        assert names(post_json(service, "/Environment/query", empty)) == everything, empty


def test_an_unknown_type_name_is_refused_naming_it(service: LocalService) -> None:
    on_query = post_json(service, "/Environment/query", '{"@type": "Banana"}')
    assert on_query.status_code == 400
    assert "'Banana'" in on_query.json()["message"]
    nested = '{"QueryFilter": {"expression": {"@type": "Kiwi", "argument": ["x"], "operator": "EQUALS", "property": "name"}}}'
    refused = post_json(service, "/Environment/query", nested)
    assert refused.status_code == 400
    assert "'Kiwi'" in refused.json()["message"]
    on_object = post_json(service, "/Environment", '{"@type": "Banana", "name": "x"}')
    assert on_object.status_code == 400
    assert "'Banana'" in on_object.json()["message"]
    assert not [r for r in service.store().all("Environment") if r.element.get("name") == "x"]


def test_bulk_request_by_openapi_name_and_unknown_ids_as_documented(service: LocalService) -> None:
    known = service.store().all("Environment")[0].key
    body = (
        '{"@type": "EnvironmentBulkRequest", "type": "GET", "request": ['
        f'{{"@type": "BulkId", "id": "{known}"}}, {{"@type": "BulkId", "id": "nope"}}]}}'
    )
    answer = post_json(service, "/Environment/bulk", body)
    assert answer.status_code == 200, answer.text
    items = answer.json()["response"]
    assert [(i["@type"], i["statusCode"]) for i in items] == [("BulkResponse", 200), ("BulkResponse", 400)]
    assert items[0]["Result"]["id"] == known
    assert items[1]["id"] == "nope"
    assert "does not exist" in items[1]["errorMessage"]


def test_xml_children_out_of_sequence_order_are_bound(service: LocalService) -> None:
    body = (
        f'<QueryConfig xmlns="{NS_DATA}" xmlns:xsi="{XSI}"><QuerySort><sortField fieldName="name" sortOrder="DESC"/>'
        '</QuerySort><QueryFilter><expression xsi:type="GroupingExpression" operator="or">'
        '<nestedExpression xsi:type="SimpleExpression" operator="EQUALS" property="name"><argument>Test</argument>'
        '</nestedExpression><nestedExpression xsi:type="SimpleExpression" operator="EQUALS" property="name">'
        "<argument>Production</argument></nestedExpression></expression></QueryFilter></QueryConfig>"
    )
    answer = requests.post(f"{root(service)}/Environment/query", data=body, auth=AUTH, timeout=10)
    assert answer.status_code == 200, answer.text
    got = [r.get("name") for r in etree.fromstring(answer.content).iterfind(f"{{{NS_DATA}}}result")]
    assert got == ["Test", "Production"]
    # What order does not explain is still refused, with the schema's message about it.
    bad = body.replace("</QueryConfig>", "<Bogus/></QueryConfig>")
    refused = requests.post(f"{root(service)}/Environment/query", data=bad, auth=AUTH, timeout=10)
    assert refused.status_code == 400
    assert "Bogus" in error_message(refused.content)


def test_soap_wrapper_children_in_any_order_and_an_empty_filter(service: LocalService) -> None:
    soap = RawSoap(service)
    config, kind = soap.child("query", "queryConfig"), soap.child("query", "objectType")
    # objectType after queryConfig (not the sequence's order), and a QueryFilter with no expression.
    answer = soap.ok(f"<soap:query><{config}><api:QueryFilter/></{config}><{kind}>Environment</{kind}></soap:query>")
    results = answer.findall(f".//{{{NS_DATA}}}result")
    assert len(results) == len(service.store().all("Environment")) > 1


def test_created_folder_has_what_boomi_derives(service: LocalService) -> None:
    home = next(r for r in service.store().all("Folder") if not r.element.get("parentId"))
    top = post_json(service, "/Folder", '{"@type": "Folder", "name": "Top"}').json()
    assert (top["parentId"], top["parentName"], top["deleted"]) == (home.key, home.element.get("name"), False)
    assert top["fullPath"] == f"{home.element.get('fullPath')}/Top"
    inner = post_json(service, "/Folder", f'{{"name": "Inner", "parentId": "{top["id"]}"}}').json()
    assert (inner["parentName"], inner["fullPath"]) == ("Top", f"{top['fullPath']}/Inner")
    orphan = post_json(service, "/Folder", '{"name": "Lost", "parentId": "no-such-folder"}')
    assert orphan.status_code == 400
    assert "Folder with id no-such-folder does not exist" in orphan.json()["message"]


def test_execution_request_record_url_points_at_the_rest_api(service: LocalService) -> None:
    process, atom = service.store().all("Process")[0], service.store().all("Atom")[0]
    body = f'{{"@type": "ExecutionRequest", "atomId": "{atom.key}", "processId": "{process.key}"}}'
    created = post_json(service, "/ExecutionRequest", body)
    assert created.status_code == 200, created.text
    url = created.json()["recordUrl"]
    assert url.startswith(root(service) + "/ExecutionRecord/async/")
    polled = requests.get(url, auth=AUTH, timeout=10)
    assert polled.status_code in (200, 202)
    assert b"AsyncOperationResult" in polled.content


@pytest.mark.contracts("split", why="REST routes are the same on every layout; one run is enough")
def test_the_four_action_paths(service: LocalService) -> None:
    atom = service.store().all("Atom")[0].key
    change = f'{{"listenerId": "l1", "containerId": "{atom}", "action": "pause"}}'
    assert (post_json(service, "/changeListenerStatus", change).status_code, b"") == (200, b"")
    bad_action = post_json(service, "/changeListenerStatus", change.replace("pause", "snooze"))
    assert bad_action.status_code == 400
    assert "snooze" in bad_action.json()["message"]
    unknown_atom = post_json(service, "/changeListenerStatus", change.replace(atom, "no-atom"))
    assert unknown_atom.status_code == 400
    cleared = post_json(service, f"/ClearQueue/execute/{atom}", f'{{"QueueName": "Q1", "AtomId": "{atom}"}}')
    assert cleared.json() == {
        "@type": "QueueMessageResponse",
        "message": f"Request submitted to atom id: {atom} to clear atom queue: Q1",
    }
    queued = post_json(service, "/async/ListenerStatus/query", "{}").json()
    assert (queued["@type"], queued["responseStatusCode"]) == ("AsyncOperationTokenResult", 202)
    token = queued["asyncToken"]["token"]
    assert token.startswith("ListenerStatus-")
    result = requests.get(f"{root(service)}/async/ListenerStatus/response/{token}", headers=JSON, auth=AUTH, timeout=10)
    assert result.json() == {
        "@type": "AsyncOperationResult",
        "responseStatusCode": 200,
        "numberOfResults": 0,
        "result": [],
    }
    missing = requests.get(f"{root(service)}/async/ListenerStatus/response/nope", auth=AUTH, timeout=10)
    assert missing.status_code == 400
    secrets = post_json(
        service, f"/cloudAttachmentSecretsConfiguration/{atom}", '{"secretsManagerProvider": {"AWS": {}}}'
    ).json()
    assert secrets == {
        "@type": "CloudAttachmentSecretsConfigurationResponse",
        "statusCode": 200,
        "message": f"AWS secrets configuration sent successfully to cloud attachment {atom}",
    }
    wrong = requests.get(f"{root(service)}/cloudAttachmentSecretsConfiguration/{atom}", auth=AUTH, timeout=10)
    assert wrong.status_code == 400
    assert "is not an element of the schema" not in wrong.text
    assert "is not an operation of the platform API" in error_message(wrong.content)
    unsigned = requests.post(f"{root(service)}/changeListenerStatus", data=change, headers=JSON, timeout=10)
    assert unsigned.status_code == 401


@pytest.mark.contracts("split", "partner", why="REST routes are the same on every layout; both REST prefixes")
def test_runtime_async_reads_and_other_actions(service: LocalService) -> None:
    atom = service.store().all("Atom")[0].key
    seeded = build_object(service.release.index, "AtomDiskSpace", {"totalSize": "21 KB", "rawTotalSize": 21931})
    service.store().put(Record("AtomDiskSpace", atom, seeded))
    first = requests.get(f"{root(service)}/async/AtomDiskSpace/{atom}", headers=JSON, auth=AUTH, timeout=10).json()
    assert (first["@type"], first["responseStatusCode"]) == ("AsyncOperationTokenResult", 202)
    token = first["asyncToken"]["token"]
    assert token.startswith("AtomDiskSpace-")
    url = f"{root(service)}/async/AtomDiskSpace/response/{token}"
    result = requests.get(url, headers=JSON, auth=AUTH, timeout=10).json()
    assert (result["responseStatusCode"], result["numberOfResults"]) == (200, 1)
    assert result["result"][0]["@type"] == "AtomDiskSpace"
    assert result["result"][0]["totalSize"] == "21 KB"
    other_kind = url.replace("/AtomDiskSpace/response/", "/AtomCounters/response/")
    assert requests.get(other_kind, auth=AUTH, timeout=10).status_code == 400
    unknown = requests.get(f"{root(service)}/async/AtomDiskSpace/no-atom", auth=AUTH, timeout=10)
    assert unknown.status_code == 400
    assert "Atom with id no-atom does not exist" in error_message(unknown.content)
    refreshed = post_json(
        service, "/refreshSecretsManager", '{"@type": "SecretsManagerRefreshRequest", "provider": "AWS"}'
    )
    assert refreshed.json() == {
        "@type": "SecretsManagerRefreshResponse",
        "message": f"AWS Secrets Manager refresh messages have been sent to all containers in {DEFAULT_ACCOUNT}",
    }
    assert post_json(service, "/refreshSecretsManager", '{"provider": "NOPE"}').status_code == 400
    rollback = post_json(service, f"/JavaRollback/execute/{atom}", "{}")
    assert (rollback.status_code, rollback.json()) == (200, {"@type": "JavaRollback", "atomId": atom})
    missing = post_json(service, "/EnvironmentMapExtension/execute/no-map", "{}")
    assert missing.status_code == 400
    service.store().put(
        Record(
            "EnvironmentMapExtension",
            "map-1",
            build_object(service.release.index, "EnvironmentMapExtension", {"id": "map-1", "name": "M"}),
        )
    )
    executed = post_json(service, "/EnvironmentMapExtension/execute/map-1", "{}")
    assert executed.status_code == 200, executed.text
    assert (executed.json()["@type"], executed.json()["id"], executed.json()["name"]) == (
        "EnvironmentMapExtension",
        "map-1",
        "M",
    )


def test_deployed_package_by_environment_and_component(service: LocalService) -> None:
    environment, process = service.store().all("Environment")[0].key, service.store().all("Process")[0].key
    body = (
        f'<DeployedPackage xmlns="{NS_DATA}"><notes>by component</notes><environmentId>{environment}</environmentId>'
        f"<componentId>{process}</componentId></DeployedPackage>"  # and out of sequence order, too
    )
    created = requests.post(
        f"{root(service)}/DeployedPackage", data=body, headers={"Accept": "application/json"}, auth=AUTH, timeout=10
    )
    assert created.status_code == 200, created.text
    deployed = created.json()
    assert (deployed["componentId"], deployed["environmentId"], deployed["active"]) == (process, environment, True)
    package = service.store().get("PackagedComponent", deployed["packageId"])
    assert package is not None
    assert package.element.findtext(f"{{{NS_DATA}}}componentId") == process
    assert package.element.findtext(f"{{{NS_DATA}}}notes") == "by component"
    neither = body.replace(f"<componentId>{process}</componentId>", "")
    refused = requests.post(f"{root(service)}/DeployedPackage", data=neither, auth=AUTH, timeout=10)
    assert refused.status_code == 400
    assert "packageId (or componentId)" in error_message(refused.content)


def test_query_more_token_as_a_json_string(service: LocalService) -> None:
    first = requests.post(f"{root(service)}/ExecutionRecord/query", headers=JSON, auth=AUTH, timeout=10).json()
    more = post_json(service, "/ExecutionRecord/queryMore", f'"{first["queryToken"]}"')
    assert more.status_code == 200, more.text
    assert more.json()["numberOfResults"] == 100
    assert {r["executionId"] for r in more.json()["result"]}.isdisjoint(r["executionId"] for r in first["result"])


def test_update_of_an_object_keyed_by_its_runtime(service: LocalService) -> None:
    atom = service.store().all("Atom")[0].key
    body = f'<AtomSecurityPolicies xmlns="{NS_DATA}" atomId="{atom}"><common/></AtomSecurityPolicies>'
    unknown = requests.post(f"{root(service)}/AtomSecurityPolicies/{atom}", data=body, auth=AUTH, timeout=10)
    assert unknown.status_code == 400  # an unknown id, no longer "id is required"
    assert f"AtomSecurityPolicies with id {atom} does not exist" in error_message(unknown.content)
    seeded = build_object(service.release.index, "AtomSecurityPolicies", {"atomId": atom, "common": {}})
    service.store().put(Record("AtomSecurityPolicies", atom, seeded))
    updated = requests.post(f"{root(service)}/AtomSecurityPolicies/{atom}", data=body, auth=AUTH, timeout=10)
    assert updated.status_code == 200, updated.text
    assert etree.fromstring(updated.content).get("atomId") == atom
    assert service.store().get("AtomSecurityPolicies", atom) is not None


def test_updated_folder_keeps_what_boomi_derives(service: LocalService) -> None:
    finance = next(r for r in service.store().all("Folder") if r.element.get("fullPath") == "Home/Finance")
    top = post_json(service, "/Folder", '{"name": "Top"}').json()
    renamed = post_json(service, f"/Folder/{top['id']}", f'{{"id": "{top["id"]}", "name": "Renamed"}}').json()
    assert (renamed["fullPath"], renamed["parentId"], renamed["deleted"]) == ("Home/Renamed", top["parentId"], False)
    moved = post_json(
        service, f"/Folder/{top['id']}", f'{{"id": "{top["id"]}", "name": "R", "parentId": "{finance.key}"}}'
    )
    assert (moved.json()["fullPath"], moved.json()["parentName"]) == ("Home/Finance/R", "Finance")
    home = next(r for r in service.store().all("Folder") if not r.element.get("parentId"))
    root_folder = post_json(service, f"/Folder/{home.key}", f'{{"id": "{home.key}", "name": "Home"}}').json()
    assert (root_folder["fullPath"], "parentId" in root_folder) == ("Home", False)


def test_new_ids_have_the_shape_boomi_gives_the_type(service: LocalService) -> None:
    folder = post_json(service, "/Folder", '{"name": "Shaped"}').json()["id"]
    assert re.fullmatch(r"F:\d+", base64.b64decode(folder + "=" * (-len(folder) % 4)).decode())
    assert "=" not in folder
    second = post_json(service, "/Folder", '{"name": "Shaped 2"}').json()["id"]
    assert second != folder
    environment = post_json(service, "/Environment", '{"name": "Shaped", "classification": "TEST"}').json()["id"]
    assert uuid.UUID(environment)


def test_types_that_are_not_objects_are_refused(service: LocalService) -> None:
    soap = RawSoap(service)
    kind, key = soap.child("get", "objectType"), soap.child("get", "objectId")
    for name in ("LogDownload", "Roles", "AsyncOperationTokenResult", "ContactInfo"):
        assert service.release.index.object_type(name) is not None  # in the schema, extending BaseType
        got = requests.get(f"{root(service)}/{name}/x", auth=AUTH, timeout=10)
        assert got.status_code == 400, name
        assert error_message(got.content) == f"Invalid object type: {name}"
        faulted = soap.call(f"<soap:get><{kind}>{name}</{kind}><{key}>x</{key}></soap:get>")
        assert faulted.fault()[1] == f"Invalid object type: {name}"
    body = f'<LogDownload xmlns="{NS_DATA}" url="http://127.0.0.1/x"/>'
    created = requests.post(f"{root(service)}/LogDownload", data=body, auth=AUTH, timeout=10)
    assert created.status_code == 400
    assert error_message(created.content) == "Invalid object type: LogDownload"
