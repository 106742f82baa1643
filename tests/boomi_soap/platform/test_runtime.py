"""Operating a Runtime (async reads, listeners, queues, restarts, downloads) on every layout and transport."""

from __future__ import annotations

import pytest

from boomi_soap.exceptions import AsyncTimeoutError, BoomiSoapError, InvalidRequestError, NotFoundError, ResponseError
from boomi_soap.localservice import actions, executions
from boomi_soap.localservice.model import Record, build_object
from boomi_soap.platform.polling import Backoff
from boomi_soap.platform.runtime import (
    ASYNC_GET_TYPES,
    ASYNC_TYPES,
    async_get,
    change_listener_status,
    clear_queue,
    download_connector_document,
    download_worker_log,
    java_rollback,
    listener_status,
    merge,
    move_queue,
    request_token,
    restart_runtime,
)
from tests.boomi_soap.conftest import FAST, Connect


def _online_atom(service: object) -> str:
    return next(a.key for a in service.store().all("Atom") if a.element.get("status") == "ONLINE")  # type: ignore[attr-defined]


def test_disk_space_is_read_through_a_token(connect: Connect) -> None:
    service, client = connect()
    atom = _online_atom(service)
    seeded = build_object(service.release.index, "AtomDiskSpace", {"totalSize": "21 KB", "rawTotalSize": 21931})
    service.store().put(Record("AtomDiskSpace", atom, seeded))
    polled: list[int] = []
    answer = async_get(client, "AtomDiskSpace", atom, timeout=30, backoff=FAST, on_poll=polled.append)
    assert (answer.status, answer.runtime_id, answer.polls) == (200, atom, 1)
    assert polled == [1]
    assert [(r.totalSize, r.rawTotalSize) for r in answer.results] == [("21 KB", 21931)]


def test_a_runtime_with_nothing_to_report_answers_no_results(connect: Connect) -> None:
    service, client = connect()
    offline = next(a.key for a in service.store().all("Atom") if a.element.get("status") == "OFFLINE")
    answer = async_get(client, "ListQueues", offline, timeout=30, backoff=FAST)
    assert (answer.status, answer.results) == (200, ())


def test_what_the_pattern_refuses(connect: Connect) -> None:
    service, client = connect()
    with pytest.raises(InvalidRequestError, match="Atom is not read asynchronously"):
        request_token(client, "Atom", _online_atom(service))
    with pytest.raises(InvalidRequestError, match="give the id of the Runtime"):
        request_token(client, "AtomDiskSpace", " ")
    with pytest.raises((ResponseError, NotFoundError), match=r"no-such-atom|HTTP 40"):
        async_get(client, "AtomDiskSpace", "no-such-atom", timeout=5, backoff=FAST)


def test_every_async_type_gives_a_token(connect: Connect) -> None:
    service, client = connect()
    atom = _online_atom(service)
    assert len(ASYNC_TYPES) == 11  # the OpenAPI's: 10 ASYNC-GET objects and ListenerStatus
    assert sorted(ASYNC_TYPES - ASYNC_GET_TYPES) == ["ListenerStatus"]
    tokens = {kind: request_token(client, kind, atom) for kind in sorted(ASYNC_TYPES)}
    assert all(token.startswith(f"{kind}-") for kind, token in tokens.items())


def test_listeners_are_paused_and_a_queue_cleared(connect: Connect) -> None:
    service, client = connect()
    atom = _online_atom(service)
    change_listener_status(client, atom, "pause_all")
    change_listener_status(client, atom, "resume", "listener-1")
    with pytest.raises(InvalidRequestError, match="needs the listener's id"):
        change_listener_status(client, atom, "pause")
    with pytest.raises(InvalidRequestError, match="action must be one of"):
        change_listener_status(client, atom, "snooze_all")
    with pytest.raises(BoomiSoapError, match="no-atom"):
        change_listener_status(client, "no-atom", "pause_all")
    message = clear_queue(client, atom, "orders")
    assert message == f"Request submitted to atom id: {atom} to clear atom queue: orders"
    with pytest.raises(InvalidRequestError, match="name of the queue"):
        clear_queue(client, atom, " ")


