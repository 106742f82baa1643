"""The SOAP wire: the envelope around a payload, its WS-Security header, and the answer read back.

No sockets and no sleeps: :func:`wrap` and :func:`sign` build what a driver sends,
:func:`read_answer` turns what came back into the answer element or a typed error, and
:func:`translate` maps what zeep raised (on its reading path) onto the same errors.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Mapping
from typing import Any, Final

from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import (
    BoomiSoapError,
    RequestRefusedError,
    RequestValidationError,
    ResponseError,
    SoapFaultError,
    XMLInputError,
)
from boomi_soap.validate import ValidationIssue
from boomi_soap.wire.faults import fault_error
from boomi_soap.wire.records import CallRecord

__all__ = [
    "NS_DATA",
    "NS_ENVELOPE",
    "NS_WSSE",
    "NS_WSS_PROFILE",
    "NS_XS",
    "NS_XSI",
    "SOAP_HEADERS",
    "envelope_shell",
    "execution_arguments",
    "fault_of",
    "log_call",
    "read_answer",
    "sign",
    "translate",
    "wrap",
]

NS_DATA: Final = "http://api.platform.boomi.com/"
NS_XS: Final = "http://www.w3.org/2001/XMLSchema"
NS_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
NS_ENVELOPE: Final = "http://schemas.xmlsoap.org/soap/envelope/"
NS_WSSE: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
NS_WSS_PROFILE: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
SOAP_HEADERS: Final[Mapping[str, str]] = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
_log = logging.getLogger("boomi_soap.client")


def envelope_shell() -> etree._Element:
    """A SOAP envelope with an empty ``Header`` and an empty ``Body``."""
    envelope = etree.Element(f"{{{NS_ENVELOPE}}}Envelope", nsmap={"soapenv": NS_ENVELOPE})
    etree.SubElement(envelope, f"{{{NS_ENVELOPE}}}Header")
    etree.SubElement(envelope, f"{{{NS_ENVELOPE}}}Body")
    return envelope


def wrap(payload: etree._Element) -> etree._Element:
    """A SOAP envelope (empty ``Header``) whose ``Body`` holds ``payload`` (moved, not copied)."""
    envelope = envelope_shell()
    envelope[-1].append(payload)
    return envelope


def read_answer(operation: str, status: int, content: bytes, record: CallRecord) -> etree._Element:
    """The response wrapper of a SOAP answer.

    Raises:
        ResponseError: If the answer is no SOAP message or has an empty Body.
        SoapFaultError: The typed error of a SOAP fault (its subclasses).
    """
    try:
        answer = parse_xml(content, source=f"{operation} answer")
    except XMLInputError as exc:  # the reason too: malformed, or over a bound of xmlsafe
        raise ResponseError(
            operation, f"HTTP {status}: the answer is not a SOAP message ({exc})", attempts=record.attempts
        ) from None
    reply = answer.find(f"{{{NS_ENVELOPE}}}Body")
    child = next((c for c in reply if isinstance(c.tag, str)), None) if reply is not None else None
    if child is None:
        raise ResponseError(operation, f"HTTP {status}: the answer has no SOAP Body", attempts=record.attempts)
    if child.tag == f"{{{NS_ENVELOPE}}}Fault":
        raise fault_of(
            operation, child.findtext("faultstring") or "", child.findtext("faultcode") or "",
            child.find("detail"), record,
        )  # fmt: skip
    return child


def execution_arguments(
    atom_id: str, process_id: str | None, process_name: str | None, properties: Mapping[str, str] | None
) -> dict[str, Any]:
    """The arguments of ``executeProcess``.

    Raises:
        InvalidRequestError: Unless exactly one of ``process_id`` and ``process_name`` is given.
    """
    if bool(process_id) == bool(process_name):
        raise RequestRefusedError("executeProcess", "give exactly one of process_id and process_name")
    bag = {"ProcessProperty": [{"Name": k, "Value": v} for k, v in properties.items()]} if properties else None
    return {"processId": process_id, "processName": process_name, "atomId": atom_id, "ProcessProperties": bag}


@contextlib.contextmanager
def one_call(operation: str, record: CallRecord) -> Iterator[None]:
    """Around one zeep call, sync or async alike: its errors typed (:func:`translate`) and the call logged."""
    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    except Exception as exc:
        mapped = translate(operation, exc, record)
        if mapped is exc:
            raise
        raise mapped from None
    finally:
        log_call(operation, outcome, started, record)


def log_call(operation: str, outcome: str, started: float, record: CallRecord) -> None:
    """Log one call's outcome, time and attempts at INFO."""
    elapsed = (time.perf_counter() - started) * 1000
    _log.info(
        "%s %s in %.0f ms (%d attempt%s, HTTP %s)",
        operation, outcome, elapsed, record.attempts, "" if record.attempts == 1 else "s", record.status,
    )  # fmt: skip


