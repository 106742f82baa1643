"""Run a process and know how it ended: ``ExecutionRequest`` and its ``ExecutionRecord``.

``executeProcess`` (Execute Process operation page) submits a run and returns nothing to
correlate it with.  Boomi's replacement (Execution Request object page): CREATE an
``ExecutionRequest``; the answer carries a ``requestId`` (``executionrecord-…``) and a
``recordUrl``.  The record for that request does not exist at first; once it does, it
names the ``executionId`` (``execution-…``) and its status runs ``ENQUEUED`` →
``INPROCESS`` → one of :data:`TERMINAL`.

Over SOAP there is no way to read a record by request id: ``ExecutionRecord`` has no
``requestId`` field or filter property, and the WSDL no async operation.  So the first
polls read the ``recordUrl`` (a REST resource answering an ``AsyncOperationResult``, see
:mod:`boomi_soap.platform.polling`); once the execution id is known, polls are SOAP ``query``
calls on ``executionId``.

Request ids and execution ids are different types (:class:`RequestId`,
:class:`ExecutionId`), so mypy refuses one where the other is expected, and each checks
its prefix when made.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Self, TypeVar

from boomi_soap.exceptions import BoomiSoapError, ExecutionTimeoutError, IdMixupError, NotFoundError, QuotaExceededError
from boomi_soap.platform import steps
from boomi_soap.platform.polling import Backoff, download_log, download_log_steps, read_async_result
from boomi_soap.platform.steps import Sleep, Steps, adrive, drive
from boomi_soap.query import F

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Account, AsyncCaller, Caller

__all__ = [
    "FAILED",
    "TERMINAL",
    "AsyncExecution",
    "Execution",
    "ExecutionId",
    "ExecutionTimeoutError",
    "IdMixupError",
    "RequestId",
    "aattach",
    "arun_process",
    "attach",
    "resolve_id",
    "resolve_steps",
    "run_process",
    "submit_steps",
]

TERMINAL: Final = frozenset({"COMPLETE", "COMPLETE_WARN", "ERROR", "ABORTED", "DISCARDED"})
FAILED: Final = frozenset({"ERROR", "ABORTED", "DISCARDED"})
SUBMITTED: Final = "SUBMITTED"
"""Status of a run whose record does not exist yet (ours, not Boomi's)."""


class _PrefixedId(str):
    __slots__ = ()
    prefix: str = ""
    kind: str = ""
    other: tuple[str, str] = ("", "")

    def __new__(cls, value: str) -> Self:
        text = str(value)
        if not text.startswith(cls.prefix):
            other_prefix, other_kind = cls.other
            if text.startswith(other_prefix):
                raise IdMixupError(f"{text} is {other_kind}; {cls.kind} ({cls.prefix}…) is expected here")
            raise IdMixupError(f"{text!r} is not {cls.kind} ({cls.prefix}…)")
        return super().__new__(cls, text)


_Id = TypeVar("_Id", bound=_PrefixedId)


class RequestId(_PrefixedId):
    """The ``requestId`` of an ``ExecutionRequest`` (``executionrecord-…``).

    Raises:
        IdMixupError: When made from anything else, an execution id above all.
    """

    __slots__ = ()
    prefix = "executionrecord-"
    kind = "a request id"
    other = ("execution-", "an execution id")


class ExecutionId(_PrefixedId):
    """The ``executionId`` of an ``ExecutionRecord`` (``execution-…``).

    Raises:
        IdMixupError: When made from anything else, a request id above all.
    """

    __slots__ = ()
    prefix = "execution-"
    kind = "an execution id"
    other = ("executionrecord-", "a request id")


def _checked(kind: type[_Id], value: object) -> _Id:
    # The types catch a mix-up under mypy; this catches it at run time for everyone else.
    if isinstance(value, kind):
        return value
    if isinstance(value, _PrefixedId):
        raise IdMixupError(f"{value} is {type(value).kind}; {kind.kind} ({kind.prefix}…) is expected here")
    result: _Id = kind(str(value))
    return result


_names: weakref.WeakKeyDictionary[Account, dict[tuple[str, str], str]] = weakref.WeakKeyDictionary()
_names_lock = threading.Lock()


def resolve_id(client: Caller, object_type: str, id_or_name: str, *, verify: bool = False) -> str:
    """The id of an object given by id or by name (one query per name, cached per client).

    Args:
        client: The client.
        object_type: ``Process``, ``Atom``, ``Environment`` ...
        id_or_name: An id (a UUID) or a unique name.
        verify: Also check that an id given exists (one ``get``, cached), for callers
            that are about to write something that would outlive a mistyped id.

    Raises:
        NotFoundError: If no object has that name (or, with ``verify``, that id).
        BoomiSoapError: If the name is not unique.
    """
    return drive(client, resolve_steps(client, object_type, id_or_name, verify=verify))


def resolve_steps(client: Account, object_type: str, id_or_name: str, *, verify: bool = False) -> Steps[str]:
    """The steps of :func:`resolve_id` (``client`` is the cache's key)."""
    try:
        uuid.UUID(id_or_name)
    except ValueError:
        pass
    else:  # Boomi ids of processes, Atoms and environments are UUIDs
        if verify:
            with _names_lock:
                known = (object_type, id_or_name) in _names.setdefault(client, {})
            if not known:
                yield steps.get(object_type, id_or_name)  # NotFoundError for a mistyped id
                with _names_lock:
                    _names.setdefault(client, {})[(object_type, id_or_name)] = id_or_name
        return id_or_name
    with _names_lock:
        cached = _names.setdefault(client, {}).get((object_type, id_or_name))
    if cached is not None:
        return cached
    found = [str(o.id) for o in (yield steps.query(object_type, F("name") == id_or_name))]
    if not found:
        raise NotFoundError("query", f"no {object_type} named {id_or_name!r}")
    if len(set(found)) > 1:
        raise BoomiSoapError(f"{len(found)} objects of type {object_type} are named {id_or_name!r}; give the id")
    with _names_lock:
        _names.setdefault(client, {})[(object_type, id_or_name)] = found[0]
    return found[0]


class _Run:
    """What is known of one process run, and the steps that learn more (shared by both kinds of execution).

    Attributes:
        request_id: The ``ExecutionRequest``'s id.
        execution_id: The execution's id once its record exists, else ``None``.
        status: ``SUBMITTED`` until the record exists, then the record's status.
        started: When it started (the record's ``executionTime``).
        ended: When it ended (start plus ``executionDuration``), once it has.
        error: The record's message for a run that did not complete.
        record: The last ``ExecutionRecord`` read, or ``None``.
        record_url: Where the record is polled until it exists.
    """

    def __init__(self, client: Account, request_id: RequestId, record_url: str, *, poll: Backoff | None = None) -> None:
        self.request_id = _checked(RequestId, request_id)
        self.record_url = record_url
        self.execution_id: ExecutionId | None = None
        self.status = SUBMITTED
        self.started: datetime | None = None
        self.ended: datetime | None = None
        self.error: str | None = None
        self.record: Any = None
        self.poll = poll or Backoff()
        self._account = client

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(request_id={self.request_id!r}, execution_id={self.execution_id!r},"
            f" status={self.status!r})"
        )

    @property
    def done(self) -> bool:
        """Whether the run has reached a terminal status."""
        return self.status in TERMINAL

    def refresh_steps(self) -> Steps[None]:
        """The steps of one read of the run's record (one call, rate-limited)."""
        if self.execution_id is None:
            status, body = yield steps.get_linked(
                self.record_url, max_bytes=self._account.settings.max_response_bytes, operation="async"
            )
            if status == 503:
                # A read, safe to repeat: the service's limit answer (or a gateway's) means
                # "ask again", never "no such run"; only a spent quota ends the wait.
                if b"quota" in body.lower():
                    raise QuotaExceededError("async", f"HTTP 503 for request {self.request_id}: quota exhausted")
                return
            if status not in (200, 202):
                raise NotFoundError("async", f"HTTP {status} for request {self.request_id}")
            result = read_async_result(body, operation="async")
            if result is None or not result.results:
                return  # not recorded yet: Boomi's "not yet", not a failure
            self._read(self._account.from_xml(result.results[0]))
        else:
            records = yield steps.query("ExecutionRecord", F("executionId") == str(self.execution_id))
            if records:
                self._read(records[0])

    def _read(self, record: Any) -> None:
        self.record = record
        self.execution_id = ExecutionId(record.executionId)
        self.status = str(record.status)
        self.started = record.executionTime
        if self.done and self.started is not None and record.executionDuration is not None:
            self.ended = self.started + timedelta(milliseconds=int(record.executionDuration))
        message = str(record.message or "")
        self.error = (message or None) if self.status in FAILED else None

    def wait_steps(self, timeout: float, on_progress: Callable[[Any], None] | None) -> Steps[None]:
        """The steps of polling until the run ends, backing off between polls (:attr:`poll`).

        Raises:
            ExecutionTimeoutError: If it has not ended in time; it carries both ids.
        """
        deadline = time.monotonic() + timeout
        pauses = self.poll.intervals()
        while True:
            yield from self.refresh_steps()
            if on_progress is not None:
                on_progress(self)
            if self.done:
                return
            pause = next(pauses)
            if time.monotonic() + pause > deadline:
                raise ExecutionTimeoutError(
                    f"request {self.request_id} (execution {self.execution_id or 'not recorded yet'}) still"
                    f" {self.status} after {timeout:g} s",
                    request_id=self.request_id,
                    execution_id=self.execution_id,
                    status=self.status,
                )
            yield Sleep(pause)

    def cancel_steps(self) -> Steps[None]:
        """The steps of cancelling the run (``cancelExecution``) and reading its status again.

        Raises:
            BoomiSoapError: If the run has no record yet (nothing to cancel by id).
        """
        if self.execution_id is None:
            yield from self.refresh_steps()
        if self.execution_id is None:
            raise BoomiSoapError(f"request {self.request_id} has no execution yet; cancel it once it is recorded")
        yield steps.call("cancelExecution", executionId=str(self.execution_id))
        yield from self.refresh_steps()


class Execution(_Run):
    """One process run, as far as it is known, followed through a sync client.

    Attributes:
        request_id: The ``ExecutionRequest``'s id.
        execution_id: The execution's id once its record exists, else ``None``.
        status: ``SUBMITTED`` until the record exists, then the record's status.
        started: When it started (the record's ``executionTime``).
        ended: When it ended (start plus ``executionDuration``), once it has.
        error: The record's message for a run that did not complete.
        record: The last ``ExecutionRecord`` read, or ``None``.
        record_url: Where the record is polled until it exists.
    """

    def __init__(self, client: Caller, request_id: RequestId, record_url: str, *, poll: Backoff | None = None) -> None:
        """Follow the run of ``request_id``; nothing is sent until :meth:`refresh` or :meth:`wait`.

        Raises:
            IdMixupError: If ``request_id`` is not a request id.
        """
        super().__init__(client, request_id, record_url, poll=poll)
        self._client = client

    def refresh(self) -> Execution:
        """Read the run's record once (one call, rate-limited) and update this object."""
        drive(self._client, self.refresh_steps())
        return self

    def wait(
        self,
        timeout: float = 300.0,
        *,
        on_progress: Callable[[Execution], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Execution:
        """Poll until the run ends, backing off between polls (:attr:`poll`).

        Args:
            timeout: Seconds to wait.
            on_progress: Called after each poll.
            sleep: How to wait between polls.

        Raises:
            ExecutionTimeoutError: If it has not ended in time; it carries both ids.
        """
        drive(self._client, self.wait_steps(timeout, on_progress), sleep=sleep)
        return self

    def cancel(self) -> Execution:
        """Cancel the run (``cancelExecution``) and read its status again.

        Raises:
            BoomiSoapError: If the run has no record yet (nothing to cancel by id).
            InvalidRequestError: If the account's WSDL has no ``cancelExecution``.
        """
        drive(self._client, self.cancel_steps())
        return self

    def log(self, **options: Any) -> bytes:
        """The run's process log (:func:`~boomi_soap.platform.polling.download_log`'s options).

        Raises:
            BoomiSoapError: If the run has no record yet (no execution id to ask the log of).
        """
        return download_log(self._client, execution_id=self._recorded(), **options)

    def _recorded(self) -> str:
        if self.execution_id is None:
            self.refresh()
        return _recorded(self)


def _recorded(run: _Run) -> str:
    if run.execution_id is None:
        raise BoomiSoapError(f"request {run.request_id} has no execution yet; its log exists once it is recorded")
    return str(run.execution_id)


class AsyncExecution(_Run):
    """One process run, followed through an async client: :class:`Execution`'s methods, awaited."""

    def __init__(
        self, client: AsyncCaller, request_id: RequestId, record_url: str, *, poll: Backoff | None = None
    ) -> None:
        """Follow the run of ``request_id``; nothing is sent until :meth:`refresh` or :meth:`wait`.

        Raises:
            IdMixupError: If ``request_id`` is not a request id.
        """
        super().__init__(client, request_id, record_url, poll=poll)
        self._client = client

    async def refresh(self) -> AsyncExecution:
        """Read the run's record once (one call, rate-limited) and update this object."""
        await adrive(self._client, self.refresh_steps())
        return self

    async def wait(
        self,
        timeout: float = 300.0,
        *,
        on_progress: Callable[[AsyncExecution], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> AsyncExecution:
        """Poll until the run ends, as :meth:`Execution.wait`; the pauses are :func:`asyncio.sleep`.

        Raises:
            ExecutionTimeoutError: If it has not ended in time; it carries both ids.
        """
        await adrive(self._client, self.wait_steps(timeout, on_progress), sleep=sleep)
        return self

    async def cancel(self) -> AsyncExecution:
        """Cancel the run (``cancelExecution``) and read its status again.

        Raises:
            BoomiSoapError: If the run has no record yet (nothing to cancel by id).
        """
        await adrive(self._client, self.cancel_steps())
        return self

    async def log(self, **options: Any) -> bytes:
        """The run's process log (:func:`~boomi_soap.platform.polling.download_log`'s options).

        Raises:
            BoomiSoapError: If the run has no record yet (no execution id to ask the log of).
        """
        if self.execution_id is None:
            await self.refresh()
        return await adrive(self._client, download_log_steps(self._client, execution_id=_recorded(self), **options))


def _record_url(client: Account, request_id: RequestId, record_url: str | None) -> tuple[RequestId, str]:
    checked = _checked(RequestId, request_id)
    return checked, record_url or f"{client.address}/ExecutionRecord/async/{checked}"


def attach(client: Caller, request_id: RequestId, *, record_url: str | None = None) -> Execution:
    """Follow an earlier run by its request id (its ``recordUrl`` by default next to the endpoint).

    Raises:
        IdMixupError: If ``request_id`` is not a request id.
    """
    return Execution(client, *_record_url(client, request_id, record_url))


def aattach(client: AsyncCaller, request_id: RequestId, *, record_url: str | None = None) -> AsyncExecution:
    """:func:`attach` for an async client.

    Raises:
        IdMixupError: If ``request_id`` is not a request id.
    """
    return AsyncExecution(client, *_record_url(client, request_id, record_url))


def submit_steps(
    client: Account, process: str, atom: str, *, properties: Mapping[str, str] | None = None
) -> Steps[tuple[RequestId, str]]:
    """The steps of submitting a run (an ``ExecutionRequest`` CREATE): its request id and record URL."""
    process_id = yield from resolve_steps(client, "Process", process)
    atom_id = yield from resolve_steps(client, "Atom", atom)
    fields: dict[str, Any] = {"processId": process_id, "atomId": atom_id}
    if properties:  # no empty placeholder sections: both property bags are optional
        fields["DynamicProcessProperties"] = {
            "DynamicProcessProperty": [{"name": k, "value": v} for k, v in properties.items()]
        }
    answer = yield steps.create("ExecutionRequest", **fields)
    return RequestId(answer.requestId), str(answer.recordUrl)


def run_process(
    client: Caller,
    process: str,
    atom: str,
    *,
    properties: Mapping[str, str] | None = None,
    wait: bool = True,
    timeout: float = 300.0,
    poll: Backoff | None = None,
    on_progress: Callable[[Execution], None] | None = None,
) -> Execution:
    """Run a process on an Atom through an ``ExecutionRequest``.

    Args:
        client: The client.
        process: Process id or unique name.
        atom: Atom id or unique name.
        properties: Dynamic process properties.
        wait: Poll until the run ends; ``False`` returns once it is submitted.
        timeout: Seconds to wait when ``wait``.
        poll: Poll intervals (default 1 s, 2 s, then 5 s).
        on_progress: Called after each poll.

    Raises:
        ExecutionTimeoutError: If ``wait`` and the run has not ended in time.
        NotFoundError: If the process or Atom does not exist.
    """
    request_id, record_url = drive(client, submit_steps(client, process, atom, properties=properties))
    execution = Execution(client, request_id, record_url, poll=poll)
    if wait:
        execution.wait(timeout, on_progress=on_progress)
    return execution


async def arun_process(
    client: AsyncCaller,
    process: str,
    atom: str,
    *,
    properties: Mapping[str, str] | None = None,
    wait: bool = True,
    timeout: float = 300.0,
    poll: Backoff | None = None,
    on_progress: Callable[[AsyncExecution], None] | None = None,
) -> AsyncExecution:
    """:func:`run_process` for an async client: the same steps, awaited.

    Raises:
        ExecutionTimeoutError: If ``wait`` and the run has not ended in time.
        NotFoundError: If the process or Atom does not exist.
    """
    request_id, record_url = await adrive(client, submit_steps(client, process, atom, properties=properties))
    execution = AsyncExecution(client, request_id, record_url, poll=poll)
    if wait:
        await execution.wait(timeout, on_progress=on_progress)
    return execution
