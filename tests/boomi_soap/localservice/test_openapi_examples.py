"""Boomi's own OpenAPI request examples, sent as they are to the local service over REST.

Every request example of the packaged description (``boomi_soap/localservice/openapi/``,
listed in ``tests/fixtures/boomi-openapi/manifest.json``) is posted to a fresh split
service, its path parameter filled with the id its body names; the run Boomi's action
examples name is seeded first (``LocalService.seed``), so those actions act on it.  Each answer is
accepted (2xx), an unknown id (404, an expired queryToken, an id the service already
holds), or a refusal of its shape.  The shape refusals are held exact both ways: the
examples the manifest already lists as refused by the client's own pre-send
validation (they contradict Boomi's schema), and :data:`SERVICE_REFUSES`, each with
its reason.  A new refusal fails the test, and so does an example that stops being
refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests
from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import XMLInputError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from tests.boomi_soap.test_boomi_examples import OPENAPI, value_at

MANIFEST = Path(__file__).parents[2] / "fixtures" / "boomi-openapi" / "manifest.json"
AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)
# Boomi's examples the service refuses on their shape though the client's validation passes them.
SERVICE_REFUSES = {
    "POST /EnvironmentConnectionFieldExtensionSummary/query request application/json SimpleExpression": (
        "the service's rule (EQUALS filters on extensionGroupId, connectionId and fieldId) is stricter than the example"
    ),
    "POST /EnvironmentConnectionFieldExtensionSummary/query request application/json GroupingExpression": (
        "the service's rule (EQUALS filters on extensionGroupId, connectionId and fieldId) is stricter than the example"
    ),
    "POST /EnvironmentConnectionFieldExtensionSummary/query request application/xml SimpleExpression": (
        "the service's rule (EQUALS filters on extensionGroupId, connectionId and fieldId) is stricter than the example"
    ),
    "POST /EnvironmentConnectionFieldExtensionSummary/query request application/xml GroupingExpression": (
        "the service's rule (EQUALS filters on extensionGroupId, connectionId and fieldId) is stricter than the example"
    ),
    "POST /TradingPartnerProcessingGroup/{id} request application/xml": (
        "contradicts itself: the body is a TradingPartnerComponent, the path a TradingPartnerProcessingGroup"
    ),
    "POST /AccountCloudAttachmentPropertiesDefault/{id} request application/json": (
        "the body names no id (no key ending in Id) for the update to act on"
    ),
}
# Answers that say the id (or token) is unknown, not that the body is wrong.
_UNKNOWN = re.compile(r"does not exist|Invalid or expired queryToken|already exists|No such")


def _path_id(body: str, type_name: str) -> str:
    """The id a body names for its ``/{Object}/{id}`` path: ``id``, ``{type}Id``, ``componentId``, else the first ``...Id``."""
    lowered = type_name[:1].lower() + type_name[1:]
    values: dict[str, str] = {}
    if body.lstrip().startswith("<"):
        try:
            root = parse_xml(body.encode(), source="example")
        except XMLInputError:
            return "some-id"
        values = {k: v for k, v in root.attrib.items() if isinstance(k, str)}
        values.update({etree.QName(c).localname: (c.text or "").strip() for c in root if isinstance(c.tag, str)})
    else:
        data = json.loads(body)
        if isinstance(data, dict):
            values = {k: v for k, v in data.items() if isinstance(v, str)}
    for name in ("id", f"{lowered}Id", "componentId"):
        if values.get(name):
            return values[name]
    return next((v for k, v in sorted(values.items()) if k.endswith("Id") and v), "some-id")


# The run Boomi's ExecutionArtifacts, RerunDocument and ProcessLog examples name.
BOOMI_EXECUTION = "execution-3456789a-bcde-f012-3456-789abcdef012-2015.01.01"


def _seed_boomis_execution(service: LocalService) -> None:
    """Seed the run Boomi's examples name (a demo run, renamed), so their actions act on it."""
    root = service.endpoint(DEFAULT_ACCOUNT).replace("/api/soap/v1/", "/api/rest/v1/")
    demo = service.store().all("ExecutionRecord")[0].key
    query = {"QueryFilter": {"expression": {"operator": "EQUALS", "property": "executionId", "argument": [demo]}}}
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    found = requests.post(f"{root}/ExecutionRecord/query", json=query, headers=headers, auth=AUTH, timeout=30)
    run = found.json()["result"][0]
    service.seed([{**run, "executionId": BOOMI_EXECUTION, "originalExecutionId": BOOMI_EXECUTION}])


