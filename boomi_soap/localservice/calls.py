"""What every SOAP operation handler receives (:class:`CallContext`) and the object-type checks they share.

Below both :mod:`~boomi_soap.localservice.operations` (the handlers) and
:mod:`~boomi_soap.localservice.ipacks` (the integration-pack hooks around them), so neither
imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from lxml import etree

from boomi_soap.localservice.config import ServiceConfig
from boomi_soap.localservice.contract import NS_DATA, NS_XSI, Release, TypeInfo
from boomi_soap.localservice.errors import ApiFault, FaultCode
from boomi_soap.localservice.model import canonicalise
from boomi_soap.localservice.store import AccountStore
from boomi_soap.snapshot.contract import Operation

__all__ = ["CallContext", "Handler", "object_type", "typed_object"]

_XSI_TYPE: Final = f"{{{NS_XSI}}}type"


@dataclass(frozen=True)
class CallContext:
    """Everything a handler may use.

    Attributes:
        account_id: The account named in the endpoint path.
        store: That account's objects.
        release: The contract in force.
        endpoint: The account's SOAP endpoint URL (for links such as ``recordUrl``).
        data_prefix: Prefix the response binds to the data namespace.
        operation: The operation's wrappers, as the contract in force declares them.
        config: The service's settings (execution timeline, log size).
    """

    account_id: str
    store: AccountStore
    release: Release
    endpoint: str
    data_prefix: str
    operation: Operation
    config: ServiceConfig = field(default_factory=ServiceConfig)

    def inp(self, name: str) -> str:
        """The tag of request child ``name`` (qualified or not, as the contract says)."""
        child = self.operation.input(name)
        return child.tag if child is not None else name

    def out(self, name: str) -> str:
        """The tag of response child ``name``."""
        child = self.operation.output(name)
        return child.tag if child is not None else name


Handler = Callable[[CallContext, etree._Element, etree._Element], None]


def object_type(ctx: CallContext, name: str, operation: str) -> TypeInfo:
    """The object type ``name`` if ``operation`` applies to it.

    Raises:
        ApiFault: For a type that is not an object, or one the operation does not support.
    """
    info = ctx.release.index.object_type(name)
    rules = ctx.release.rules.get(info.name) if info is not None else None
    # A type of the schema that Boomi's object inventory does not list (LogDownload, Roles,
    # AsyncOperationTokenResult, ContactInfo ...) is a part or an answer, not an object.
    if info is None or (rules is None and ctx.release.rules):
        raise ApiFault(FaultCode.INVALID_REQUEST, f"Invalid object type: {name}")
    if rules is not None and operation not in rules.operations:
        raise ApiFault(FaultCode.UNSUPPORTED, f"The {info.name} object does not support the {operation} operation")
    return info


def typed_object(ctx: CallContext, request: etree._Element, operation: str) -> tuple[TypeInfo, etree._Element]:
    """The request's ``object`` (its ``xsi:type`` an object ``operation`` applies to), in canonical form.

    Raises:
        ApiFault: Without an object, or for a type the operation does not apply to.
    """
    source = request.find(ctx.inp("object"))
    if source is None:
        raise ApiFault(FaultCode.INVALID_REQUEST, "object is required")
    prefix, _, local = source.get(_XSI_TYPE, "").rpartition(":")
    if source.nsmap.get(prefix or None) != NS_DATA:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"Invalid object type: {local}")
    info = object_type(ctx, local, operation)
    return info, canonicalise(source, info)
