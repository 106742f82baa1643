"""The asynchronous-token reads of the runtime, against the local service on every layout and transport."""

from __future__ import annotations

import pytest

from boomi_soap.exceptions import AsyncTimeoutError, BoomiSoapError, InvalidRequestError, NotFoundError, ResponseError
from boomi_soap.localservice import actions
from boomi_soap.localservice.model import Record, build_object
from boomi_soap.platform.polling import Backoff
from boomi_soap.platform.runtime import (
    ASYNC_GET_TYPES,
    async_get,
    change_listener_status,
    clear_queue,
    request_token,
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


def test_every_async_get_type_gives_a_token(connect: Connect) -> None:
    service, client = connect()
    atom = _online_atom(service)
    tokens = {kind: request_token(client, kind, atom) for kind in sorted(ASYNC_GET_TYPES)}
    assert all(token.startswith(f"{kind}-") for kind, token in tokens.items())


def test_listeners_are_paused_and_a_queue_cleared(connect: Connect, transport: str) -> None:
    service, client = connect()
    atom = _online_atom(service)
    if transport == "rest":  # the REST transport has no form for these yet: said in one line, nothing sent
        with pytest.raises(InvalidRequestError, match="changeListenerStatus operation has no REST form"):
            change_listener_status(client, atom, "pause_all")
        with pytest.raises(InvalidRequestError, match="execute operation has no REST form"):
            clear_queue(client, atom, "orders")
        return
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
