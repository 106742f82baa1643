"""The HTTP statuses Boomi's OpenAPI declares per path, against what the local service answers.

Every path and method of the packaged description gets a representative request (its
own request example, its path id filled from the body, else a seeded record's id, else
an unknown one) and its answer's status must be one the description declares for that
path (``200``, or ``202`` for ``cancelExecution``; ``403``, ``410``, ``503``) or one
Boomi's API errors page documents for every path: ``400`` (invalid input, an unknown id:
"... does not exist") and ``401`` (credentials).  No declared path answers ``404``
(Boomi keeps it for a path that is no endpoint) or a success status it does not declare.
Then each declared error status is provoked where the description declares it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests

from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from tests.boomi_soap.localservice.test_openapi_examples import _path_id
from tests.boomi_soap.test_boomi_examples import OPENAPI

AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)
JSON = "application/json"
# What Boomi's API errors page documents for every path, which the description does not repeat.
EVERYWHERE = {"400": "invalid input or an unknown id", "401": "missing or wrong credentials"}
# Statuses Boomi documents for one path outside its OpenAPI description.
ALSO = {
    ("get", "/ExecutionRecord/async/{id}"): {
        "202": "the record is not there yet: the ExecutionRequest page's 'REST returns 202 until then'"
    },
}

pytestmark = pytest.mark.contracts("split", why="the REST API is the same on every layout; one walk is enough")


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    return [
        (method, path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


def _example(operation: dict[str, Any]) -> tuple[bytes, str]:
    """The operation's first request example, JSON before XML before text (``b""`` if none)."""
    content = (operation.get("requestBody") or {}).get("content") or {}
    for media in (JSON, "application/xml", "text/plain"):
        found = content.get(media)
        if not found:
            continue
        if "example" in found:
            value = found["example"]
        else:
            value = next((e.get("value") for e in (found.get("examples") or {}).values()), None)
        if value is not None:
            return (value if isinstance(value, str) else json.dumps(value)).encode(), media
    return b"", JSON


def _walk(service: LocalService) -> list[tuple[str, str, set[str], int, str]]:
    """(method, path, declared, answered, message) for every operation of the description."""
    root = service.endpoint().replace("/api/soap/v1/", "/api/rest/v1/")
    store = service.store()
    held = set(store.types())
    atom = next(a.key for a in store.all("Atom") if a.element.get("status") == "ONLINE")
    outcomes = []
    with requests.Session() as session:
        # Deletes last: a delete of a seeded record must not take it from the requests after it.
        for method, path, operation in sorted(_operations(), key=lambda o: o[0] == "delete"):
            body, media = _example(operation)
            kind = path.strip("/").split("/")[0]
            if "{" not in path:
                key = ""
            elif kind == "async":  # a runtime's asynchronous read: by Atom id, then by the token it gave
                key = atom
                if "/response/" in path:
                    first = session.get(
                        f"{root}/async/{path.split('/')[2]}/{atom}", headers={"Accept": JSON}, auth=AUTH, timeout=30
                    )
                    key = first.json()["asyncToken"]["token"] if first.status_code == 200 else "unknown-token"
            elif body:
                key = _path_id(body.decode(), kind)
            else:
                key = store.all(kind)[0].key if kind in held else "unknown-id"
            if path.endswith("/bulk") and not body:  # no example: a bulk GET of what the store holds
                ids = [r.key for r in store.all(kind)[:2]] if kind in held else ["unknown-id"]
                body = json.dumps({"type": "GET", "request": [{"id": i} for i in ids]}).encode()
            url = root + re.sub(r"\{[^}]+\}", key, path)
            headers = {"Content-Type": media, "Accept": JSON}
            answer = session.request(method.upper(), url, data=body, headers=headers, auth=AUTH, timeout=30)
            message = ""
            if answer.status_code >= 400 and answer.content.startswith(b"{"):
                message = str(answer.json().get("message", ""))
            declared = set(operation["responses"]) | set(ALSO.get((method, path), {}))
            outcomes.append((method, path, declared, answer.status_code, message))
    return outcomes


def test_every_declared_path_answers_a_status_declared_for_it(service: LocalService) -> None:
    outcomes = _walk(service)
    assert len(outcomes) == 382
    undeclared = [o for o in outcomes if str(o[3]) not in o[2] | set(EVERYWHERE)]
    assert not undeclared, f"statuses the description does not declare there: {undeclared[:10]}"
    assert not [o for o in outcomes if o[3] == 404], "a path of the description answered as no endpoint"
    successes = [o for o in outcomes if o[3] < 300]
    assert len(successes) >= 180
    assert all(str(status) in declared for _, _, declared, status, _ in successes)
    unknown = [o for o in outcomes if o[3] == 400 and "does not exist" in o[4]]
    assert len(unknown) >= 50  # unknown ids answer 400, as Boomi's API errors page says


