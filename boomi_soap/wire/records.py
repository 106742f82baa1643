"""The records a call's attempts are made of: what a driver is asked to do, and what it saw.

:func:`boomi_soap.wire.attempts.attempts` yields :class:`Admit`, :class:`Send` and
:class:`Sleep` steps and is sent back an :class:`Answer` or a :class:`Failure`; a driver
(:mod:`boomi_soap._transports.sync`, :mod:`boomi_soap._transports.asyncio`) does the I/O.
Nothing here touches a socket or a clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from boomi_soap.exceptions import TransportError

__all__ = ["Admit", "Answer", "CallRecord", "Failure", "Outcome", "Send", "Sleep", "Step"]


@dataclass
class CallRecord:
    """What happened to one call, for logs and errors.

    Attributes:
        operation: The operation.
        attempts: Sends made.
        status: Last HTTP status, if any answer came.
        waited: Seconds spent waiting for the rate limiter and backoff.
    """

    operation: str
    attempts: int = 0
    status: int | None = None
    waited: float = 0.0
    history: list[str] = field(default_factory=list)


@dataclass(slots=True)  # not frozen: built on every attempt, and a frozen __init__ is slower
class Admit:
    """Wait for the account's gate (rate window, quota) before the next send.

    Attributes:
        retry: Whether the send to come repeats an earlier one.
    """

    retry: bool


@dataclass(slots=True)  # not frozen: built on every attempt, and a frozen __init__ is slower
class Send:
    """Send the request once (``attempt`` of the call, counted from 1) and report what came back."""

    attempt: int


@dataclass(slots=True)  # not frozen: built on every attempt, and a frozen __init__ is slower
class Sleep:
    """Wait ``seconds`` before the next attempt (backoff, or a 503's ``Retry-After``)."""

    seconds: float


Step = Admit | Send | Sleep


@dataclass(slots=True)  # not frozen: built on every attempt, and a frozen __init__ is slower
class Answer:
    """A whole answer, read within the bounds (size cap, deadline), decoded.

    Attributes:
        status: The HTTP status.
        headers: Its headers (case-insensitive on both drivers).
        body: The decoded body.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(slots=True)  # not frozen: built on every attempt, and a frozen __init__ is slower
class Failure:
    """A send that got no whole answer.

    Attributes:
        error: What to raise if the call stops here.
        retry_reason: Why sending again is safe (``None``: it is not, or will not help).
    """

    error: TransportError
    retry_reason: str | None


Outcome = Answer | Failure
