"""The CREATEs that are actions: ExecutionArtifacts, RerunDocument and InstallerToken, as Boomi documents them."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime

import pytest
import requests

from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.localservice.executions import ManualClock
from tests.boomi_soap.localservice.helpers import NS, RawSoap
from tests.boomi_soap.localservice.test_seed import _minimal

AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)
JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}


def _root(service: LocalService) -> str:
    prefix = service.release.path_prefix.replace("/soap/", "/rest/")
    return service.base_url + prefix + DEFAULT_ACCOUNT


def _post(service: LocalService, path: str, body: object) -> requests.Response:
    return requests.post(_root(service) + path, json=body, headers=JSON_HEADERS, auth=AUTH, timeout=30)


def test_execution_artifacts_answer_a_download_the_service_serves_each_time(service: LocalService) -> None:
    execution = service.store().all("ExecutionRecord")[0].key
    first, second = (_post(service, "/ExecutionArtifacts", {"executionId": execution}) for _ in range(2))
    assert (first.status_code, second.status_code) == (200, 200), second.text  # a second request works too
    answer = first.json()
    assert (answer["@type"], answer["statusCode"], answer["message"]) == ("LogDownload", "202", "Beginning download.")
    assert answer["url"] != second.json()["url"]
    assert requests.get(answer["url"], timeout=30).status_code == 401
    download = requests.get(answer["url"], auth=AUTH, timeout=30)
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(download.content))
    record = json.loads(bundle.read(f"{execution}/ExecutionRecord.json"))
    assert record["executionId"] == execution
    assert service.store().count("ExecutionArtifacts") == 0  # nothing stored: nothing to collide with


def test_execution_artifacts_over_soap_are_a_log_download(soap: RawSoap, service: LocalService) -> None:
    execution = service.store().all("ExecutionRecord")[3].key
    payload = soap.ok(
        f'<soap:create><object xsi:type="api:ExecutionArtifacts" executionId="{execution}"/></soap:create>'
    )
    result = payload.find("api:result", NS)
    assert result is not None
    assert result.get(f"{{{NS['xsi']}}}type", "").endswith(":LogDownload")
    assert requests.get(result.get("url", ""), auth=AUTH, timeout=30).content.startswith(b"PK")
    unknown = soap.call(
        '<soap:create><object xsi:type="api:ExecutionArtifacts" executionId="execution-nope"/></soap:create>'
    )
    assert unknown.fault()[1:] == ("ExecutionRecord with id execution-nope does not exist", "NOT_FOUND")


@pytest.mark.contracts("split", "partner", why="the REST routes are the same on single")
def test_a_rerun_starts_a_run_of_the_original_process(service: LocalService) -> None:
    clock = ManualClock()
    service.store().clock = clock
    original = service.store().all("ExecutionRecord")[0]
    body = {
        "@type": "RerunDocument",
        "AllDocuments": {"@type": "AllDocuments", "documentStatus": "ANY"},
        "originalExecutionId": original.key,
    }
    answer = _post(service, "/RerunDocument", body)
    assert answer.status_code == 200, answer.text
    request_id = answer.json()["requestId"]
    assert answer.json()["recordUrl"] == f"{_root(service)}/ExecutionRecord/async/{request_id}"
    clock.advance(service.config.execution_timeline[2] + 1)
    found = requests.get(answer.json()["recordUrl"], headers={"Accept": "application/json"}, auth=AUTH, timeout=30)
    assert found.status_code == 200, found.text
    run = found.json()["result"][0]
    assert (run["executionType"], run["originalExecutionId"], run["status"]) == (
        "retry_manual",
        original.key,
        "COMPLETE",
    )
    assert run["processId"] == original.element.findtext(f"{{{NS['api']}}}processId")
    assert run["executionId"] != original.key


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"originalExecutionId": "execution-nope", "AllDocuments": {}}, 400, "ExecutionRecord with id execution-nope"),
        ({"originalExecutionId": "ORIGINAL"}, 400, "AllDocuments or SelectedDocuments is required"),
    ],
)
def test_a_rerun_is_refused_as_boomi_refuses_it(
    service: LocalService, body: dict[str, object], status: int, message: str
) -> None:
    original = service.store().all("ExecutionRecord")[0].key
    body = {k: (original if v == "ORIGINAL" else v) for k, v in body.items()}
    answer = _post(service, "/RerunDocument", {"@type": "RerunDocument", **body})
    assert answer.status_code == status
    assert answer.json()["message"].startswith(message)


def test_an_installer_token_is_well_formed(service: LocalService) -> None:
    tokens = [_post(service, "/InstallerToken", {"installType": "MOLECULE", "durationMinutes": 45}) for _ in range(2)]
    assert [t.status_code for t in tokens] == [200, 200], tokens[1].text
    token = tokens[0].json()
    assert token["accountId"] == DEFAULT_ACCOUNT  # the account's id, not a generated one
    assert token["token"].startswith("molecule-")
    assert token["token"] != tokens[1].json()["token"]
    assert (token["installType"], token["durationMinutes"]) == ("MOLECULE", 45)
    created, expires = (datetime.fromisoformat(token[k]) for k in ("created", "expiration"))
    assert (expires - created).total_seconds() == 45 * 60
    assert token["created"].endswith("Z")
    assert "cloudId" not in token
    assert service.store().count("InstallerToken") == 0


def test_a_cloud_installer_token_names_a_cloud_of_the_account(service: LocalService) -> None:
    refused = _post(service, "/InstallerToken", {"installType": "CLOUD", "durationMinutes": 30})
    assert (refused.status_code, refused.json()["message"]) == (400, "cloudId is required for a CLOUD installer token")
    unknown = _post(service, "/InstallerToken", {"installType": "CLOUD", "durationMinutes": 30, "cloudId": "c-1"})
    assert (unknown.status_code, unknown.json()["message"]) == (400, "Cloud with id c-1 does not exist")
    service.seed([{"@type": "Cloud", "id": "c-1", "name": "Private cloud"}])
    token = _post(service, "/InstallerToken", {"installType": "CLOUD", "durationMinutes": 30, "cloudId": "c-1"})
    assert token.status_code == 200, token.text
    assert token.json()["cloudId"] == "c-1"


@pytest.mark.parametrize("minutes", [29, 1441, 0])
def test_an_installer_token_lasts_30_to_1440_minutes(service: LocalService, minutes: int) -> None:
    answer = _post(service, "/InstallerToken", {"installType": "ATOM", "durationMinutes": minutes})
    assert answer.status_code == 400
    assert answer.json()["message"] == f"durationMinutes must be between 30 and 1440, not {minutes}"


@pytest.mark.parametrize("name", ["LogDownload", "Roles", "ClearQueueRequest", "AsyncOperationTokenResult"])
def test_types_that_are_not_objects_are_not_created(service: LocalService, name: str) -> None:
    body = _minimal(service.release.index, service.release.index.types[name])  # schema-valid, so the type is judged
    answer = requests.post(f"{_root(service)}/{name}", json=body, headers=JSON_HEADERS, auth=AUTH, timeout=30)
    assert (answer.status_code, answer.json()["message"]) == (400, f"Invalid object type: {name}")
