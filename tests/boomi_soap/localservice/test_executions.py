"""Executions in simulated time, the recordUrl resource, cancelExecution and log downloads, on the wire."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.localservice.executions import MESSAGE_PROPERTY, OUTCOME_PROPERTY
from boomi_soap.localservice.seed import PROCESS_NAMES
from tests.boomi_soap.localservice.helpers import NS, RawSoap

AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)


class Clock:
    """The store's simulated time, moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(service: LocalService) -> Clock:
    clock = Clock()
    service.store().clock = clock
    return clock


def request(soap: RawSoap, service: LocalService, **properties: str) -> str:
    """Create an ExecutionRequest; return its recordUrl."""
    atom = next(a for a in service.store().all("Atom") if a.element.get("status") == "ONLINE")
    bag = "".join(f'<api:DynamicProcessProperty name="{k}" value="{v}"/>' for k, v in properties.items())
    payload = soap.ok(
        f'<soap:create><object xsi:type="api:ExecutionRequest" processName="{PROCESS_NAMES[2]}" atomId="{atom.key}">'
        f"<api:DynamicProcessProperties>{bag}</api:DynamicProcessProperties><api:ProcessProperties/>"
        "</object></soap:create>"
    )
    return payload.find("api:result", NS).get("recordUrl")


def record(url: str) -> tuple[str, str | None, str | None]:
    """(body responseStatusCode, status, message) of the recordUrl resource."""
    reply = requests.get(url, auth=AUTH, timeout=5)
    assert reply.status_code == 200  # the body, not the HTTP status, says whether it is done
    root = etree.fromstring(reply.content)
    status = root.findtext("api:result/api:status", namespaces=NS)
    return root.get("responseStatusCode"), status, root.findtext("api:result/api:message", namespaces=NS)


def test_a_run_progresses_in_simulated_time(soap: RawSoap, service: LocalService, clock: Clock) -> None:
    appear, begin, end = service.config.execution_timeline
    url = request(soap, service)
    seen = []
    for moment in (appear, begin, end, end + 1):
        clock.now = moment
        seen.append(record(url)[:2])
    assert seen == [("200", "ENQUEUED"), ("200", "INPROCESS"), ("200", "COMPLETE"), ("200", "COMPLETE")]


def test_no_record_until_it_exists(contract: str) -> None:
    with LocalService(ServiceConfig(rate_limit=None, contract=contract, execution_timeline=(5, 6, 7))) as service:
        clock = Clock()
        service.store().clock = clock
        url = request(RawSoap(service), service)
        assert record(url) == ("202", None, None)
        before = service.store().count("ExecutionRecord")
        clock.now = 5
        assert record(url)[:2] == ("200", "ENQUEUED")
        assert service.store().count("ExecutionRecord") == before + 1
        clock.now = 6
        assert record(url)[1] == "INPROCESS"
        clock.now = 7
        assert record(url)[1] == "COMPLETE"


def test_a_property_chooses_the_outcome(soap: RawSoap, service: LocalService, clock: Clock) -> None:
    url = request(soap, service, **{MESSAGE_PROPERTY: "Map failed"})
    clock.now = 100
    assert record(url)[1:] == ("ERROR", "Map failed")
    url = request(soap, service, **{OUTCOME_PROPERTY: "DISCARDED"})
    clock.now = 200
    assert record(url)[1] == "DISCARDED"
    atom = next(a for a in service.store().all("Atom") if a.element.get("status") == "ONLINE")
    reply = soap.call(
        f'<soap:create><object xsi:type="api:ExecutionRequest" processName="{PROCESS_NAMES[2]}" atomId="{atom.key}">'
        f'<api:DynamicProcessProperties><api:DynamicProcessProperty name="{OUTCOME_PROPERTY}" value="LATE"/>'
        "</api:DynamicProcessProperties><api:ProcessProperties/></object></soap:create>"
    )
    assert reply.fault()[2] == "INVALID_REQUEST"


def test_cancel_stops_progress(soap: RawSoap, service: LocalService, clock: Clock) -> None:
    url = request(soap, service)
    answer = etree.fromstring(requests.get(url, auth=AUTH, timeout=5).content)
    execution_id = answer.findtext("api:result/api:executionId", namespaces=NS)
    child = soap.child("cancelExecution", "executionId")
    soap.ok(f"<soap:cancelExecution><{child}>{execution_id}</{child}></soap:cancelExecution>")
    clock.now = 10_000
    assert record(url)[1] == "ABORTED"


def test_the_record_url_needs_credentials_and_a_known_request(soap: RawSoap, service: LocalService) -> None:
    url = request(soap, service)
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, auth=(DEFAULT_USER, "wrong"), timeout=5).status_code == 401
    unknown = url.rpartition("/")[0] + "/executionrecord-unknown"
    assert requests.get(unknown, auth=AUTH, timeout=5).status_code == 400
    assert service.limit_stats().accepted >= 2  # REST reads count against the limits too


def test_a_log_download_is_served_once_created(soap: RawSoap, service: LocalService) -> None:
    execution = service.store().all("ExecutionRecord")[0].key
    payload = soap.ok(
        f'<soap:create><object xsi:type="api:ProcessLog" executionId="{execution}" logLevel="ALL"/></soap:create>'
    )
    result = payload.find("api:result", NS)
    assert result.get(f"{{{NS['xsi']}}}type").endswith("LogDownload")
    assert result.get("statusCode") == "202"
    assert requests.get(result.get("url"), timeout=5).status_code == 401
    log = requests.get(result.get("url"), auth=AUTH, timeout=5)
    assert log.status_code == 200
    assert len(log.content) == service.config.log_bytes
    reply = soap.call('<soap:create><object xsi:type="api:ProcessLog" executionId="execution-nope"/></soap:create>')
    assert reply.fault()[2] == "NOT_FOUND"
