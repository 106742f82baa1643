"""The step drivers: one feature, the same calls, pauses, deadlines and clean-ups on the sync and the async driver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from boomi_soap.exceptions import AsyncTimeoutError, BoomiSoapError, InvalidRequestError
from boomi_soap.platform import steps
from boomi_soap.platform.deploy import package_and_deploy_steps
from boomi_soap.platform.polling import Backoff, poll_async_steps
from boomi_soap.platform.steps import Invoke, Sleep, Steps, adrive, drive
from boomi_soap.settings import ClientSettings

PROCESS_ID = "2617d481-2bee-4052-9116-d8c8fe6c06da"
ENVIRONMENT_ID = "6f2c3a1e-7a51-4f0e-9d5c-0a9e1d7c2b44"
URL = "http://127.0.0.1:1/ExecutionRecord/async/executionrecord-1"
NOT_YET = b'<bns:AsyncOperationResult xmlns:bns="http://api.platform.boomi.com/" responseStatusCode="202"/>'
DONE = NOT_YET.replace(b'"202"', b'"200"')


class Recorder:
    """A sync caller that answers from a script and records each call: a step's result or error is the script's."""

    address = "http://127.0.0.1:1/ws/soap"
    settings = ClientSettings(rate_limit=None)
    contract: Any = None

    def __init__(self, answers: dict[str, list[Any]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def _answer(self, method: str, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((method, args, kwargs))
        answer = self.answers[method].pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def from_xml(self, element: Any) -> Any:
        return element

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._answer("get", *args, **kwargs)

    def query(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        return iter(self._answer("query", *args, **kwargs))

    def create(self, *args: Any, **kwargs: Any) -> Any:
        return self._answer("create", *args, **kwargs)

    def update(self, *args: Any, **kwargs: Any) -> Any:
        return self._answer("update", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._answer("delete", *args, **kwargs)

    def call(self, *args: Any, **kwargs: Any) -> Any:
        return self._answer("call", *args, **kwargs)

    def call_xml(self, *args: Any, **kwargs: Any) -> Any:
        return self._answer("call_xml", *args, **kwargs)

    def get_linked(self, *args: Any, **kwargs: Any) -> Any:
        return self._answer("get_linked", *args, **kwargs)


class AsyncRecorder:
    """The async twin of :class:`Recorder`: the same script, awaited."""

    address = Recorder.address
    settings = Recorder.settings
    contract: Any = None

    def __init__(self, answers: dict[str, list[Any]]) -> None:
        self.sync = Recorder(answers)

    @property
    def calls(self) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
        return self.sync.calls

    def from_xml(self, element: Any) -> Any:
        return element

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return self.sync.get(*args, **kwargs)

    def query(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        found = self.sync.query(*args, **kwargs)

        async def pages() -> AsyncIterator[Any]:
            for item in found:
                yield item

        return pages()

    async def create(self, *args: Any, **kwargs: Any) -> Any:
        return self.sync.create(*args, **kwargs)

    async def update(self, *args: Any, **kwargs: Any) -> Any:
        return self.sync.update(*args, **kwargs)

    async def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self.sync.delete(*args, **kwargs)

    async def call(self, *args: Any, **kwargs: Any) -> Any:
        return self.sync.call(*args, **kwargs)

    async def call_xml(self, *args: Any, **kwargs: Any) -> Any:
        return self.sync.call_xml(*args, **kwargs)

    async def get_linked(self, *args: Any, **kwargs: Any) -> Any:
        return self.sync.get_linked(*args, **kwargs)


def run(driver: str, answers: dict[str, list[Any]], feature: Steps[Any]) -> tuple[Any, list[Any], list[float]]:
    """Run a feature on one driver: its result (or error), the calls made and the pauses slept."""
    slept: list[float] = []
    outcome: Any
    if driver == "sync":
        client: Any = Recorder(answers)
        try:
            outcome = drive(client, feature, sleep=slept.append)
        except BoomiSoapError as exc:
            outcome = exc
    else:
        client = AsyncRecorder(answers)

        async def pause(seconds: float) -> None:
            slept.append(seconds)

        async def main() -> Any:
            try:
                return await adrive(client, feature, sleep=pause)
            except BoomiSoapError as exc:
                return exc

        outcome = asyncio.run(main())
    return outcome, [(m, a, k) for m, a, k in client.calls], slept


DRIVERS = pytest.mark.parametrize("driver", ["sync", "async"])


@DRIVERS
def test_polls_pause_by_the_same_backoff_on_both_drivers(driver: str) -> None:
    answers: dict[str, list[Any]] = {"get_linked": [(200, NOT_YET), (503, b"busy"), (202, NOT_YET), (200, DONE)]}
    feature = poll_async_steps(Recorder({}), URL, timeout=60, backoff=Backoff(0.5, 2.0, 1.5))
    result, calls, slept = run(driver, answers, feature)
    assert result.status == 200
    assert [c[0] for c in calls] == ["get_linked"] * 4
    assert slept == [0.5, 1.0, 1.5]


@DRIVERS
def test_the_deadline_is_the_features_on_both_drivers(driver: str) -> None:
    feature = poll_async_steps(Recorder({}), URL, timeout=0.5, backoff=Backoff(1, 1, 1))
    error, calls, slept = run(driver, {"get_linked": [(202, NOT_YET)]}, feature)
    assert isinstance(error, AsyncTimeoutError)
    assert "not ready after 1 polls in 0.5 s" in str(error)
    assert (len(calls), slept) == (1, [])  # a pause past the deadline is not slept


@DRIVERS
def test_a_failed_step_is_raised_where_the_feature_yielded_so_it_cleans_up(driver: str) -> None:
    packaged = SimpleNamespace(packageId="pkg-1", packageVersion="1.0")
    refused = InvalidRequestError("create", "already deployed")
    answers: dict[str, list[Any]] = {
        "get": [SimpleNamespace(id=PROCESS_ID), SimpleNamespace(id=ENVIRONMENT_ID)],
        "create": [packaged, refused],
        "delete": [True],
    }
    feature = package_and_deploy_steps(Recorder({}), PROCESS_ID, ENVIRONMENT_ID)
    error, calls, _ = run(driver, answers, feature)
    assert isinstance(error, BoomiSoapError)
    assert "the package was deleted again, nothing is left" in str(error)
    assert error.__cause__ is refused
    assert calls[-1] == ("delete", ("PackagedComponent", "pkg-1"), {})


def test_a_feature_on_the_wrong_driver_is_a_type_error() -> None:
    sync, other = Recorder({}), AsyncRecorder({})
    with pytest.raises(TypeError, match=r"AsyncRecorder is an async caller; run the feature with adrive\(\)"):
        drive(other, poll_async_steps(other, URL, timeout=1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Recorder is a sync caller; run the feature with drive\(\)"):
        asyncio.run(adrive(sync, poll_async_steps(sync, URL, timeout=1)))  # type: ignore[arg-type]
    assert sync.calls == []


def test_a_step_is_an_invoke_of_a_caller_method_or_a_sleep() -> None:
    with pytest.raises(ValueError, match="'post' is not a caller method"):
        Invoke("post")

    def stray() -> Steps[None]:
        yield "get"  # type: ignore[misc]

    with pytest.raises(TypeError, match="a feature yielded str, not a step"):
        drive(Recorder({}), stray())  # type: ignore[arg-type]
    assert steps.get("Process", "x") == Invoke("get", ("Process", "x"))
    assert isinstance(Sleep(1.0), Sleep)