def _replay(service: LocalService) -> dict[str, tuple[int, str]]:
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    root = service.endpoint(DEFAULT_ACCOUNT).replace("/api/soap/v1/", "/api/rest/v1/")
    outcomes: dict[str, tuple[int, str]] = {}
    with requests.Session() as session:
        for entry in manifest["examples"]:
            if entry["direction"] != "request":
                continue
            value: Any = value_at(document, entry["pointer"])
            body = value if isinstance(value, str) else json.dumps(value)
            key = _path_id(body, entry["path"].strip("/").split("/")[0]) if "{" in entry["path"] else ""
            path = re.sub(r"\{[^}]+\}", key, entry["path"])
            headers = {"Content-Type": entry["media"], "Accept": "application/json"}
            answer = session.request(
                entry["method"], root + path, data=body.encode(), headers=headers, auth=AUTH, timeout=30
            )
            message = ""
            if answer.status_code >= 400:
                message = str(answer.json().get("message", "")) if answer.content.startswith(b"{") else answer.text
            outcomes[entry["id"]] = (answer.status_code, message)
    return outcomes


@pytest.mark.contracts("split", why="the REST API and its checks are the same on every layout; one replay is enough")
def test_boomi_request_examples(service: LocalService) -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    _seed_boomis_execution(service)
    outcomes = _replay(service)
    assert len(outcomes) == 464
    assert not [(k, s, m) for k, (s, m) in outcomes.items() if s >= 500], "an example crashed the service"
    refused = {k for k, (s, m) in outcomes.items() if s >= 400 and not (s == 404 or _UNKNOWN.search(m))}
    expected = {k for k in refused if k in manifest["refused"]} | set(SERVICE_REFUSES)
    unexpected = {k: outcomes[k] for k in sorted(refused - expected)}
    assert not unexpected, f"refused on shape: {unexpected}"
    assert not set(SERVICE_REFUSES) - refused, "no longer refused: remove from SERVICE_REFUSES"
    accepted = sum(1 for s, _ in outcomes.values() if s < 400)
    # 189 with the split contract today: the rest are unknown ids or the refusals listed.  (198 before the
    # runtime actions checked the Runtime, queue record or worker they name: the examples' ids are Boomi's.)
    assert accepted >= 189


_TP = "/paths/~1TradingPartnerComponent~1{id}"
TP_ID = "12345678-9abc-def0-1234-56789abcdef0"


def _strip_contradictions(body: str) -> str:
    """Boomi's JSON Trading Partner UPDATE sample without the two keys Boomi's own schema lacks."""
    data = json.loads(body)
    data["PartnerCommunication"].pop("GenericCommunicationOptions")
    data["PartnerCommunication"]["AS2CommunicationOptions"]["AS2SendOptions"]["AS2MessageOptions"].pop(
        "enabledFoldedHeaders"
    )
    return json.dumps(data)


@pytest.mark.parametrize("media", ["application/json", "application/xml"])
@pytest.mark.contracts("split", "partner", why="the seeded partner and the REST routes are the same on single")
def test_boomis_trading_partner_samples_work_unchanged(service: LocalService, media: str) -> None:
    """The seeded Trading Partner is Boomi's GET sample: the GET, UPDATE and DELETE samples find it by its id."""
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    prefix = service.release.path_prefix.replace("/soap/", "/rest/")
    root = service.base_url + prefix + DEFAULT_ACCOUNT
    headers = {"Accept": media, "Content-Type": media}
    with requests.Session() as session:
        got = session.get(f"{root}/TradingPartnerComponent/{TP_ID}", headers=headers, auth=AUTH, timeout=30)
        assert got.status_code == 200, got.text
        if media == "application/json":
            sample = value_at(document, f"{_TP}/get/responses/200/content/application~1json/example")
            assert got.json()["componentId"] == sample["componentId"]
            assert got.json()["folderId"] == sample["folderId"]
            assert got.json()["ContactInfo"] == sample["ContactInfo"]
        # The UPDATE samples contradict Boomi's schema (the manifest lists both); the JSON one
        # fits once its two unknown keys are dropped (the XML one breaks the schema in more places).
        assert f"POST /TradingPartnerComponent/{{id}} request {media}" in manifest["refused"]
        if media == "application/json":
            update = value_at(document, f"{_TP}/post/requestBody/content/application~1json/example")
            body = _strip_contradictions(json.dumps(update))
            updated = session.post(
                f"{root}/TradingPartnerComponent/{TP_ID}", data=body.encode(), headers=headers, auth=AUTH, timeout=30
            )
            assert updated.status_code == 200, updated.text
            assert updated.json()["ContactInfo"]["contactName"] == "Rachel Lewis"
        deleted = session.delete(f"{root}/TradingPartnerComponent/{TP_ID}", headers=headers, auth=AUTH, timeout=30)
        assert deleted.status_code == 200, deleted.text
        gone = session.get(f"{root}/TradingPartnerComponent/{TP_ID}", headers=headers, auth=AUTH, timeout=30)
        assert gone.status_code == 400  # an unknown id is a bad request on Boomi
