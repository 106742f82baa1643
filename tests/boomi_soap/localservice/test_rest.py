"""The local service's RESTish API on the wire: routes, Basic auth, error shapes, limits, override."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from boomi_soap.localservice import (
    DEFAULT_ACCOUNT,
    DEFAULT_API_TOKEN,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    LocalService,
    ServiceConfig,
)
from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS
from boomi_soap.localservice.contract import NS_DATA
from boomi_soap.wire.restmap import error_message

AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)


def root(service: LocalService, account: str = DEFAULT_ACCOUNT) -> str:
    return service.endpoint(account).replace("/api/soap/v1/", "/api/rest/v1/")


def test_get_query_and_paging(service: LocalService) -> None:
    got = requests.get(f"{root(service)}/Account/{DEFAULT_ACCOUNT}", auth=AUTH, timeout=10)
    assert got.status_code == 200
    account = etree.fromstring(got.content)
    assert account.tag == f"{{{NS_DATA}}}Account"
    assert account.get("name") == "Local Demo Account"
    first = etree.fromstring(requests.post(f"{root(service)}/ExecutionRecord/query", auth=AUTH, timeout=10).content)
    assert first.tag == f"{{{NS_DATA}}}QueryResult"
    token = first.findtext(f"{{{NS_DATA}}}queryToken")
    assert token
    more = requests.post(
        f"{root(service)}/ExecutionRecord/queryMore", data=token, headers={"Content-Type": "text/plain"}, auth=AUTH,
        timeout=10,
    )  # fmt: skip
    assert more.status_code == 200
    assert int(etree.fromstring(more.content).get("numberOfResults", "0")) == 100


def test_create_update_delete(service: LocalService) -> None:
    body = f'<Environment xmlns="{NS_DATA}" name="Rest" classification="TEST"/>'
    created = requests.post(f"{root(service)}/Environment", data=body, auth=AUTH, timeout=10)
    assert created.status_code == 200, created.text
    key = etree.fromstring(created.content).get("id")
    renamed = f'<Environment xmlns="{NS_DATA}" id="{key}" name="Rest 2" classification="TEST"/>'
    assert requests.post(f"{root(service)}/Environment/{key}", data=renamed, auth=AUTH, timeout=10).status_code == 200
    assert service.store().get("Environment", str(key)).element.get("name") == "Rest 2"  # type: ignore[union-attr]
    mismatch = requests.post(f"{root(service)}/Environment/other", data=renamed, auth=AUTH, timeout=10)
    assert mismatch.status_code == 400
    assert "is not the id other of the path" in error_message(mismatch.content)
    deleted = requests.delete(f"{root(service)}/Environment/{key}", auth=AUTH, timeout=10)
    assert (deleted.status_code, deleted.content) == (200, b"")
    again = requests.delete(f"{root(service)}/Environment/{key}", auth=AUTH, timeout=10)
    assert again.status_code == 400


def test_basic_auth_with_password_or_token(service: LocalService) -> None:
    url = f"{root(service)}/Account/{DEFAULT_ACCOUNT}"
    assert requests.get(url, auth=(f"BOOMI_TOKEN.{DEFAULT_USER}", DEFAULT_API_TOKEN), timeout=10).status_code == 200
    missing = requests.get(url, timeout=10)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Basic")
    wrong = requests.get(url, auth=(DEFAULT_USER, "wrong-secret"), timeout=10)
    assert wrong.status_code == 401
    assert "wrong-secret" not in wrong.text
    other = requests.get(f"{root(service, 'nobody-ZZZ')}/Account/x", auth=AUTH, timeout=10)
    assert other.status_code == 403
    assert error_message(other.content) == "Access denied due to insufficient permissions."


def test_errors_are_boomis_xml_shape(service: LocalService) -> None:
    unknown = requests.get(f"{root(service)}/Process/nope", auth=AUTH, timeout=10)
    assert unknown.status_code == 400
    assert etree.fromstring(unknown.content).tag == "error"
    assert error_message(unknown.content) == "Process with id nope does not exist"
    bad = requests.post(f"{root(service)}/Environment", data=b"<not-closed", auth=AUTH, timeout=10)
    assert bad.status_code == 400
    unmapped = requests.post(f"{root(service)}/a/b/c/d", data=b"", auth=AUTH, timeout=10)
    assert unmapped.status_code == 404
    assert error_message(unmapped.content) == "Endpoint is invalid or no longer exists."
    assert requests.get(root(service), auth=AUTH, timeout=10).status_code == 404
    offline = next(a.key for a in service.store().all("Atom") if a.element.get("status") == "OFFLINE")
    process = service.store().all("Process")[0].key
    body = f'<ProcessExecutionRequest xmlns="{NS_DATA}" processId="{process}" atomId="{offline}"/>'
    gone = requests.post(f"{root(service)}/executeProcess", data=body, auth=AUTH, timeout=10)
    assert gone.status_code == 410  # Boomi: the specified Runtime is offline


def test_execute_process_as_in_boomis_how_to(service: LocalService) -> None:
    atom = next(a.key for a in service.store().all("Atom") if a.element.get("status") == "ONLINE")
    process = service.store().all("Process")[2].key
    body = (
        f'<ProcessExecutionRequest processId="{process}" atomId="{atom}" xmlns="{NS_DATA}">'
        "<ProcessProperties><ProcessProperty><Name>priority</Name><Value>medium</Value></ProcessProperty>"
        "</ProcessProperties></ProcessExecutionRequest>"
    )
    before = service.store().count("ExecutionRecord")
    started = requests.post(
        f"{root(service)}/executeProcess", data=body, headers={"Content-Type": "application/xml"},
        auth=(f"BOOMI_TOKEN.{DEFAULT_USER}", DEFAULT_API_TOKEN), timeout=10,
    )  # fmt: skip
    assert (started.status_code, started.content) == (200, b"")
    assert service.store().count("ExecutionRecord") == before + 1


def test_bulk_with_per_item_failures(service: LocalService) -> None:
    known = [e.key for e in service.store().all("Environment")]
    ids = [*known, "nope"]
    body = f'<BulkRequest xmlns="{NS_DATA}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" type="GET">'
    body += "".join(f'<request xsi:type="BulkId" id="{i}"/>' for i in ids) + "</BulkRequest>"
    answer = requests.post(f"{root(service)}/Environment/bulk", data=body, auth=AUTH, timeout=10)
    assert answer.status_code == 200
    items = etree.fromstring(answer.content).findall(f"{{{NS_DATA}}}response")
    assert [(i.get("id"), i.get("statusCode")) for i in items] == [
        *((k, "200") for k in known),
        ("nope", "400"),
    ]  # Boomi: 400 for an unknown id
    too_many = body.replace("</BulkRequest>", '<request id="x"/>' * 100 + "</BulkRequest>")
    refused = requests.post(f"{root(service)}/Environment/bulk", data=too_many, auth=AUTH, timeout=10)
    assert refused.status_code == 400
    assert "at most 100" in error_message(refused.content)


def test_rest_calls_count_against_the_account_limits(contract: str) -> None:
    """The account's own counters (the ones SOAP calls use): the quota's 503 is final, with Boomi's message."""
    with LocalService(ServiceConfig(rate_limit=None, daily_quota=2, contract=contract)) as service:
        url = f"{root(service)}/Account/{DEFAULT_ACCOUNT}"
        statuses = [requests.get(url, auth=AUTH, timeout=10).status_code for _ in range(3)]
        assert statuses == [200, 200, 503]
        spent = requests.get(url, auth=AUTH, timeout=10)
        assert "quota" in error_message(spent.content)
        stats = service.limit_stats()
        assert (stats.accepted, stats.quota_exceeded) == (2, 2)