def test_a_token_in_progress_is_polled_until_done(connect: Connect) -> None:
    service, client = connect()
    atom = _online_atom(service)
    actions.hold_tokens(service.store(), 2)  # the Runtime reports on the third poll
    waited: list[float] = []
    answer = async_get(client, "AtomSecurityPolicies", atom, timeout=30, backoff=FAST, sleep=waited.append)
    assert (answer.status, answer.polls, len(waited)) == (200, 3, 2)
    with pytest.raises(AsyncTimeoutError, match="not ready after 1 polls"):
        async_get(client, "AtomSecurityPolicies", atom, timeout=0.5, backoff=Backoff(1, 1, 1))


def _atom_named(service: object, name: str) -> str:
    return next(a.key for a in service.store().all("Atom") if a.element.get("name") == name)  # type: ignore[attr-defined]


def test_listeners_are_read_per_atom_and_changed(connect: Connect) -> None:
    service, client = connect()
    atom, other = _atom_named(service, "Test Molecule"), _atom_named(service, "Production Atom")
    before = listener_status(client, atom, timeout=30, backoff=FAST)
    assert len(before) == 3
    assert set(before.values()) == {"listening"}
    change_listener_status(client, atom, "pause_all")
    assert set(listener_status(client, atom, timeout=30, backoff=FAST).values()) == {"paused"}
    assert set(listener_status(client, other, timeout=30, backoff=FAST).values()) == {"listening"}
    one = sorted(before)[0]
    change_listener_status(client, atom, "resume", one)
    assert listener_status(client, atom, one, timeout=30, backoff=FAST) == {one: "listening"}
    typed = async_get(client, "ListenerStatus", atom, timeout=30, backoff=FAST)
    assert sorted(r.listenerId for r in typed.results) == sorted(before)
    with pytest.raises(InvalidRequestError, match="narrows a ListenerStatus read only"):
        request_token(client, "ListQueues", atom, listener_id=one)


def _counts(client: object, atom: str) -> dict[str, tuple[int, int]]:
    (listed,) = async_get(client, "ListQueues", atom, timeout=30, backoff=FAST).results  # type: ignore[arg-type]
    return {q.queueName: (q.messagesCount, q.deadLettersCount) for q in listed.QueueRecord}


def test_queues_are_cleared_and_moved(connect: Connect) -> None:
    service, client = connect()
    atom = _atom_named(service, "Production Atom")
    assert _counts(client, atom)["orders-inbound"] == (12, 2)
    message = move_queue(client, atom, "orders-inbound", "invoices-retry")
    assert (
        message == f"Request submitted to atom id: {atom} to move queue messages from orders-inbound to invoices-retry"
    )
    assert (_counts(client, atom)["orders-inbound"], _counts(client, atom)["invoices-retry"]) == ((0, 2), (12, 1))
    clear_queue(client, atom, "invoices-retry", dead_letters=True)
    assert _counts(client, atom)["invoices-retry"] == (12, 0)
    with pytest.raises(InvalidRequestError, match="source and the destination"):
        move_queue(client, atom, "orders-inbound", " ")


def test_a_restart_a_java_rollback_and_a_merge(connect: Connect) -> None:
    service, client = connect()
    atom = _atom_named(service, "Production Atom")
    assert restart_runtime(client, atom).startswith(f"Restart request submitted for runtimeId `{atom}`")
    with pytest.raises(NotFoundError, match="Atom with id nope does not exist"):
        restart_runtime(client, "nope")
    assert java_rollback(client, atom).atomId == atom
    with pytest.raises(BoomiSoapError, match="is not online"):
        java_rollback(client, _atom_named(service, "Dev Atom"))
    service.seed([{"@type": "MergeRequest", "id": "TVI6NTQ5", "stage": "REVIEWING", "MergeRequestDetails": {}}])
    merged = merge(client, "TVI6NTQ5")
    assert (merged.stage, merged.previousStage) == ("MERGED", "REVIEWING")
    with pytest.raises(InvalidRequestError, match="action must be one of"):
        merge(client, "TVI6NTQ5", "UPDATE")


