"""The Partner API: a parent account acting on one of its sub-accounts.

``client.for_account(sub)`` returns a :class:`~boomi_soap.client.SubAccountClient`: the
same client (its driver, rate limiter, validation, redaction, WSDL) whose every request
carries the sub-account override, added by its call core
(:class:`~boomi_soap.wire.call.Override`).  Boomi's Partner API page: "for SOAP, the
parameter is called ``accountId``" (REST: ``?overrideAccount=``); the contract reads the
child's name from the WSDL (:attr:`boomi_soap.snapshot.contract.Contract.override`).
Boomi counts override calls against the primary account, so the parent's limiter gates
them.

Boomi refuses the override for Account CREATE and DELETE, Account provisioning and
``cancelExecution``; the view refuses those before sending anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from boomi_soap.platform.caller import Caller
from boomi_soap.wire.call import REFUSED_TYPES

if TYPE_CHECKING:
    from boomi_soap.platform.runs import Execution, RequestId

__all__ = ["REFUSED_TYPES", "SubAccountView", "attach_in"]


class SubAccountView(Caller, Protocol):
    """What the sub-account features need of a view: a :class:`~boomi_soap.platform.caller.Caller` on a sub-account."""

    @property
    def sub_account(self) -> str:
        """The sub-account every call acts on."""
        ...

    @property
    def record_query(self) -> str:
        """The query string that makes a REST link act on the sub-account."""
        ...

    def for_account(self, sub_account_id: str, *, per_sub_account_limit: bool = False) -> SubAccountView:
        """Another sub-account of the same parent."""
        ...


def attach_in(view: SubAccountView, request_id: RequestId, *, record_url: str | None = None) -> Execution:
    """Follow an earlier run in a sub-account by its request id; its record read through the REST override."""
    from boomi_soap.platform.runs import attach

    url = record_url or f"{view.address}/ExecutionRecord/async/{request_id}?{view.record_query}"
    return attach(view, request_id, record_url=url)
