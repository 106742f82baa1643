"""The SOAP 1.1 endpoint: envelope, WS-Security, schema validation, dispatch, faults.

Responses imitate a JAX-WS (Metro) service: the envelope prefix is ``S``, and the
operation wrapper and the data namespace get generated prefixes (``ns2``, ``ns4``,
``bns``, ...) that differ between operations, so a client that matches prefixes
instead of namespace URIs breaks here as it would against Boomi.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import XMLInputError
from boomi_soap.localservice.answers import sparse
from boomi_soap.localservice.binding import in_schema_order, without_empty_filter
from boomi_soap.localservice.config import ServiceConfig, User
from boomi_soap.localservice.contract import NS_DATA, NS_XSI, Release
from boomi_soap.localservice.errors import ApiFault, FaultCode, malformed
from boomi_soap.localservice.operations import HANDLERS, CallContext
from boomi_soap.localservice.store import AccountStore
from boomi_soap.snapshot.contract import Operation, tag_of

__all__ = ["NS_ENVELOPE", "NS_WSSE", "SoapReply", "body_child", "fault_envelope", "handle_soap", "username_token"]

NS_ENVELOPE: Final = "http://schemas.xmlsoap.org/soap/envelope/"
NS_ENVELOPE_12: Final = "http://www.w3.org/2003/05/soap-envelope"
NS_WSSE: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"  # noqa: S105 - a token-profile URI
# (wrapper prefix, data prefix) per operation, as a JAX-WS runtime would generate them.
_PREFIXES: Final = {
    "get": ("ns4", "bns"),
    "query": ("ns4", "ns2"),
    "queryMore": ("ns3", "ns2"),
    "create": ("ns2", "bns"),
    "update": ("ns4", "ns3"),
    "delete": ("ns4", "bns"),
}
_log = logging.getLogger("boomi_soap.localservice")


@dataclass(frozen=True)
class SoapReply:
    """An HTTP answer to a SOAP POST.

    Attributes:
        status: HTTP status.
        body: Serialized envelope.
        operation: The operation called, when the request got that far.
    """

    status: int
    body: bytes
    operation: str | None = None


def fault_envelope(fault: ApiFault) -> bytes:
    """Render a fault as a SOAP 1.1 envelope.

    Args:
        fault: The fault.

    Returns:
        The serialized ``S:Envelope`` with ``S:Fault`` and an ``ApiFault`` detail.
    """
    envelope = etree.Element(f"{{{NS_ENVELOPE}}}Envelope", nsmap={"S": NS_ENVELOPE})
    body = etree.SubElement(envelope, f"{{{NS_ENVELOPE}}}Body")
    element = etree.SubElement(body, f"{{{NS_ENVELOPE}}}Fault", nsmap={"wsse": NS_WSSE})
    etree.SubElement(element, "faultcode").text = fault.faultcode
    etree.SubElement(element, "faultstring").text = fault.message
    detail = etree.SubElement(element, "detail")
    info = etree.SubElement(detail, f"{{{NS_DATA}}}ApiFault", nsmap={"ns2": NS_DATA})
    etree.SubElement(info, "code").text = fault.code.value
    etree.SubElement(info, "message").text = fault.message
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def username_token(header: etree._Element | None) -> tuple[str, str]:
    """The user name and password of a request's WS-Security header, or the fault Boomi answers without one."""
    token = None if header is None else header.find(f"{{{NS_WSSE}}}Security/{{{NS_WSSE}}}UsernameToken")
    if token is None:
        raise ApiFault(FaultCode.AUTHENTICATION, "A WS-Security UsernameToken is required")
    username = (token.findtext(f"{{{NS_WSSE}}}Username") or "").strip()
    password = token.find(f"{{{NS_WSSE}}}Password")
    if not username or password is None:
        raise ApiFault(FaultCode.AUTHENTICATION, "The UsernameToken needs a Username and a Password")
    if password.get("Type", PASSWORD_TEXT) != PASSWORD_TEXT:
        raise ApiFault(FaultCode.AUTHENTICATION, "Only the PasswordText password type is supported")
    return username, password.text or ""