def translate(operation: str, exc: Exception, record: CallRecord) -> Exception:
    """The typed error for what zeep raised during a call; ``exc`` itself if it is not ours to map."""
    import zeep.exceptions

    attempts = record.attempts
    if isinstance(exc, BoomiSoapError):
        return exc  # ours already (a refused request, a transport failure)
    if isinstance(exc, zeep.exceptions.Fault):
        unexpected = record.status not in (200, 500, 503)
        if unexpected or not isinstance(exc.detail, etree._Element | None):
            # zeep reads any well-formed body (a proxy's HTML page) as an unknown fault.
            return ResponseError(
                operation, f"HTTP {record.status}: the answer is not a SOAP message", attempts=attempts
            )
        return fault_of(operation, str(exc.message or ""), str(exc.code or ""), exc.detail, record)
    if isinstance(exc, zeep.exceptions.TransportError):
        return ResponseError(operation, f"HTTP {exc.status_code}: the answer is not a SOAP message", attempts=attempts)
    if isinstance(exc, zeep.exceptions.ValidationError):
        path = "/" + "/".join(str(p) for p in exc.path) if exc.path else f"/{operation}"
        issue = ValidationIssue(f"{operation} request", path, exc.message or str(exc))
        return RequestValidationError(operation, (issue,))
    if isinstance(exc, zeep.exceptions.XMLSyntaxError | zeep.exceptions.XMLParseError | etree.XMLSyntaxError):
        reason = f"the answer is not well-formed XML ({type(exc).__name__})"
    elif isinstance(exc, zeep.exceptions.DTDForbidden | zeep.exceptions.EntitiesForbidden):
        reason = "the answer uses a DTD or entities; refused"
    elif isinstance(exc, zeep.exceptions.Error):
        reason = f"the answer does not fit the schema ({type(exc).__name__})"
    elif isinstance(exc, TypeError | ValueError | LookupError):
        if attempts == 0:  # raised while zeep built the request: the caller's arguments
            return RequestRefusedError(operation, f"bad arguments: {exc}")
        reason = f"the answer could not be read ({type(exc).__name__})"
    else:
        return exc
    return ResponseError(operation, reason, attempts=attempts)


def fault_of(
    operation: str, message: str, faultcode: str, detail: etree._Element | None, record: CallRecord
) -> SoapFaultError:
    """The typed error of a SOAP fault, with the HTTP status and attempts of ``record``."""
    return fault_error(operation, message, faultcode, detail, status=record.status, attempts=record.attempts)


def sign(envelope: etree._Element, username: str, password: str) -> etree._Element:
    """Add a WS-Security ``UsernameToken`` with a ``PasswordText`` password to ``envelope``'s header.

    The same elements, namespace declarations and order as zeep's
    ``UsernameToken(use_digest=False)``, built without importing zeep; an existing
    ``Header``, ``Security`` or ``UsernameToken`` is reused as zeep reuses it.

    Returns:
        ``envelope``, changed in place.
    """
    header = envelope.find(f"{{{NS_ENVELOPE}}}Header")
    if header is None:
        header = etree.Element(f"{{{NS_ENVELOPE}}}Header")
        envelope.insert(0, header)
    security = header.find(f"{{{NS_WSSE}}}Security")
    if security is None:
        security = etree.SubElement(header, f"{{{NS_WSSE}}}Security", nsmap={"wsse": NS_WSSE})
    token = security.find(f"{{{NS_WSSE}}}UsernameToken")
    if token is None:
        token = etree.SubElement(security, f"{{{NS_WSSE}}}UsernameToken", nsmap={"wsse": NS_WSSE})
    etree.SubElement(token, f"{{{NS_WSSE}}}Username", nsmap={"wsse": NS_WSSE}).text = username
    password_element = etree.SubElement(
        token, f"{{{NS_WSSE}}}Password", {"Type": f"{NS_WSS_PROFILE}#PasswordText"}, nsmap={"wsse": NS_WSSE}
    )
    password_element.text = password
    return envelope
