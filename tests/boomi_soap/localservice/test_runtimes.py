"""The Runtimes' state in the local service: seeded listeners, read per Atom, changed by changeListenerStatus."""

from __future__ import annotations

import gc
from typing import Any

import pytest
import requests

from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService
from boomi_soap.localservice.runtimes import LISTENERS, runtimes
from boomi_soap.localservice.store import AccountStore
from boomi_soap.wire.restmap import rest_root
from tests.boomi_soap.localservice.helpers import NS, RawSoap

AUTH = (DEFAULT_USER, DEFAULT_PASSWORD)
JSON = {"Accept": "application/json", "Content-Type": "application/json"}


def _atoms(service: LocalService) -> dict[str, str]:
    return {a.element.get("name", ""): a.key for a in service.store().all("Atom")}


def _query(service: LocalService, body: object) -> requests.Response:
    return requests.post(
        f"{rest_root(service.endpoint())}/async/ListenerStatus/query", json=body, headers=JSON, auth=AUTH, timeout=10
    )


def _filter(**named: str) -> dict[str, Any]:
    conditions = [{"operator": "EQUALS", "property": k, "argument": [v]} for k, v in named.items()]
    return {"QueryFilter": {"expression": {"operator": "and", "nestedExpression": conditions}}}


def _listeners(service: LocalService, **named: str) -> dict[str, tuple[str, str]]:
    queued = _query(service, _filter(**named))
    assert queued.status_code == 200, queued.text
    token = queued.json()["asyncToken"]["token"]
    url = f"{rest_root(service.endpoint())}/async/ListenerStatus/response/{token}"
    answer = requests.get(url, headers=JSON, auth=AUTH, timeout=10).json()
    assert answer["responseStatusCode"] == 200
    assert answer["numberOfResults"] == len(answer["result"])
    return {r["listenerId"]: (r["status"], r["connectorType"]) for r in answer["result"]}


def _names(service: LocalService) -> dict[str, str]:
    return {p.key: p.element.get("name", "") for p in service.store().all("Process")}


def test_each_atom_has_the_listener_processes_deployed_to_its_environment(service: LocalService) -> None:
    atoms, names = _atoms(service), _names(service)
    production = _listeners(service, containerId=atoms["Production Atom"])
    molecule = _listeners(service, containerId=atoms["Test Molecule"])
    assert sorted(names[k] for k in production) == ["Acknowledgements - EDI 997", "Listener - Order Webhook"]
    assert sorted(names[k] for k in molecule) == sorted(LISTENERS)
    assert all(status == "listening" for status, _ in [*production.values(), *molecule.values()])
    assert {production[k][1] for k in production} == {"wss", "as2"}
    assert _listeners(service, containerId=atoms["Dev Atom"]) == {}  # nothing is deployed there
    one = next(iter(production))
    assert list(_listeners(service, containerId=atoms["Production Atom"], listenerId=one)) == [one]


@pytest.mark.contracts("split", "single", "partner", why="the SOAP wrapper's namespace differs per layout")
def test_change_listener_status_over_soap_changes_what_listener_status_reads(
    soap: RawSoap, service: LocalService
) -> None:
    atoms = _atoms(service)
    atom, other = atoms["Test Molecule"], atoms["Production Atom"]

    def change(action: str, listener: str = "") -> None:
        attributes = f'action="{action}" containerId="{atom}"' + (f' listenerId="{listener}"' if listener else "")
        soap.ok(
            f"<soap:changeListenerStatus><api:ChangeListenerStatusRequest {attributes}/></soap:changeListenerStatus>"
        )

    change("pause_all")
    assert {s for s, _ in _listeners(service, containerId=atom).values()} == {"paused"}
    assert {s for s, _ in _listeners(service, containerId=other).values()} == {"listening"}  # per Atom
    one = sorted(_listeners(service, containerId=atom))[0]
    change("resume", one)
    statuses = {k: s for k, (s, _) in _listeners(service, containerId=atom).items()}
    assert statuses.pop(one) == "listening"
    assert set(statuses.values()) == {"paused"}
    change("restart_all")  # a restart leaves a paused listener paused
    assert {k: s for k, (s, _) in _listeners(service, containerId=atom).items() if k != one} == statuses
    change("pause", "no-such-listener")  # accepted, as Boomi does, and nothing changes
    change("resume_all")
    assert {s for s, _ in _listeners(service, containerId=atom).values()} == {"listening"}