def test_worker_logs_and_connector_documents_are_downloaded_when_ready(connect: Connect) -> None:
    service, client = connect()
    executions.hold_downloads(service.store(), 2)  # not ready twice: 202, 202, then the bytes
    waited: list[float] = []
    log = download_worker_log(client, "worker-1", timeout=30, backoff=FAST, sleep=waited.append)
    assert (len(log), len(waited)) == (4096, 2)
    with pytest.raises(BoomiSoapError, match="over the cap of 100"):
        download_worker_log(client, "worker-1", max_bytes=100, timeout=30, backoff=FAST)
    executions.hold_downloads(service.store(), 0)
    record = {"id": "gcr-1", "executionId": "e-1", "connectorFields": {}, "trackedFields": {}, "errorMessage": ""}
    service.seed([{"@type": "GenericConnectorRecord", **record}])
    document = download_connector_document(client, "gcr-1", timeout=30, backoff=FAST)
    assert b'"genericConnectorRecordId": "gcr-1"' in document
    with pytest.raises(NotFoundError, match="GenericConnectorRecord with id gcr-2"):
        download_connector_document(client, "gcr-2", timeout=30, backoff=FAST)


@pytest.mark.contracts("partner", why="the account override exists on the Partner API only")
def test_a_sub_account_view_reads_and_operates_the_sub_accounts_runtime(connect: Connect) -> None:
    from boomi_soap.localservice.config import DEFAULT_SUB_ACCOUNTS

    service, client = connect()
    sub = DEFAULT_SUB_ACCOUNTS[0]
    view = client.for_account(sub)
    atom = next(a.key for a in service.store(sub).all("Atom") if a.element.get("name") == "Test Molecule")
    assert service.store().get("Atom", atom) is None  # the sub-account's own Atom, not the parent's
    assert len(listener_status(view, atom, timeout=30, backoff=FAST)) == 3
    change_listener_status(view, atom, "pause_all")
    assert set(listener_status(view, atom, timeout=30, backoff=FAST).values()) == {"paused"}
    assert _counts(view, atom)["orders-inbound"] == (12, 2)
    with pytest.raises(BoomiSoapError, match=f"Atom with id {atom} does not exist"):
        async_get(client, "ListQueues", atom, timeout=30, backoff=FAST)  # the parent has no such Atom


def test_a_post_to_another_origin_is_refused_before_anything_is_sent(connect: Connect) -> None:
    _, client = connect()
    with pytest.raises(BoomiSoapError, match=r"refusing http://192\.0\.2\.1/"):
        client.post_linked("http://192.0.2.1/x", b"<a/>", content_type="application/xml", max_bytes=10, operation="t")


@pytest.mark.contracts("split", why="the JSON bodies are the same on every layout")
def test_the_changes_in_json_bodies_over_rest(connect: Connect) -> None:
    from boomi_soap.client import Client
    from boomi_soap.settings import ClientSettings
    from tests.boomi_soap.conftest import CREDENTIALS

    service, plain = connect()
    client = Client(
        plain.snapshot, CREDENTIALS, settings=ClientSettings(rate_limit=None), transport="rest", format="json"
    )
    atom = _atom_named(service, "Production Atom")
    change_listener_status(client, atom, "pause_all")
    assert set(listener_status(client, atom, timeout=30, backoff=FAST).values()) == {"paused"}
    assert clear_queue(client, atom, "orders-inbound", dead_letters=True).endswith("clear atom queue: orders-inbound")
    assert move_queue(client, atom, "orders-inbound", "invoices-retry").endswith(
        "from orders-inbound to invoices-retry"
    )
    assert _counts(client, atom)["invoices-retry"] == (12, 1)
    assert java_rollback(client, atom).atomId == atom
