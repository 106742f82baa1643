"""Features as sans-IO step generators, and the two drivers that run them.

A feature (a run, a deployment, a download ...) is a generator: it yields steps, a call
of one :class:`~boomi_soap.platform.caller.Caller` method (:class:`Invoke`) or a pause
between polls (:class:`Sleep`), and receives each step's result (or has its error raised
where it yielded).  It never does I/O itself, so one feature serves both clients:
:func:`drive` runs it on a sync :class:`~boomi_soap.platform.caller.Caller`,
:func:`adrive` on an :class:`~boomi_soap.platform.caller.AsyncCaller` (``await`` for each
call, :func:`asyncio.sleep` for each pause).  The deadlines are the feature's own
(:func:`time.monotonic` inside the generator), so both drivers keep the same ones.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, TypeAlias, TypeVar

if TYPE_CHECKING:
    from lxml import etree

    from boomi_soap.platform.caller import AsyncCaller, Caller
    from boomi_soap.query import Expression

__all__ = [
    "Invoke",
    "Sleep",
    "Step",
    "Steps",
    "adrive",
    "call",
    "call_xml",
    "create",
    "delete",
    "drive",
    "get",
    "get_linked",
    "post_linked",
    "query",
    "update",
]

T = TypeVar("T")

METHODS: Final = frozenset(
    {"get", "query", "create", "update", "delete", "call", "call_xml", "get_linked", "post_linked"}
)


@dataclass(frozen=True)
class Invoke:
    """A call of one caller method; the driver sends back its result.

    A ``query`` step's result is a list: every page, followed by the driver.
    """

    method: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Refuse a method the callers do not have.

        Raises:
            ValueError: If ``method`` is not one of the caller protocol's calls.
        """
        if self.method not in METHODS:
            raise ValueError(f"{self.method!r} is not a caller method; one of {', '.join(sorted(METHODS))}")


@dataclass(frozen=True)
class Sleep:
    """A pause between polls, in seconds."""

    seconds: float


Step: TypeAlias = Invoke | Sleep
Steps: TypeAlias = Generator[Step, Any, T]


def get(object_type: str, object_id: str) -> Invoke:
    """The step of ``client.get``."""
    return Invoke("get", (object_type, object_id))


def query(object_type: str, where: Expression | None = None, *, sort: Mapping[str, str] | None = None) -> Invoke:
    """The step of ``client.query``; its result is the list of every page's objects."""
    return Invoke("query", (object_type, where), {"sort": sort})


def create(object_type: str, **fields: Any) -> Invoke:
    """The step of ``client.create``."""
    return Invoke("create", (), {"object_type": object_type, **fields})


def update(object_type: str, **fields: Any) -> Invoke:
    """The step of ``client.update``."""
    return Invoke("update", (), {"object_type": object_type, **fields})


def delete(object_type: str, object_id: str) -> Invoke:
    """The step of ``client.delete``."""
    return Invoke("delete", (object_type, object_id))


def call(operation: str, **kwargs: Any) -> Invoke:
    """The step of ``client.call``."""
    return Invoke("call", (operation,), kwargs)


def call_xml(payload: etree._Element) -> Invoke:
    """The step of ``client.call_xml``."""
    return Invoke("call_xml", (payload,))


def get_linked(url: str, *, max_bytes: int, operation: str) -> Invoke:
    """The step of ``client.get_linked``: its result is the status and the body."""
    return Invoke("get_linked", (url,), {"max_bytes": max_bytes, "operation": operation})


def post_linked(url: str, body: bytes, *, content_type: str, max_bytes: int, operation: str) -> Invoke:
    """The step of ``client.post_linked``: its result is the status and the body."""
    kwargs = {"content_type": content_type, "max_bytes": max_bytes, "operation": operation}
    return Invoke("post_linked", (url, body), kwargs)


def _is_async(client: object) -> bool:
    return inspect.iscoroutinefunction(getattr(client, "get", None))


def _unknown(step: object) -> TypeError:
    return TypeError(f"a feature yielded {type(step).__name__}, not a step (Invoke or Sleep)")


def drive(client: Caller, steps: Steps[T], *, sleep: Callable[[float], None] = time.sleep) -> T:
    """Run a feature on a sync caller: each call made, each pause slept, until it returns.

    Args:
        client: The caller the steps are calls of.
        steps: The feature's generator.
        sleep: How to pause (tests pass a fake).

    Raises:
        TypeError: If ``client`` is an async caller (use :func:`adrive`), or a step is not one.
    """
    if _is_async(client):
        steps.close()
        raise TypeError(f"{type(client).__name__} is an async caller; run the feature with adrive(), not drive()")
    result: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = steps.send(result) if error is None else steps.throw(error)
        except StopIteration as stop:
            value: T = stop.value
            return value
        result, error = None, None
        try:
            if isinstance(step, Sleep):
                sleep(step.seconds)
            elif not isinstance(step, Invoke):
                raise _unknown(step)
            elif step.method == "query":
                result = list(client.query(*step.args, **step.kwargs))
            else:
                result = getattr(client, step.method)(*step.args, **step.kwargs)
        except BaseException as exc:  # the feature decides: its clean-ups (an undeploy ...) catch it
            error = exc


async def adrive(
    client: AsyncCaller, steps: Steps[T], *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> T:
    """Run a feature on an async caller: each call awaited, each pause an :func:`asyncio.sleep`.

    Args:
        client: The caller the steps are calls of.
        steps: The feature's generator.
        sleep: How to pause (tests pass a fake).

    Raises:
        TypeError: If ``client`` is a sync caller (use :func:`drive`), or a step is not one.
    """
    if not _is_async(client):
        steps.close()
        raise TypeError(f"{type(client).__name__} is a sync caller; run the feature with drive(), not adrive()")
    result: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = steps.send(result) if error is None else steps.throw(error)
        except StopIteration as stop:
            value: T = stop.value
            return value
        result, error = None, None
        try:
            if isinstance(step, Sleep):
                await sleep(step.seconds)
            elif not isinstance(step, Invoke):
                raise _unknown(step)
            elif step.method == "query":
                result = [found async for found in client.query(*step.args, **step.kwargs)]
            else:
                result = await getattr(client, step.method)(*step.args, **step.kwargs)
        except BaseException as exc:  # the feature decides: its clean-ups (an undeploy ...) catch it
            error = exc