@pytest.mark.contracts("split", why="REST routes are the same on every layout; one run is enough")
def test_change_listener_status_over_rest_and_a_held_token(service: LocalService) -> None:
    from boomi_soap.localservice import actions

    atom = _atoms(service)["Production Atom"]
    url = f"{rest_root(service.endpoint())}/changeListenerStatus"
    paused = requests.post(url, json={"containerId": atom, "action": "pause_all"}, headers=JSON, auth=AUTH, timeout=10)
    assert (paused.status_code, paused.content) == (200, b"")
    actions.hold_tokens(service.store(), 1)
    token = _query(service, _filter(containerId=atom)).json()["asyncToken"]["token"]
    response = f"{rest_root(service.endpoint())}/async/ListenerStatus/response/{token}"
    first, second = (requests.get(response, headers=JSON, auth=AUTH, timeout=10).json() for _ in range(2))
    assert (first["responseStatusCode"], first["numberOfResults"]) == (202, 0)
    assert {r["status"] for r in second["result"]} == {"paused"}


@pytest.mark.contracts("split", why="REST routes are the same on every layout; one run is enough")
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"QueryFilter": {"expression": {"operator": "LIKE", "property": "listenerId", "argument": ["%"]}}}, "EQUALS"),
        (_filter(containerId="no-atom"), "Atom with id no-atom does not exist"),
    ],
)
def test_what_a_listener_status_query_refuses(service: LocalService, body: object, message: str) -> None:
    refused = _query(service, body)
    assert refused.status_code == 400
    assert message in refused.json()["message"]


@pytest.mark.contracts("split", why="the XML form of the query is the same on every layout")
def test_a_listener_status_query_in_xml(service: LocalService) -> None:
    atom = _atoms(service)["Production Atom"]
    body = (
        '<QueryConfig xmlns="http://api.platform.boomi.com/"><QueryFilter>'
        '<expression operator="EQUALS" property="containerId" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:type="SimpleExpression"><argument>{atom}</argument></expression></QueryFilter></QueryConfig>'
    )
    headers = {"Content-Type": "application/xml", "Accept": "application/json"}
    queued = requests.post(
        f"{rest_root(service.endpoint())}/async/ListenerStatus/query", data=body, headers=headers, auth=AUTH, timeout=10
    )
    assert queued.status_code == 200, queued.text
    token = queued.json()["asyncToken"]["token"]
    url = f"{rest_root(service.endpoint())}/async/ListenerStatus/response/{token}"
    assert requests.get(url, headers=JSON, auth=AUTH, timeout=10).json()["numberOfResults"] == 2


def test_runtimes_go_with_their_store() -> None:
    store = AccountStore("acct-runtimes")
    assert runtimes(store) is runtimes(store)
    assert runtimes(store).get("no-atom") is None
    from boomi_soap.localservice import runtimes as module

    held = len(module._by_store)
    del store
    gc.collect()
    assert len(module._by_store) == held - 1


def _read(service: LocalService, kind: str, atom: str) -> list[dict[str, Any]]:
    root = rest_root(service.endpoint())
    token = requests.get(f"{root}/async/{kind}/{atom}", headers=JSON, auth=AUTH, timeout=10).json()["asyncToken"]
    answer = requests.get(f"{root}/async/{kind}/response/{token['token']}", headers=JSON, auth=AUTH, timeout=10)
    assert answer.status_code == 200, answer.text
    return list(answer.json().get("result", []))


def _queues(service: LocalService, atom: str) -> dict[str, tuple[int, int]]:
    (listed,) = _read(service, "ListQueues", atom)
    return {q["queueName"]: (q["messagesCount"], q["deadLettersCount"]) for q in listed["QueueRecord"]}


def _post(service: LocalService, path: str, body: object) -> requests.Response:
    return requests.post(f"{rest_root(service.endpoint())}{path}", json=body, headers=JSON, auth=AUTH, timeout=10)