def body_child(envelope: etree._Element) -> tuple[etree._Element | None, etree._Element]:
    """A SOAP 1.1 envelope's Header (if any) and Body child, or the fault for anything else."""
    if envelope.tag == f"{{{NS_ENVELOPE_12}}}Envelope":
        raise malformed("SOAP 1.2 is not supported; send a SOAP 1.1 envelope")
    if envelope.tag != f"{{{NS_ENVELOPE}}}Envelope":
        raise malformed("The request is not a SOAP 1.1 Envelope")
    header = envelope.find(f"{{{NS_ENVELOPE}}}Header")
    body = envelope.find(f"{{{NS_ENVELOPE}}}Body")
    children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise malformed("The SOAP Body must contain exactly one element")
    return header, children[0]


def _validate(release: Release, payload: etree._Element) -> None:
    from boomi_soap.localservice.validation import thread_schema

    schema = thread_schema(release)  # release.schema's error log is shared by every thread
    if schema.validate(payload):
        return
    first = schema.error_log[0]
    raise ApiFault(FaultCode.INVALID_REQUEST, f"Invalid request (line {first.line}): {first.message}")


def _bound(release: Release, operation: Operation | None, payload: etree._Element) -> etree._Element:
    """The valid request JAXB would bind: as sent, else its children in sequence order (:mod:`.binding`)."""
    try:
        _validate(release, payload)
    except ApiFault:
        reordered = in_schema_order(release, operation, payload) if operation is not None else None
        if reordered is None:
            raise
        _validate(release, reordered)  # failing, its message names what order does not explain
        return reordered
    return payload


def _response_nsmap(release: Release, response: str) -> tuple[dict[str | None, str], str]:
    """Prefixes for a response wrapper, as JAX-WS writes them for this layout."""
    operation = etree.QName(response).localname.removesuffix("Response")
    wrapper_ns = etree.QName(response).namespace or ""
    if wrapper_ns == NS_DATA:  # one namespace: the Trading Partner page's bns:getResponse/bns:result
        return {"bns": NS_DATA, "xsi": NS_XSI}, "bns"
    if release.layout == "partner":  # bns is the partner namespace there (Cancel Execution page)
        return {"bns": wrapper_ns, "ns2": NS_DATA, "xsi": NS_XSI}, "ns2"
    wrapper_prefix, data_prefix = _PREFIXES.get(operation, ("ns2", "ns3"))
    return {wrapper_prefix: wrapper_ns, data_prefix: NS_DATA, "xsi": NS_XSI}, data_prefix


def _operation(release: Release, payload: etree._Element) -> Operation | None:
    found = release.contract.by_request(tag_of(payload))
    if found is not None:
        return found
    misplaced = release.contract.misplaced(tag_of(payload))
    if misplaced is not None:
        got = etree.QName(payload)
        raise ApiFault(
            FaultCode.INVALID_REQUEST,
            f"This service expects {misplaced.name} in {etree.QName(misplaced.request).namespace}; "
            f"the request has it in {got.namespace or 'no namespace'}",
        )
    return None