def test_execution_record_async_of_an_unknown_request(service: LocalService) -> None:
    missing = requests.get(f"{root(service)}/ExecutionRecord/async/executionrecord-nope", auth=AUTH, timeout=10)
    assert missing.status_code == 400


@pytest.mark.contracts("partner", why="overrideAccount is the Partner API's sub-account override")
def test_override_account_acts_on_the_sub_account(service: LocalService) -> None:
    sub = DEFAULT_SUB_ACCOUNTS[0]
    url = f"{root(service)}/Account/{sub}"
    own = requests.get(url, auth=AUTH, timeout=10)
    assert own.status_code == 400  # the primary account's store has no such Account
    acted = requests.get(url, params={"overrideAccount": sub}, auth=AUTH, timeout=10)
    assert acted.status_code == 200, acted.text
    assert etree.fromstring(acted.content).get("accountId") == sub
    stranger = requests.get(url, params={"overrideAccount": "stranger-QQQ"}, auth=AUTH, timeout=10)
    assert stranger.status_code == 403


def test_the_soap_side_links_still_answer(service: LocalService) -> None:
    """``{soap endpoint}/ExecutionRecord/async/...`` (an ExecutionRequest's recordUrl) is unchanged."""
    missing = requests.get(f"{service.endpoint()}/ExecutionRecord/async/executionrecord-nope", auth=AUTH, timeout=10)
    assert missing.status_code == 400  # an unknown request id, as on the REST API the link mirrors
    assert requests.delete(service.endpoint(), auth=AUTH, timeout=10).status_code == 405


