"""The Partner API: a parent account acting on one of its sub-accounts.

``client.for_account(sub)`` returns a :class:`SubAccountClient`: the same client (its
transport, rate limiter, validation, redaction, WSDL) whose every request carries the
sub-account override.  Boomi's Partner API page: "for SOAP, the parameter is called
``accountId``" (REST: ``?overrideAccount=``); the contract reads the child's name from the
WSDL (:attr:`boomi_soap.snapshot.contract.Contract.override`).  Boomi counts override calls against
the primary account, so the parent's limiter gates them.

Boomi refuses the override for Account CREATE and DELETE, Account provisioning and
``cancelExecution``; the view refuses those before sending anything.
"""

from __future__ import annotations

import copy
import threading
from typing import TYPE_CHECKING, Any, Final

from lxml import etree

from boomi_soap.client import Client
from boomi_soap.exceptions import ConfigurationError, InvalidRequestError
from boomi_soap.snapshot.contract import tag_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    from boomi_soap.platform.ipacks import IntegrationPacks
    from boomi_soap.platform.polling import Backoff
    from boomi_soap.platform.runs import Execution, RequestId

__all__ = ["REFUSED_TYPES", "SubAccountClient", "for_account"]

NS_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
REFUSED_TYPES: Final = frozenset({"Account", "AccountProvision"})
"""Object types whose CREATE, DELETE or EXECUTE Boomi refuses with an override."""
_REFUSED_VERBS: Final = frozenset({"create", "delete", "execute"})


