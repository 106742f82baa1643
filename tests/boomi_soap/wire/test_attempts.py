"""The retry decision both drivers run, driven here step by step without any I/O."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from boomi_soap.exceptions import ResponseError, ServiceTimeoutError, TransportError
from boomi_soap.limits.quota import Outage
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.wire.attempts import attempts
from boomi_soap.wire.records import Admit, Answer, CallRecord, Failure, Outcome, Send, Sleep, Step

ADDRESS = "http://127.0.0.1:9/ws/soap"
BUSY = (
    b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>'
    b"<faultcode>S:Server</faultcode><faultstring>The Boomi server is currently unavailable or your"
    b" account's rate limits have been exceeded</faultstring></S:Fault></S:Body></S:Envelope>"
)
OK = Answer(200, {"Content-Type": "text/xml"}, b"<S:Envelope/>")


def _plan(
    operation: str, *, retries: int = 2, left: float | None = None
) -> tuple[CallRecord, Generator[Step, Outcome | None, Answer]]:
    settings = ClientSettings(retry=RetryPolicy(max_retries=retries, backoff=0.01, max_backoff=0.02))
    record = CallRecord(operation)
    plan = attempts(record, settings, Outage(settings), ADDRESS, draw=lambda: 0.5, time_left=lambda: left)
    return record, plan


def _run(plan: Generator[Step, Outcome | None, Answer], outcomes: list[Outcome]) -> tuple[list[Step], Answer]:
    """Drive the plan as a driver would, answering each Send with the next outcome."""
    steps: list[Step] = []
    step = next(plan)
    try:
        while True:
            steps.append(step)
            step = plan.send(outcomes.pop(0) if isinstance(step, Send) else None)
    except StopIteration as stop:
        return steps, stop.value


def test_a_first_answer_ends_the_call_after_one_admit_and_one_send() -> None:
    record, plan = _plan("get")
    steps, final = _run(plan, [OK])
    assert steps == [Admit(retry=False), Send(1)]
    assert final is OK
    assert (record.attempts, record.status) == (1, 200)


def test_a_busy_503_is_retried_after_a_sleep_then_answered() -> None:
    record, plan = _plan("create")  # not idempotent: Boomi's own 503 means it did not run
    steps, final = _run(plan, [Answer(503, {}, BUSY), OK])
    assert [type(s) for s in steps] == [Admit, Send, Sleep, Admit, Send]
    assert steps[3] == Admit(retry=True)
    assert final is OK
    assert record.attempts == 2


def test_a_gateways_503_after_a_create_is_never_sent_again() -> None:
    _, plan = _plan("create")
    with pytest.raises(TransportError, match="not the service's limit answer") as caught:
        _run(plan, [Answer(503, {}, b"Service Unavailable")])
    assert caught.value.sent is True


def test_a_lost_connection_is_retried_only_when_safe() -> None:
    lost = TransportError("get", "connection lost", attempts=1)
    _, plan = _plan("get")
    steps, final = _run(plan, [Failure(lost, "connection lost"), OK])
    assert final is OK
    assert any(isinstance(s, Sleep) for s in steps)
    _, plan = _plan("create")
    with pytest.raises(TransportError, match="connection lost"):
        _run(plan, [Failure(lost, None)])


def test_retries_stop_at_the_policy_and_raise_the_last_failure() -> None:
    timeout = ServiceTimeoutError("get", "no answer", attempts=1)
    record, plan = _plan("get", retries=1)
    with pytest.raises(ServiceTimeoutError):
        _run(plan, [Failure(timeout, "read timeout"), Failure(timeout, "read timeout")])
    assert record.attempts == 2


def test_no_retry_when_the_deadline_leaves_no_time_for_the_pause() -> None:
    record, plan = _plan("create", left=0.0)
    _, final = _run(plan, [Answer(503, {}, BUSY)])
    assert final.status == 503  # the last 503: the client maps it
    assert record.attempts == 1
    assert "no time left" in record.history[-1]


def test_an_html_page_is_refused_whatever_its_status() -> None:
    _, plan = _plan("get")
    with pytest.raises(ResponseError, match="HTML"):
        _run(plan, [Answer(200, {}, b"<!DOCTYPE html><html><body>login</body></html>")])