@pytest.mark.contracts("split", why="REST routes are the same on every layout; one run is enough")
def test_queues_are_listed_cleared_and_moved(service: LocalService) -> None:
    atoms = _atoms(service)
    atom = atoms["Production Atom"]
    assert _queues(service, atom) == {"orders-inbound": (12, 2), "invoices-retry": (0, 1), "order-events": (8, 1)}
    assert _read(service, "ListQueues", atoms["Dev Atom"]) == []  # an offline Atom reports nothing
    cleared = _post(
        service, f"/ClearQueue/execute/{atom}", {"AtomId": atom, "QueueName": "orders-inbound", "DLQ": "true"}
    )
    assert cleared.status_code == 200, cleared.text
    assert _queues(service, atom)["orders-inbound"] == (12, 0)
    move = {
        "AtomId": atom,
        "SourceQueue": {"QueueName": "orders-inbound", "DLQ": "false"},
        "DestinationQueue": {"QueueName": "invoices-retry", "DLQ": "true"},
    }
    moved = _post(service, "/MoveQueueRequest", move)
    assert moved.status_code == 200, moved.text
    assert moved.json() == {
        "@type": "QueueMessageResponse",
        "message": f"Request submitted to atom id: {atom} to move queue messages from orders-inbound to invoices-retry",
    }
    counts = _queues(service, atom)
    assert (counts["orders-inbound"], counts["invoices-retry"]) == ((0, 0), (0, 13))
    across = {**move, "DestinationQueue": {"QueueName": "order-events", "DLQ": "false"}}  # a topic: not moved
    assert _post(service, "/MoveQueueRequest", {**across, "SourceQueue": move["DestinationQueue"]}).status_code == 200
    assert _queues(service, atom) == counts
    topic = _read(service, "ListQueues", atom)[0]["QueueRecord"][2]
    subscriber = topic["topicSubscribers"][0]["SubscriberName"]
    body = {"AtomId": atom, "QueueName": "order-events", "SubscriberName": subscriber}
    assert _post(service, f"/ClearQueue/execute/{atom}", body).status_code == 200
    assert _queues(service, atom)["order-events"] == (3, 1)
    assert _queues(service, atoms["Test Molecule"])["orders-inbound"] == (12, 2)  # per Atom
    missing = _post(service, "/MoveQueueRequest", {"AtomId": atom, "SourceQueue": {"QueueName": "q", "DLQ": "false"}})
    assert missing.status_code == 400


@pytest.mark.contracts("split", "single", "partner", why="the SOAP wrapper's namespace differs per layout")
def test_queues_and_a_restart_over_soap(soap: RawSoap, service: LocalService) -> None:
    atom = _atoms(service)["Test Molecule"]
    soap.ok(
        f'<soap:execute><object xsi:type="api:ClearQueueRequest" AtomId="{atom}" QueueName="orders-inbound"/>'
        "</soap:execute>"
    )
    moved = soap.ok(
        f'<soap:create><object xsi:type="api:MoveQueueRequest" AtomId="{atom}">'
        '<api:DestinationQueue QueueName="orders-inbound" DLQ="false"/>'
        '<api:SourceQueue QueueName="orders-inbound" DLQ="true"/></object></soap:create>'
    )
    assert "to move queue messages from orders-inbound to orders-inbound" in moved[0].get("message", "")
    assert _queues(service, atom)["orders-inbound"] == (2, 0)
    restarted = soap.ok(f'<soap:create><object xsi:type="api:RuntimeRestartRequest" runtimeId="{atom}"/></soap:create>')
    assert restarted[0].get("message", "").startswith(f"Restart request submitted for runtimeId `{atom}`")
    assert runtimes(service.store()).get(atom).restarts == 1  # type: ignore[union-attr]
    unknown = soap.call('<soap:create><object xsi:type="api:RuntimeRestartRequest" runtimeId="nope"/></soap:create>')
    assert unknown.fault()[1] == "Atom with id nope does not exist"


@pytest.mark.contracts("split", why="REST routes are the same on every layout; one run is enough")
def test_disk_space_is_reported_and_a_stored_record_wins(service: LocalService) -> None:
    atom = _atoms(service)["Production Atom"]
    (reported,) = _read(service, "AtomDiskSpace", atom)
    assert (reported["totalSize"], reported["rawQuotaLimit"]) == ("52 MB", 5368709120)
    assert [d["file"] for d in reported["DiskSpaceDirectory"]] == ["execution", "logs"]