# -- JSON ------------------------------------------------------------------------------

JSON_IN = {"Content-Type": "application/json", "Accept": "application/json"}


def test_json_both_ways(service: LocalService) -> None:
    got = requests.get(f"{root(service)}/Account/{DEFAULT_ACCOUNT}", headers=JSON_IN, auth=AUTH, timeout=10)
    assert got.headers["Content-Type"].startswith("application/json")
    assert got.json()["@type"] == "Account"
    assert got.json()["name"] == "Local Demo Account"
    created = requests.post(
        f"{root(service)}/Environment", json={"name": "J", "classification": "TEST"}, headers=JSON_IN, auth=AUTH,
        timeout=10,
    )  # fmt: skip
    assert created.status_code == 200, created.text
    assert created.json()["@type"] == "Environment"
    query = {"QueryFilter": {"expression": {"operator": "EQUALS", "property": "name", "argument": ["J"]}}}
    found = requests.post(f"{root(service)}/Environment/query", json=query, headers=JSON_IN, auth=AUTH, timeout=10)
    assert found.status_code == 200, found.text
    assert [r["id"] for r in found.json()["result"]] == [created.json()["id"]]


def test_json_errors_carry_type_and_message(service: LocalService) -> None:
    missing = requests.get(f"{root(service)}/Process/nope", headers=JSON_IN, auth=AUTH, timeout=10)
    assert missing.status_code == 400
    assert missing.json() == {"@type": "Error", "message": "Process with id nope does not exist"}
    bad = requests.post(f"{root(service)}/Environment", json={"colour": "red"}, headers=JSON_IN, auth=AUTH, timeout=10)
    assert bad.status_code == 400
    assert "colour" in bad.json()["message"]
    component = requests.post(f"{root(service)}/Component", json={"name": "c"}, headers=JSON_IN, auth=AUTH, timeout=10)
    assert component.status_code == 400
    assert "XML only" in component.json()["message"]


def test_execute_process_with_boomis_json_sample(service: LocalService) -> None:
    atom = next(a.key for a in service.store().all("Atom") if a.element.get("status") == "ONLINE")
    process = service.store().all("Process")[1].key
    sample = {
        "ProcessProperties": {
            "@type": "ProcessProperties",
            "ProcessProperty": [{"@type": "", "Name": "priority", "Value": "medium"}],
        },
        "processId": process,
        "atomId": atom,
    }
    before = service.store().count("ExecutionRecord")
    started = requests.post(f"{root(service)}/executeProcess", json=sample, headers=JSON_IN, auth=AUTH, timeout=10)
    assert (started.status_code, started.content) == (200, b"")
    assert service.store().count("ExecutionRecord") == before + 1