def _root(service: LocalService, account: str = DEFAULT_ACCOUNT) -> str:
    return service.endpoint(account).replace("/api/soap/v1/", "/api/rest/v1/")


def _declared(method: str, path: str) -> set[str]:
    found = next(op for m, p, op in _operations() if (m, p) == (method, path))
    return set(found["responses"]) | set(ALSO.get((method, path), {}))


def test_an_unknown_id_answers_400_on_get_update_and_delete(service: LocalService) -> None:
    root = _root(service)
    got = requests.get(f"{root}/Process/nope", auth=AUTH, headers={"Accept": JSON}, timeout=10)
    assert (got.status_code, got.json()["message"]) == (400, "Process with id nope does not exist")
    body = json.dumps({"id": "nope", "name": "x", "classification": "TEST"})
    updated = requests.post(
        f"{root}/Environment/nope", data=body, auth=AUTH, headers={"Content-Type": JSON}, timeout=10
    )
    assert updated.status_code == 400
    assert requests.delete(f"{root}/Environment/nope", auth=AUTH, timeout=10).status_code == 400
    assert requests.get(f"{root}/ExecutionRecord/async/executionrecord-nope", auth=AUTH, timeout=10).status_code == 400


def test_success_statuses_are_the_declared_ones(service: LocalService) -> None:
    root = _root(service)
    created = requests.post(
        f"{root}/Environment",
        data=json.dumps({"name": "Statuses", "classification": "TEST"}),
        headers={"Content-Type": JSON, "Accept": JSON},
        auth=AUTH,
        timeout=10,
    )
    assert str(created.status_code) in _declared("post", "/Environment")
    assert created.status_code == 200  # not 201: the description declares 200
    key = created.json()["id"]
    deleted = requests.delete(f"{root}/Environment/{key}", auth=AUTH, timeout=10)
    assert (deleted.status_code, str(deleted.status_code) in _declared("delete", "/Environment/{id}")) == (200, True)


def test_declared_error_statuses_where_declared() -> None:
    config = ServiceConfig(rate_limit=None, accounts=(DEFAULT_ACCOUNT, "other-Z9Y8X7"))
    with LocalService(config) as service:
        root = _root(service)
        atom = next(a.key for a in service.store().all("Atom"))
        # 403: an account the user may not use
        forbidden = requests.get(f"{_root(service, 'other-Z9Y8X7')}/Atom/{atom}", auth=AUTH, timeout=10)
        assert forbidden.status_code == 403
        assert "403" in _declared("get", "/Atom/{id}")
        # 410: the Runtime is offline
        offline = next(a.key for a in service.store().all("Atom") if a.element.get("status") == "OFFLINE")
        process = service.store().all("Process")[0].key
        body = json.dumps({"processId": process, "atomId": offline})
        gone = requests.post(
            f"{root}/ExecutionRequest", data=body, headers={"Content-Type": JSON}, auth=AUTH, timeout=10
        )
        assert gone.status_code == 410
        assert "410" in _declared("post", "/ExecutionRequest")
        # 503: the service is busy
        service.inject("http_503")
        busy = requests.get(f"{root}/Atom/{atom}", auth=AUTH, timeout=10)
        assert busy.status_code == 503
        assert "503" in _declared("get", "/Atom/{id}")
        # 401: wrong credentials, on every path (Boomi's API errors page)
        wrong = requests.get(f"{root}/Atom/{atom}", auth=(DEFAULT_USER, "wrong"), timeout=10)
        assert wrong.status_code == 401


def test_cancel_execution_answers_the_202_it_declares() -> None:
    with LocalService(ServiceConfig(rate_limit=None, execution_timeline=(0.0, 0.0, 86_400.0))) as service:
        root = _root(service)
        online = next(a.key for a in service.store().all("Atom") if a.element.get("status") == "ONLINE")
        process = service.store().all("Process")[0].key
        body = json.dumps({"processId": process, "atomId": online})
        headers = {"Content-Type": JSON, "Accept": JSON}
        started = requests.post(f"{root}/ExecutionRequest", data=body, headers=headers, auth=AUTH, timeout=10)
        assert str(started.status_code) in _declared("post", "/ExecutionRequest")
        record = requests.get(
            f"{root}/ExecutionRecord/async/{started.json()['requestId']}", headers=headers, auth=AUTH, timeout=10
        )
        assert str(record.status_code) in _declared("get", "/ExecutionRecord/async/{id}")
        execution_id = record.json()["result"][0]["executionId"]
        cancelled = requests.post(f"{root}/cancelExecution/{execution_id}", auth=AUTH, timeout=10)
        assert cancelled.status_code == 202
        assert _declared("post", "/cancelExecution/{executionId}") & {"200", "202"} == {"202"}