def _override(
    release: Release,
    operation: Operation,
    payload: etree._Element,
    user: User,
    account_id: str,
    sub_accounts: Callable[[str], tuple[str, ...]],
) -> str | None:
    """The sub-account a Partner API call acts on, if it names one (checked)."""
    name = release.contract.override
    child = operation.input(name) if name else None
    found = payload.find(child.tag) if child is not None else None
    target = (found.text or "").strip() if found is not None else ""
    if not target or target == account_id:
        return None
    if target not in sub_accounts(account_id):
        raise ApiFault(FaultCode.PERMISSION, f"Account {target} is not a sub-account of {account_id}")
    if target not in user.accounts:
        raise ApiFault(FaultCode.PERMISSION, "Access denied due to insufficient permissions.")
    # Boomi refuses the override for Account CREATE and DELETE (a server rule, not the schema's).
    type_child, object_child = operation.input("objectType"), operation.input("object")
    object_type = payload.findtext(type_child.tag) if type_child is not None else None
    created = payload.find(object_child.tag) if object_child is not None else None
    if created is not None:
        object_type = created.get(f"{{{NS_XSI}}}type", "").rpartition(":")[2]
    if operation.name in ("create", "delete") and (object_type or "").strip() == "Account":
        raise ApiFault(FaultCode.INVALID_REQUEST, f"The account override is not allowed for Account {operation.name}")
    return target


def handle_soap(
    data: bytes,
    *,
    account_id: str,
    config: ServiceConfig,
    release: Release,
    store: AccountStore | None,
    endpoint: str,
    admit: Callable[[], None],
    sub_accounts: Callable[[str], tuple[str, ...]] = lambda _: (),
    store_of: Callable[[str], AccountStore | None] = lambda _: None,
) -> SoapReply:
    """Process one SOAP request and build the reply.

    Args:
        data: The request body.
        account_id: Account named by the endpoint path.
        config: The service configuration (users).
        release: The contract in force.
        store: The account's store, or ``None`` if the service has no such account.
        endpoint: The account's endpoint URL.
        admit: Counts the call against the account's limits; raises ``ApiFault`` when over.
        sub_accounts: The sub-accounts of an account (Partner API override).
        store_of: The store of another account (the override's target).

    Returns:
        The HTTP status and envelope to send.
    """
    operation_name = None
    try:
        try:
            envelope = parse_xml(data, source="request")
        except XMLInputError as exc:
            raise malformed(f"Malformed request: {exc}") from None
        header, payload = body_child(envelope)
        username, secret = username_token(header)
        user: User | None = config.authenticate(username, secret)
        if user is None:
            raise ApiFault(FaultCode.AUTHENTICATION, "The security token could not be authenticated or authorized")
        if store is None or account_id not in user.accounts:
            raise ApiFault(FaultCode.PERMISSION, "Access denied due to insufficient permissions.")
        admit()  # Boomi counts override calls against the primary account
        operation = _operation(release, payload)
        without_empty_filter(operation, payload)
        payload = _bound(release, operation, payload)
        operation_name = etree.QName(payload).localname if operation is None else operation.name
        handler = HANDLERS.get(operation_name)
        if operation is None or handler is None:
            raise ApiFault(FaultCode.UNSUPPORTED, f"The {operation_name} operation is not implemented by this service")
        target = _override(release, operation, payload, user, account_id, sub_accounts)
        if target is not None:
            store = store_of(target)
            if store is None:
                raise ApiFault(FaultCode.PERMISSION, "Access denied due to insufficient permissions.")
        nsmap, data_prefix = _response_nsmap(release, operation.response)
        envelope_out = etree.Element(f"{{{NS_ENVELOPE}}}Envelope", nsmap={"S": NS_ENVELOPE})
        body = etree.SubElement(envelope_out, f"{{{NS_ENVELOPE}}}Body")
        wrapper = etree.SubElement(body, operation.response, nsmap=nsmap)
        context = CallContext(target or account_id, store, release, endpoint, data_prefix, operation, config)
        handler(context, payload, wrapper)
        if config.answers == "documented":
            sparse(wrapper, release.index)  # as sparse as Boomi's example answers (.answers)
        return SoapReply(200, etree.tostring(envelope_out, xml_declaration=True, encoding="UTF-8"), operation.name)
    except ApiFault as fault:
        _log.info("fault %s on %s: %s", fault.code.value, operation_name or "request", fault.message)
        return SoapReply(fault.http_status, fault_envelope(fault), operation_name)
