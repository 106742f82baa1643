"""One call, sans-IO: a request wrapper to the request a driver sends, and its answer to the response wrapper.

:class:`CallCore` is what :class:`~boomi_soap.client.Client` and
:class:`~boomi_soap.async_client.AsyncClient` share for every operation, so the two
cannot drift apart on what they send or how they read it:

- :meth:`CallCore.encode` names the payload's operation, adds the Partner API override
  (or refuses the call as Boomi would), validates the request against the snapshot's
  schema, and returns an :class:`Outgoing` record: a signed SOAP envelope, or the REST
  request of :class:`~boomi_soap.wire.rest.RestWire` (HTTP Basic; no envelope is built).
- :meth:`CallCore.decode` turns the driver's status and body into the response
  wrapper, checked (and, in tolerant mode, repaired) as ``settings.responses`` says, or
  raises the typed error of the one fault table.

Nothing here sends, sleeps or opens a socket; the drivers (:mod:`boomi_soap._transports`)
do the I/O and the retries (:mod:`boomi_soap.wire.attempts`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, Literal

from lxml import etree

from boomi_soap._xml.redact import debug_body, redact, redact_headers, redact_url
from boomi_soap.exceptions import (
    ConfigurationError,
    RequestRefusedError,
    RequestValidationError,
    ResponseError,
)
from boomi_soap.snapshot.contract import tag_of
from boomi_soap.wire.restmap import rest_root
from boomi_soap.wire.soap import NS_XSI, SOAP_HEADERS, envelope_shell, read_answer, sign, wrap
from boomi_soap.wire.tolerance import check_answer

if TYPE_CHECKING:
    from boomi_soap.credentials import Credentials
    from boomi_soap.settings import ClientSettings
    from boomi_soap.snapshot.contract import Contract, Operation
    from boomi_soap.validate import SchemaValidator
    from boomi_soap.wire.records import CallRecord
    from boomi_soap.wire.rest import RestRequest, RestWire
    from boomi_soap.wire.tolerance import Deviations

__all__ = ["REFUSED_TYPES", "CallCore", "Outgoing", "Override", "check_sub_account"]

REFUSED_TYPES: Final = frozenset({"Account", "AccountProvision"})
"""Object types whose CREATE, DELETE or EXECUTE Boomi refuses with an override."""
_REFUSED_VERBS: Final = frozenset({"create", "delete", "execute"})


@dataclass(frozen=True)
class Override:
    """The Partner API override every request of a sub-account view carries.

    Attributes:
        sub_account: The sub-account the calls act on.
        child: The request child that carries it (the WSDL's name for it, ``accountId`` on Boomi's).
    """

    sub_account: str
    child: str

    def refuse(self, operation: str, object_type: str | None) -> None:
        """Refuse what Boomi refuses with an override, before anything is sent.

        Raises:
            InvalidRequestError: For ``cancelExecution`` and Account (provisioning) CREATE, DELETE or EXECUTE.
        """
        if operation == "cancelExecution":
            raise RequestRefusedError(
                operation, f"Boomi does not allow the account override here; cancel from {self.sub_account} itself"
            )
        base = (object_type or "").rpartition(":")[2]
        if operation in _REFUSED_VERBS and (base in REFUSED_TYPES or base.startswith("AccountProvision")):
            raise RequestRefusedError(
                operation, f"Boomi does not allow the account override for {base} {operation} ({self.sub_account})"
            )


def check_sub_account(
    override: str | None, address: str, account_id: str, sub_account_id: str, *, transport: str, own_limit: bool
) -> str:
    """The sub-account id a view of ``account_id`` may act on, checked; see :meth:`Client.for_account`.

    Raises:
        ConfigurationError: If the WSDL has no override child (not the Partner API), the id
            is empty or the parent's own, or a per-sub-account limit is asked of SOAP.
    """
    if override is None:
        raise ConfigurationError(
            f"{address} is not the Partner API (its WSDL has no account override);"
            " fetch the account with --flavour partner"
        )
    sub = (sub_account_id or "").strip()
    if not sub or "/" in sub or sub == account_id:
        raise ConfigurationError(f"invalid sub-account id {sub_account_id!r} for {account_id}")
    if own_limit and transport != "rest":
        # Boomi's per-sub-account override rate limit applies to REST ?overrideAccount= calls only.
        raise ConfigurationError("per_sub_account_limit applies to the REST Partner API only; this client calls SOAP")
    return sub


@dataclass(frozen=True)
class Outgoing:
    """One request as a driver sends it.

    Attributes:
        operation: The WSDL operation.
        method: The HTTP method.
        url: Where it goes.
        body: What is sent.
        headers: Its headers (the SOAP envelope carries its credentials; a REST request has HTTP Basic here).
        gate: The SOAP address of the account whose rate window and quota count the call.
        rest: The REST request record (``None`` for SOAP), which the answer is read against.
    """

    operation: str
    method: str
    url: str
    body: bytes = field(repr=False)  # a SOAP body carries the WS-Security password
    headers: dict[str, str] = field(repr=False)  # a REST request's carry HTTP Basic
    gate: str
    rest: RestRequest | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"Outgoing({self.operation} {self.method} {redact_url(self.url)}, {len(self.body)} bytes)"


@dataclass(frozen=True)
class CallCore:
    """Encodes request wrappers and decodes answers for one account, over SOAP or REST.

    Attributes:
        contract: The operations of the snapshot's WSDL.
        validator: The snapshot's schema validator.
        credentials: Sent in the WS-Security header (SOAP) or as HTTP Basic (REST, in ``rest``).
        settings: Validation of requests, the reading of answers.
        deviations: What tolerant reads saw.
        address: The account's SOAP endpoint (REST calls go to its REST root).
        gate: The SOAP address whose account gate counts the calls (default: ``address``).
        rest: The REST wire, or ``None`` for SOAP.
        override: The Partner API override, or ``None``.
    """

    contract: Contract
    validator: SchemaValidator
    credentials: Credentials
    settings: ClientSettings
    deviations: Deviations
    address: str
    gate: str = ""
    rest: RestWire | None = None
    override: Override | None = None
    # Per operation and argument names: the request tag, prefixes and child tags of an all-text request.
    _texts: dict[tuple[str, ...], tuple[str, dict[str, str], tuple[str, ...]] | Literal[False]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # Request wrapper tag -> its operation, for the tags that are one (the contract's lookup is a scan).
    _shapes: dict[str, Operation] = field(default_factory=dict, init=False, repr=False, compare=False)
    # The signed, empty envelope every SOAP request is a copy of (it holds the secret: never shown).
    _shell: list[etree._Element] = field(default_factory=list, init=False, repr=False, compare=False)

    def __repr__(self) -> str:
        via = "soap" if self.rest is None else "rest"
        sub = f", sub_account={self.override.sub_account!r}" if self.override else ""
        return f"CallCore({via}, address={redact_url(self.address)!r}{sub})"

    def at(self, address: str, *, override: Override | None = None, gate: str | None = None) -> CallCore:
        """The same core calling another account's ``address`` (or, with ``override``, acting on a sub-account)."""
        return replace(self, address=address, gate=gate or address, override=override or self.override)

    # -- encode -------------------------------------------------------------------------
    def operation_of(self, payload: etree._Element) -> str:
        """The operation whose request wrapper ``payload`` is.

        Raises:
            InvalidRequestError: If it is no request wrapper of this account's WSDL (one line: what and where).
        """
        shape = self._shape_of(payload)
        if shape is not None:
            return shape.name
        name = etree.QName(payload).localname
        misplaced = self.contract.misplaced(tag_of(payload))
        if misplaced is not None:
            raise RequestRefusedError(
                name,
                f"this account's WSDL expects {name} in {etree.QName(misplaced.request).namespace}, "
                f"not in {etree.QName(payload).namespace or 'no namespace'}",
            )
        raise RequestRefusedError(name, f"{tag_of(payload)} is not an operation wrapper of this account's WSDL")

    def _shape_of(self, payload: etree._Element) -> Operation | None:
        """The operation whose request wrapper ``payload`` is, if any (found once per tag)."""
        tag = payload.tag
        shape = self._shapes.get(tag) if isinstance(tag, str) else None
        if shape is None:
            shape = self.contract.by_request(tag_of(payload))
            if shape is not None:  # only wrapper tags are kept: the contract bounds how many
                self._shapes[tag_of(payload)] = shape
        return shape

    def text_payload(self, operation: str, texts: Mapping[str, str | None]) -> etree._Element | None:
        """The request wrapper of an operation whose children are all text, built with lxml; ``None`` if it is not one.

        The cheap form of what zeep would serialize for ``get``, ``delete``, ``queryMore`` and their like.
        """
        key = (operation, *texts)
        shape = self._texts.get(key)
        if shape is None:
            shape = self._texts[key] = self._text_shape(operation, tuple(texts))
        if shape is False:
            return None
        request, nsmap, tags = shape
        payload = etree.Element(request, nsmap=nsmap)
        for tag, text in zip(tags, texts.values(), strict=True):
            if text is not None:
                etree.SubElement(payload, tag).text = text
        return payload

    def _text_shape(
        self, operation: str, names: tuple[str, ...]
    ) -> tuple[str, dict[str, str], tuple[str, ...]] | Literal[False]:
        shape = self.contract.operations.get(operation)
        children = [shape.input(name) for name in names] if shape is not None else []
        if shape is None or any(child is None or child.repeated for child in children):
            return False
        wrapper_ns = etree.QName(shape.request).namespace
        nsmap = {"api": self.contract.data_namespace}
        if wrapper_ns and wrapper_ns != self.contract.data_namespace:
            nsmap["soap"] = wrapper_ns
        return shape.request, nsmap, tuple(child.tag for child in children if child is not None)

    def refuse(self, operation: str, arguments: Mapping[str, Any]) -> None:
        """Refuse, before anything is serialized, a call whose override Boomi refuses (no override: nothing).

        Raises:
            InvalidRequestError: As :meth:`Override.refuse`.
        """
        if self.override is not None:
            created = getattr(getattr(arguments.get("object"), "_xsd_type", None), "name", None)
            self.override.refuse(operation, arguments.get("objectType") or (str(created) if created else None))

    def with_override(self, payload: etree._Element) -> etree._Element:
        """``payload`` with this core's override (a copy), refused as Boomi would; unchanged without one."""
        override = self.override
        shape = self._shape_of(payload) if override is not None else None
        if override is None or shape is None:
            return payload  # no override, or no wrapper: operation_of names the problem
        type_child, object_child = shape.input("objectType"), shape.input("object")
        object_type = payload.findtext(type_child.tag) if type_child is not None else None
        created = payload.find(object_child.tag) if object_child is not None else None
        if created is not None:
            object_type = created.get(f"{{{NS_XSI}}}type")
        override.refuse(shape.name, object_type)
        child = shape.input(override.child)
        if child is None:
            return payload
        payload = copy.deepcopy(payload)
        for old in payload.findall(child.tag):
            payload.remove(old)
        etree.SubElement(payload, child.tag).text = override.sub_account  # the last child, as the schema orders it
        return payload

    def _prepared(self, payload: etree._Element, own: bool) -> tuple[str, etree._Element]:
        """The operation and the wrapper this call sends: override added, copied unless ``own``."""
        overridden = self.with_override(payload)
        operation = self.operation_of(overridden)
        return operation, overridden if own or overridden is not payload else copy.deepcopy(payload)

    def _check_request(self, operation: str, envelope: etree._Element) -> None:
        """Refuse a request envelope that breaks the schema (its Body's child is what is validated)."""
        if self.settings.validate_requests:
            issues = tuple(self.validator.iter_errors(envelope, source=f"{operation} request"))
            if issues:
                raise RequestValidationError(operation, issues)

    def validated(self, payload: etree._Element, *, own: bool = False) -> tuple[str, etree._Element]:
        """The operation and the envelope around ``payload`` (override added), validated; not signed.

        ``payload`` is copied unless ``own`` says it was built for this call alone.

        Raises:
            InvalidRequestError: If ``payload`` is not a request wrapper, or the override is refused.
            RequestValidationError: If the request breaks the schema.
        """
        operation, wrapper = self._prepared(payload, own)
        envelope = wrap(wrapper)
        self._check_request(operation, envelope)
        return operation, envelope

    def _signed(self, wrapper: etree._Element) -> etree._Element:
        """The envelope :func:`sign` would make around ``wrapper``, from a copy of one signed shell.

        The same elements, declarations and bytes as ``sign(wrap(wrapper), ...)``: the
        shell is built that way once per core, and a deep copy of it is done in C.
        """
        if not self._shell:
            shell = sign(envelope_shell(), self.credentials.username, self.credentials.secret)
            self._shell[:] = [shell]  # two threads may both build it: either copy is the same
        envelope = copy.copy(self._shell[0])  # lxml's copy of an element is a deep one, without deepcopy's memo
        envelope[-1].append(wrapper)
        return envelope

    def signed_envelope(self, payload: etree._Element, *, own: bool = False) -> etree._Element:
        """The SOAP envelope sent for ``payload``: validated, with the WS-Security header (it holds the secret)."""
        envelope = self.validated(payload, own=own)[1]
        return sign(envelope, self.credentials.username, self.credentials.secret)

    def encode(self, payload: etree._Element, *, own: bool = False) -> Outgoing:
        """The request a driver sends for ``payload`` (nothing is sent).

        Raises:
            InvalidRequestError: If ``payload`` is not a request wrapper, has no REST form, or the override is refused.
            RequestValidationError: If the request breaks the schema.
        """
        operation, wrapper = self._prepared(payload, own)
        gate = self.gate or self.address
        if self.rest is None:
            # Signed first: the validator reads the Body's child alone, so the header changes no finding.
            envelope = self._signed(wrapper)
            self._check_request(operation, envelope)
            body = etree.tostring(envelope, encoding="utf-8")
            return Outgoing(operation, "POST", self.address, body, dict(SOAP_HEADERS), gate)
        if self.settings.validate_requests and not self.validator.is_valid(wrapper):
            self._check_request(operation, wrap(wrapper))  # the findings, as a SOAP call reports them
        request = self.rest.encode(wrapper, operation, root=rest_root(self.address))
        return Outgoing(operation, request.method, request.url, request.body, request.headers, gate, request)

    def describe(self, payload: etree._Element) -> str:
        """What :meth:`encode` sends for ``payload``, secrets masked, for a dry run; nothing is sent."""
        out = self.encode(payload)
        if out.rest is None:
            return redact(out.body)
        shown = debug_body(out.body, self.settings.debug_body_limit)
        return f"{out.method} {redact_url(out.url)}\n{redact_headers(out.headers)}\n\n{shown}\n"

    # -- decode -------------------------------------------------------------------------
    def decode(self, out: Outgoing, status: int, content: bytes, record: CallRecord) -> etree._Element:
        """The response wrapper of the answer to ``out``, checked as ``settings.responses`` says.

        Raises:
            SoapFaultError: The typed error of a SOAP fault or a REST error answer.
            ResponseError: If the answer cannot be read, or is not the operation's answer.
        """
        if out.rest is not None:
            child = self.rest.decode(out.rest, status, content, record) if self.rest else None
            assert child is not None
        else:
            child = read_answer(out.operation, status, content, record)
        self.check(out.operation, child)
        return child

    def check(self, operation: str, child: etree._Element) -> None:
        """Refuse an answer that is not the operation's response wrapper; check it against the schema.

        In ``tolerant`` mode a drifted answer is repaired in place and each deviation counted.
        """
        shape = self.contract.operations.get(operation)
        if shape is not None and child.tag != shape.response and tag_of(child) != shape.response:
            raise ResponseError(
                operation, f"the answer's Body holds {tag_of(child)}, not the expected {shape.response}"
            )
        self.fits(operation, child)

    def fits(self, operation: str, answer: etree._Element) -> None:
        """Check an answer (a response wrapper, a REST document) as ``settings.responses`` says."""
        check_answer(
            self.validator, answer, mode=self.settings.responses, operation=operation, deviations=self.deviations
        )