class SubAccountClient(Client):
    """A client whose every call acts on one sub-account through the Partner API override.

    Made by :meth:`boomi_soap.client.Client.for_account`; it shares everything with the
    parent client, so closing either closes both.

    Attributes:
        sub_account: The sub-account every call acts on.
        parent: The parent account's client.
    """

    sub_account: str
    parent: Client
    _override: str

    def __repr__(self) -> str:
        return f"SubAccountClient(account={self.snapshot.account_id!r}, sub_account={self.sub_account!r})"

    def _refuse(self, operation: str, object_type: str | None) -> None:
        if operation == "cancelExecution":
            raise InvalidRequestError(
                operation, f"Boomi does not allow the account override here; cancel from {self.sub_account} itself"
            )
        base = (object_type or "").rpartition(":")[2]
        if operation in _REFUSED_VERBS and (base in REFUSED_TYPES or base.startswith("AccountProvision")):
            raise InvalidRequestError(
                operation, f"Boomi does not allow the account override for {base} {operation} ({self.sub_account})"
            )

    def overridden(self, operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The arguments of ``operation`` with the override added, or a refusal.

        Used by this view's calls and by :meth:`boomi_soap.async_client.AsyncClient.for_account`.

        Raises:
            InvalidRequestError: If Boomi does not allow the override for this call.
        """
        self._refuse(operation, kwargs.get("objectType") or _zeep_type(kwargs.get("object")))
        shape = self.contract.operations.get(operation)
        if shape is not None and shape.input(self._override) is not None:
            kwargs = {**kwargs, self._override: self.sub_account}
        return kwargs

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        return super()._call(operation, *args, **self.overridden(operation, kwargs))

    def _call_lean(self, operation: str, **texts: str) -> Any:
        return super()._call_lean(operation, **self.overridden(operation, texts))

    def envelope(self, operation: str, *, sign: bool = False, **kwargs: Any) -> etree._Element:
        """As :meth:`Client.envelope`, with the override the call would carry (or refused as it would be)."""
        return super().envelope(operation, sign=sign, **self.overridden(operation, kwargs))

    def with_override(self, payload: etree._Element) -> etree._Element:
        """``payload`` with the override this view's calls carry (refused as Boomi would refuse it)."""
        shape = self.contract.by_request(tag_of(payload))
        if shape is None:
            return payload  # the parent's checks name the problem
        type_child, object_child = shape.input("objectType"), shape.input("object")
        object_type = payload.findtext(type_child.tag) if type_child is not None else None
        created = payload.find(object_child.tag) if object_child is not None else None
        if created is not None:
            object_type = created.get(f"{{{NS_XSI}}}type")
        self._refuse(shape.name, object_type)
        child = shape.input(self._override)
        if child is None:
            return payload
        payload = copy.deepcopy(payload)
        for old in payload.findall(child.tag):
            payload.remove(old)
        etree.SubElement(payload, child.tag).text = self.sub_account  # the last child, as the schema orders it
        return payload

    def signed_envelope(self, payload: etree._Element) -> etree._Element:
        """As :meth:`Client.signed_envelope`, with the override added (or refused)."""
        return super().signed_envelope(self.with_override(payload))

    def for_account(self, sub_account_id: str, *, per_sub_account_limit: bool = False) -> SubAccountClient:
        """Another sub-account of the same parent."""
        return self.parent.for_account(sub_account_id, per_sub_account_limit=per_sub_account_limit)

    @property
    def record_query(self) -> str:
        """The query string that makes a REST link (``recordUrl``, log URLs) act on the sub-account."""
        return f"overrideAccount={self.sub_account}"

    def run_process(
        self,
        process: str,
        atom: str,
        *,
        properties: Mapping[str, str] | None = None,
        wait: bool = True,
        timeout: float = 300.0,
        poll: Backoff | None = None,
    ) -> Execution:
        """Run a process in the sub-account; its record is read through the REST override."""
        from boomi_soap.platform.ipacks import run_in

        return run_in(self, process, atom, properties=properties, wait=wait, timeout=timeout, poll=poll)

    def execution(self, request_id: RequestId, *, record_url: str | None = None) -> Execution:
        """Follow an earlier run in the sub-account by its request id."""
        from boomi_soap.platform.runs import attach

        url = record_url or f"{self.address}/ExecutionRecord/async/{request_id}?{self.record_query}"
        return attach(self, request_id, record_url=url)

    @property
    def ipacks(self) -> IntegrationPacks:
        """Integration-pack tasks in this sub-account (see :mod:`boomi_soap.platform.ipacks`)."""
        from boomi_soap.platform.ipacks import IntegrationPacks

        return IntegrationPacks(self)


def _zeep_type(obj: Any) -> str | None:
    xsd_type = getattr(obj, "_xsd_type", None)
    name = getattr(xsd_type, "name", None)
    return str(name) if name else None


def for_account(client: Client, sub_account_id: str, *, per_sub_account_limit: bool = False) -> SubAccountClient:
    """The view of ``client`` acting on ``sub_account_id``; see :meth:`Client.for_account`.

    Raises:
        ConfigurationError: If the WSDL has no override child (not the Partner API), the id
            is empty or the parent's own, or ``per_sub_account_limit`` is asked of SOAP.

    ``per_sub_account_limit=True`` (REST only, for accounts with Boomi's override rate
    limit enabled) holds the view's calls to the sub-account's own rate window and quota
    budget instead of the parent's.
    """
    override = client.contract.override
    if override is None:
        raise ConfigurationError(
            f"{client.address} is not the Partner API (its WSDL has no account override);"
            " fetch the account with --flavour partner"
        )
    sub = (sub_account_id or "").strip()
    if not sub or "/" in sub or sub == client.snapshot.account_id:
        raise ConfigurationError(f"invalid sub-account id {sub_account_id!r} for {client.snapshot.account_id}")
    if per_sub_account_limit and client.transport != "rest":
        # Boomi's per-sub-account override rate limit applies to REST ?overrideAccount= calls only.
        raise ConfigurationError("per_sub_account_limit applies to the REST Partner API only; this client calls SOAP")
    view = SubAccountClient.__new__(SubAccountClient)
    view.__dict__.update(client.__dict__)  # same transport, limiter, zeep client, validator, contract
    view.sub_account = sub
    view.parent = client
    view._override = override
    if per_sub_account_limit:
        # Same REST root, session and limiter backend, but the sub-account's own gate (rate
        # window and quota budget): the transport gates by the SOAP address it is given.
        transport = copy.copy(client._transport)
        transport.soap_address = f"{client.address.rsplit('/', 1)[0]}/{sub}"  # type: ignore[attr-defined]
        view._transport = transport
        view._zeep_parts = None  # zeep, if needed, is built around this transport
        view._zeep_lock = threading.Lock()
        view._lean = {}
    return view