@pytest.mark.contracts("split", "partner", why="REST routes are the same on single; both REST prefixes")
def test_worker_logs_and_connector_documents_are_downloads(service: LocalService) -> None:
    from boomi_soap.localservice import executions

    executions.hold_downloads(service.store(), 1)
    log = _post(service, "/AtomWorkerLog", {"workerId": "worker-1"})
    assert log.status_code == 200, log.text
    url = log.json()["url"]
    assert [requests.get(url, auth=AUTH, timeout=10).status_code for _ in range(2)] == [202, 200]
    assert _post(service, "/AtomWorkerLog", {}).json()["message"] == "workerId is required"
    refused = _post(service, "/ConnectorDocument", {"genericConnectorRecordId": "gcr-1"})
    assert (refused.status_code, refused.json()["message"]) == (
        400,
        "GenericConnectorRecord with id gcr-1 does not exist",
    )
    connector_record = {"id": "gcr-1", "executionId": "execution-1", "connectorFields": {}, "trackedFields": {}}
    service.seed([{"@type": "GenericConnectorRecord", **connector_record, "errorMessage": ""}])
    executions.hold_downloads(service.store(), 0)
    document = _post(service, "/ConnectorDocument", {"genericConnectorRecordId": "gcr-1"})
    assert document.status_code == 200, document.text
    answer = document.json()
    assert (answer["@type"], answer["statusCode"], answer["message"]) == (
        "ConnectorDocumentDownload",
        "202",
        "Beginning download.",
    )
    body = requests.get(answer["url"], auth=AUTH, timeout=10)
    assert body.status_code == 200
    assert body.json()["genericConnectorRecordId"] == "gcr-1"


@pytest.mark.contracts("split", "single", "partner", why="the SOAP wrapper's namespace differs per layout")
def test_java_rollback_and_a_merge_over_soap_and_rest(soap: RawSoap, service: LocalService) -> None:
    atoms = _atoms(service)
    atom = atoms["Production Atom"]
    done = soap.ok(f'<soap:execute><object xsi:type="api:JavaRollback" atomId="{atom}"/></soap:execute>')
    assert (done[0].get("atomId"), done[0].get(f"{{{NS['xsi']}}}type", "").endswith(":JavaRollback")) == (atom, True)
    offline = soap.call(
        f'<soap:execute><object xsi:type="api:JavaRollback" atomId="{atoms["Dev Atom"]}"/></soap:execute>'
    )
    assert "is not online" in offline.fault()[1]
    over_rest = _post(service, f"/JavaRollback/execute/{atom}", {"atomId": atom})
    assert (over_rest.status_code, over_rest.json()) == (200, {"@type": "JavaRollback", "atomId": atom})
    assert runtimes(service.store()).get(atom).java_rollbacks == 2  # type: ignore[union-attr]
    merge = {"id": "TVI6NTQ5", "stage": "REVIEWING", "MergeRequestDetails": {}}
    service.seed([{"@type": "MergeRequest", **merge}])
    merged = soap.ok(
        '<soap:execute><object xsi:type="api:MergeRequest" id="TVI6NTQ5" mergeRequestAction="MERGE">'
        "<api:MergeRequestDetails/></object></soap:execute>"
    )
    assert (merged[0].get("stage"), merged[0].get("previousStage")) == ("MERGED", "REVIEWING")
    again = _post(service, "/MergeRequest/execute/TVI6NTQ5", {"id": "TVI6NTQ5", "mergeRequestAction": "MERGE"})
    assert (again.status_code, again.json()["message"]) == (400, "MERGE cannot start from stage MERGED")
    reverted = _post(service, "/MergeRequest/execute/TVI6NTQ5", {"id": "TVI6NTQ5", "mergeRequestAction": "REVERT"})
    assert reverted.status_code == 200, reverted.text
    assert (reverted.json()["stage"], reverted.json()["previousStage"]) == ("REVERTED", "MERGED")
    unknown = _post(service, "/MergeRequest/execute/nope", {"mergeRequestAction": "MERGE"})
    assert (unknown.status_code, unknown.json()["message"]) == (400, "MergeRequest with id nope does not exist")


@pytest.mark.contracts("split", why="the runtime state is the same on every layout")
def test_listeners_follow_the_deployments(service: LocalService) -> None:
    from boomi_soap.localservice.model import Record, build_object

    store, index = service.store(), service.release.index
    atom = _atoms(service)["Production Atom"]
    environment = next(
        a.element.get("environmentId") or a.element.findtext(f"{{{NS['api']}}}environmentId")
        for a in store.all("EnvironmentAtomAttachment")
        if (a.element.get("atomId") or a.element.findtext(f"{{{NS['api']}}}atomId")) == atom
    )
    before = _listeners(service, containerId=atom)
    store.put(Record("Process", "p-new", build_object(index, "Process", {"id": "p-new", "name": "Listener - New"})))
    deployed = {"deploymentId": "d-new", "componentId": "p-new", "environmentId": environment, "active": True}
    store.put(Record("DeployedPackage", "d-new", build_object(index, "DeployedPackage", deployed)))
    assert _listeners(service, containerId=atom) == {**before, "p-new": ("listening", "wss")}
    store.put(Record("DeployedPackage", "d-new", build_object(index, "DeployedPackage", {**deployed, "active": False})))
    assert _listeners(service, containerId=atom) == before
